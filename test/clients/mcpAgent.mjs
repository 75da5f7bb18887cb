// An agent with no Tracefork SDK that uses MCP tools through the official MCP SDK client, its
// server reached through Tracefork's MCP proxy: over stdio (MCP_TRANSPORT=stdio: the client starts
// `tracefork mcp-proxy -- <the server>`, as an agent's MCP config would) or streamable HTTP
// (MCP_TRANSPORT=http: the proxy route of the run, $TRACEFORK_MCP_BASE_URL/<name>). It calls
// echo ($ECHO_MESSAGE) and get-sum, and writes the results to $ANSWER_FILE.
import * as fs from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const transport =
  process.env.MCP_TRANSPORT === 'http'
    ? new StreamableHTTPClientTransport(new URL(`${process.env.TRACEFORK_MCP_BASE_URL}/everything`))
    : new StdioClientTransport({ command: process.execPath, args: JSON.parse(process.env.MCP_PROXY_ARGS) });
const client = new Client({ name: 'mcp-agent', version: '1.0.0' });
await client.connect(transport);
const tools = (await client.listTools()).tools.map((t) => t.name);
const echo = await client.callTool({ name: 'echo', arguments: { message: process.env.ECHO_MESSAGE ?? 'hello' } });
const sum = await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
let bad;
try {
  bad = await client.callTool({ name: 'get-sum', arguments: { a: 'x' } });
} catch (e) {
  bad = { thrown: String(e.message) };
}
fs.writeFileSync(
  process.env.ANSWER_FILE,
  JSON.stringify({ tools: tools.includes('echo') && tools.includes('get-sum'), echo: echo.content[0].text, sum: sum.content[0].text, bad }),
);
await client.close();
