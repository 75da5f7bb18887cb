/**
 * The MCP proxy's one concern: `tools/call`. Every other message (initialize, lists,
 * notifications, sessions) passes through unchanged; each tool call becomes a tool step, and under
 * a replay plan a call before the fork is answered from the recording without reaching the
 * server (per the tool policies), the fork's call goes with its edited arguments.
 * Two transports use it: stdio (`tracefork mcp-proxy`, through the receiver's /proxy/calls API)
 * and streamable HTTP (a route of the receiver, in process).
 */
import type * as http from 'node:http';
import { decode } from '../../../sdk/src/contract';
import { readBody } from '../receiver/body';
import { sseEvents } from './apis';
import { forwardHeaders, proxyError, relay } from './modelProxy';
import type { CallEnd, CallRef, CallSpec, ProxyRuns } from './runs';

type Obj = Record<string, unknown>;

/** A JSON-RPC error as an MCP server sends it. */
export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

/** How a tool call ended. */
export interface ToolEnd {
  result?: unknown;
  error?: RpcError;
}

/** One tool call's decision. */
export interface ToolTicket {
  source: 'record' | 'recording' | 'fork' | 'live';
  /** The arguments to send (the fork's edit, else the agent's). */
  arguments: unknown;
  /** For `recording`: what to answer instead of calling the server. */
  served?: ToolEnd;
  end(r: ToolEnd): void;
}

/** Decides tool calls (in process, or through the receiver's HTTP API). */
export interface ToolGate {
  begin(server: string, name: string, args: unknown): Promise<ToolTicket>;
}

/** The call spec of a tool call (shared by both gates, so both record the same step). */
export function toolSpec(server: string, name: string, args: unknown): CallSpec {
  return {
    op: 'tool',
    name,
    adapter: 'mcp',
    input: args,
    spanName: `execute_tool ${name}`,
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': name,
      'gen_ai.tool.call.arguments': JSON.stringify(args ?? {}),
      'mcp.method.name': 'tools/call',
      'tracefork.mcp.server': server,
    },
  };
}

/** What a tool call's end records. */
export function toolEnd(r: ToolEnd): CallEnd {
  if (r.error)
    return { error: { name: 'McpError', message: r.error.message, code: r.error.code, ...(r.error.data !== undefined ? { data: r.error.data } : {}) } };
  const result = r.result as { isError?: boolean } | undefined;
  return {
    output: r.result,
    attributes: { 'gen_ai.tool.call.result': JSON.stringify(r.result ?? null) },
    failed: result?.isError ? 'the tool reported an error' : undefined,
  };
}

/** The served answer of a recorded step (its output, or its error as JSON-RPC). */
export function servedOf(step: { output?: unknown; error?: Obj }): ToolEnd {
  if (step.error)
    return {
      error: {
        code: typeof step.error.code === 'number' ? step.error.code : -32603,
        message: String(step.error.message ?? 'error'),
        ...(step.error.data !== undefined ? { data: step.error.data } : {}),
      },
    };
  return { result: decode(step.output) };
}

/** The gate of the receiver itself. */
export function localGate(runs: ProxyRuns, ref: CallRef): ToolGate {
  return {
    async begin(server, name, args) {
      const call = runs.begin(ref, toolSpec(server, name, args));
      if (call.decision.kind === 'recording') {
        const served = servedOf(call.decision.step);
        call.end(toolEnd(served));
        return { source: 'recording', arguments: args, served, end: () => {} };
      }
      return { source: call.source, arguments: call.input, end: (r) => call.end(toolEnd(r)) };
    },
  };
}

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** A tools/call request, or null. */
function toolCall(msg: unknown): { id: string | number; name: string; args: unknown } | null {
  if (!isObj(msg) || msg.method !== 'tools/call' || msg.id === undefined || msg.id === null) return null;
  const params = isObj(msg.params) ? msg.params : {};
  return typeof params.name === 'string' ? { id: msg.id as string | number, name: params.name, args: params.arguments ?? {} } : null;
}

function withArgs(msg: Obj, args: unknown): Obj {
  return { ...msg, params: { ...(msg.params as Obj), arguments: args } };
}

function answerOf(id: string | number, r: ToolEnd): Obj {
  return r.error ? { jsonrpc: '2.0', id, error: r.error } : { jsonrpc: '2.0', id, result: r.result };
}

/** What a JSON-RPC response says, as a tool end. */
function endOf(msg: Obj): ToolEnd {
  return isObj(msg.error)
    ? {
        error: {
          code: Number(msg.error.code ?? -32603),
          message: String(msg.error.message ?? ''),
          ...(msg.error.data !== undefined ? { data: msg.error.data } : {}),
        },
      }
    : { result: msg.result };
}

/**
 * Message-level interception, for a transport that hands over JSON-RPC messages one by one
 * (stdio). Messages from the client keep their order: each waits for the one before it.
 */
export class McpInterceptor {
  private queue: Promise<void> = Promise.resolve();
  private readonly open = new Map<string, ToolTicket>();

  constructor(
    private readonly gate: ToolGate,
    private readonly server: string,
    private readonly toServer: (msg: Obj) => void,
    private readonly toClient: (msg: Obj) => void,
    private readonly onError: (e: Error) => void = () => {},
  ) {}

  fromClient(msg: Obj): void {
    this.queue = this.queue.then(() => this.clientMessage(msg)).catch((e: Error) => this.onError(e));
  }

  private async clientMessage(msg: Obj): Promise<void> {
    const call = toolCall(msg);
    if (!call) return this.toServer(msg);
    const ticket = await this.gate.begin(this.server, call.name, call.args);
    if (ticket.served) return this.toClient(answerOf(call.id, ticket.served));
    this.open.set(JSON.stringify(call.id), ticket);
    this.toServer(ticket.source === 'fork' ? withArgs(msg, ticket.arguments) : msg);
  }

  fromServer(msg: Obj): void {
    if (msg.id !== undefined && (msg.result !== undefined || msg.error !== undefined) && msg.method === undefined) {
      const k = JSON.stringify(msg.id);
      const ticket = this.open.get(k);
      if (ticket) {
        this.open.delete(k);
        ticket.end(endOf(msg));
      }
    }
    this.toClient(msg);
  }

  /** Ends the calls still open (the server went away). */
  close(reason: string): void {
    for (const t of this.open.values()) t.end({ error: { code: -32000, message: reason } });
    this.open.clear();
  }
}

/** The response to request `id` in an answer body (JSON, or a server-sent-event stream). */
function findResponse(contentType: string, body: string, id: string | number): Obj | null {
  const candidates: unknown[] = [];
  if (contentType.includes('text/event-stream')) for (const e of sseEvents(body)) candidates.push(safeJson(e.data));
  else candidates.push(safeJson(body));
  for (const c of candidates.flatMap((c) => (Array.isArray(c) ? c : [c]))) if (isObj(c) && c.id === id && c.method === undefined) return c;
  return null;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

/**
 * The streamable HTTP MCP proxy: a request to the route goes to `upstream` as it is (session
 * header and all), except a POSTed `tools/call`, which is decided by the gate.
 */
export async function handleMcpHttp(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  upstream: string,
  gate: ToolGate,
  server: string,
  maxBodyBytes = 32 * 1024 ** 2,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const headers = forwardHeaders(req);
  if (method !== 'POST') return relay(res, upstream, { method, headers }, null);
  const raw = await readBody(req, maxBodyBytes);
  const msg = safeJson(raw.toString('utf8'));
  const call = toolCall(msg);
  if (!call) return relay(res, upstream, { method, headers, body: raw }, null);
  let ticket: ToolTicket;
  try {
    ticket = await gate.begin(server, call.name, call.args);
  } catch (e) {
    return proxyError(res, 500, `the tool call could not be recorded: ${(e as Error).message}`);
  }
  if (ticket.served) {
    const body = JSON.stringify(answerOf(call.id, ticket.served));
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  const body = ticket.source === 'fork' ? JSON.stringify(withArgs(msg as Obj, ticket.arguments)) : raw;
  await relay(res, upstream, { method, headers, body }, (answer, failure) => {
    const found = answer.status ? findResponse(answer.headers['content-type'] ?? '', answer.body, call.id) : null;
    if (found) ticket.end(endOf(found));
    else ticket.end({ error: { code: -32000, message: failure ?? `the server answered ${answer.status} without a result for this call` } });
  });
}
