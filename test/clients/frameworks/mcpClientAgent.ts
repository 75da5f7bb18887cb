// An agent that uses MCP tools through the official MCP SDK client (`Client` over stdio, the
// reference "everything" server from npm), recorded by the Tracefork SDK with traceforkMcp(client).
// No step(). It calls echo (the message from argv) and then get-sum. Prints one JSON line: how many
// tools/call requests really went to the server, and the two results.
//   EVERYTHING=…/server-everything/dist/index.js OTEL_EXPORTER_OTLP_ENDPOINT=… tsx mcpClientAgent.ts [message]
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { register, traceforkMcp } from '../../../sdk/src/index';

const tracefork = register({ serviceName: 'mcp-client-agent' });

async function main() {
  const transport = new StdioClientTransport({ command: process.execPath, args: [process.env.EVERYTHING!, 'stdio'], stderr: 'ignore' });
  let sent = 0;
  const send = transport.send.bind(transport);
  transport.send = (message: Parameters<typeof send>[0]) => {
    if ('method' in message && message.method === 'tools/call') sent++;
    return send(message);
  };
  const client = traceforkMcp(new Client({ name: 'mcp-client-agent', version: '1.0.0' }));
  await client.connect(transport);
  const echo = (await client.callTool({ name: 'echo', arguments: { message: process.argv[2] ?? 'hello' } })) as { content: Array<{ text: string }> };
  const sum = (await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } })) as { content: Array<{ text: string }> };
  await client.close();
  await tracefork.shutdown();
  process.stdout.write(JSON.stringify({ sent, echo: echo.content[0]!.text, sum: sum.content[0]!.text }) + '\n');
}

void main();
