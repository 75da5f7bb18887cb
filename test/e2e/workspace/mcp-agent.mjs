// An agent with no Tracefork SDK and no tracing that uses MCP tools through the official MCP SDK
// client over streamable HTTP, at $TRACEFORK_MCP_BASE_URL/everything: the proxy route that
// "Run Agent with Tracefork…" points it at (the server is tracefork.proxy.mcpServers.everything).
// It calls echo, then get-sum, and prints both answers.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const client = new Client({ name: 'mcp-agent', version: '1.0.0' });
await client.connect(new StreamableHTTPClientTransport(new URL(`${process.env.TRACEFORK_MCP_BASE_URL}/everything`)));
const echo = await client.callTool({ name: 'echo', arguments: { message: 'hello from the agent' } });
const sum = await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
console.log(echo.content[0].text);
console.log(sum.content[0].text);
await client.close();
