/**
 * The official MCP client (`@modelcontextprotocol/sdk`'s `Client`): `traceforkMcp(client)` records
 * every `callTool` as a tool step (the tool's name, its arguments as the input, the
 * `CallToolResult` as the output) and, in a replay, serves the calls before the fork from the
 * recording without reaching the server, as `tool()` does. Everything else the client does
 * (initialize, list, notifications) is untouched. Structural types only: the SDK does not depend
 * on the MCP SDK.
 */
import { recordCall } from '../replay/runtime';
import { toolCall } from './generic';
import { callSite } from '../callSite';

/** What `traceforkMcp` needs of a client: `Client.callTool(params, resultSchema?, options?)`. */
export interface McpToolClient {
  callTool(params: { name: string; arguments?: Record<string, unknown> }, ...rest: never[]): Promise<unknown>;
}

/** The same client, its `callTool` recorded (and served from the recording before a fork). */
export function traceforkMcp<C extends McpToolClient>(client: C): C {
  const callTool = client.callTool.bind(client) as (params: { name: string; arguments?: Record<string, unknown> }, ...rest: unknown[]) => Promise<unknown>;
  const defSite = callSite();
  const recorded = (params: { name: string; arguments?: Record<string, unknown> } & Record<string, unknown>, ...rest: unknown[]) =>
    recordCall(toolCall(params.name, params.arguments ?? {}, 'mcp-client', defSite, { 'mcp.method.name': 'tools/call' }), async (edited) =>
      callTool({ ...params, arguments: edited as Record<string, unknown> }, ...rest),
    );
  (client as unknown as { callTool: typeof recorded }).callTool = recorded;
  return client;
}
