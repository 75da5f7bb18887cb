/**
 * Everything under `/proxy/` on the receiver, one flat dispatch:
 * - `/proxy/openai/v1/…`, `/proxy/anthropic/…`: the model-API proxy (an implicit run);
 * - `/proxy/run/<token>/openai/v1/…`, `…/anthropic/…`, `…/mcp/<name>`: the same inside an explicit run;
 * - `/proxy/mcp/<name>`: the streamable HTTP MCP proxy to a configured server;
 * - `POST /proxy/runs`, `GET /proxy/runs/<token>`, `POST /proxy/runs/<token>/end`: runs, for `tracefork run`;
 * - `POST /proxy/calls`, `POST /proxy/calls/<id>/end`: tool calls decided here for the stdio MCP proxy.
 */
import type * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readBody } from '../receiver/body';
import { HttpError } from '../receiver/respond';
import type { ReplayPlan } from '../../../sdk/src/contract';
import { DEFAULT_UPSTREAM, type Provider } from './apis';
import { handleModelRequest, proxyError } from './modelProxy';
import { handleMcpHttp, localGate, servedOf, toolEnd, toolSpec, type ToolEnd } from './mcp';
import { isToken, type CallRef, type ProxyCall, type ProxyRuns } from './runs';

/** Settings of the proxy routes. */
export interface ProxyOptions {
  /** Upstream base URLs (defaults: the providers' public APIs). */
  upstream?: Partial<Record<Provider, string>>;
  /** Streamable HTTP MCP servers by name: `/proxy/mcp/<name>` goes to the URL. */
  mcpServers?: Record<string, string>;
  maxBodyBytes?: number;
  onLog?: (line: string) => void;
}

/** The path prefix of every proxy route. */
export const PROXY_PATH = '/proxy/';

const OPEN_CALL_MS = 15 * 60_000;

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

async function jsonBody(req: http.IncomingMessage, max: number): Promise<Record<string, unknown>> {
  const raw = await readBody(req, max);
  if (!raw.length) return {};
  try {
    const v = JSON.parse(raw.toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* said below */
  }
  throw new HttpError(400, 'the body must be a JSON object');
}

function checkPlan(v: unknown): ReplayPlan | null {
  if (v === undefined || v === null) return null;
  const p = v as ReplayPlan;
  if (p.version !== 1 || !Array.isArray(p.steps) || typeof p.original?.traceId !== 'string' || typeof p.planId !== 'string')
    throw new HttpError(400, 'plan is not a version-1 replay plan (sdk/REPLAY.md)');
  return p;
}

/** The proxy routes of one receiver. */
export class ProxyRoutes {
  private readonly upstream: Record<Provider, string>;
  private readonly calls = new Map<string, { call: ProxyCall; timer: NodeJS.Timeout }>();

  constructor(
    readonly runs: ProxyRuns,
    private readonly opts: ProxyOptions = {},
  ) {
    this.upstream = { ...DEFAULT_UPSTREAM, ...Object.fromEntries(Object.entries(opts.upstream ?? {}).filter(([, v]) => !!v)) };
  }

  /** Serves one request whose path starts with /proxy/ (errors are answered, never thrown). */
  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (e) {
      const err = e instanceof HttpError ? e : new HttpError(500, `internal error: ${(e as Error).message}`);
      this.opts.onLog?.(`proxy: ${req.method} ${req.url?.split('?')[0]} → ${err.status}: ${err.message}`);
      proxyError(res, err.status, err.message);
    }
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    const method = (req.method ?? 'GET').toUpperCase();
    const max = this.opts.maxBodyBytes ?? 32 * 1024 ** 2;
    const parts = path.slice(PROXY_PATH.length).split('/');
    if (parts[0] === 'runs') return this.runsApi(req, res, method, parts.slice(1), max);
    if (parts[0] === 'calls') return this.callsApi(req, res, method, parts.slice(1), max);
    let ref: CallRef = { traceparent: header(req, 'traceparent') };
    let at = 0;
    if (parts[0] === 'run') {
      const token = parts[1] ?? '';
      if (!isToken(token)) throw new HttpError(404, `"${token}" is not a run token; the path is /proxy/run/<token>/openai/v1/…, /anthropic/… or /mcp/<name>`);
      ref = { ...ref, token };
      at = 2;
    }
    const what = parts[at];
    const restStart = PROXY_PATH.length + parts.slice(0, at + 1).join('/').length;
    if (what === 'openai' && parts[at + 1] === 'v1')
      return handleModelRequest(req, res, 'openai', url.slice(restStart + '/v1'.length), ref, this.runs, {
        upstream: this.upstream,
        maxBodyBytes: max,
        onLog: this.opts.onLog,
      });
    if (what === 'anthropic')
      return handleModelRequest(req, res, 'anthropic', url.slice(restStart), ref, this.runs, {
        upstream: this.upstream,
        maxBodyBytes: max,
        onLog: this.opts.onLog,
      });
    if (what === 'mcp') {
      const name = decodeURIComponent(parts[at + 1] ?? '');
      const target = this.opts.mcpServers?.[name];
      if (!target) {
        const known = Object.keys(this.opts.mcpServers ?? {});
        throw new HttpError(
          404,
          `no MCP server named "${name}" is configured${known.length ? ` (configured: ${known.join(', ')})` : ''}; add it to tracefork.proxy.mcpServers or pass tracefork serve --mcp ${name || 'NAME'}=URL`,
        );
      }
      const rest = url.slice(restStart + 1 + encodeURIComponent(name).length);
      return handleMcpHttp(req, res, `${target.replace(/\/+$/, '')}${rest}`, localGate(this.runs, ref), name, max);
    }
    throw new HttpError(
      404,
      `no proxy route at ${path}; use /proxy/openai/v1/… (OPENAI_BASE_URL), /proxy/anthropic (ANTHROPIC_BASE_URL), /proxy/mcp/<name>, or the same under /proxy/run/<token>/ (tracefork run)`,
    );
  }

  /** `POST /proxy/runs` {name?, command?, cwd?, plan?}; `GET /proxy/runs/<token>`; `POST /proxy/runs/<token>/end` {exitCode?}. */
  private async runsApi(req: http.IncomingMessage, res: http.ServerResponse, method: string, rest: string[], max: number): Promise<void> {
    if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) {
      if (method !== 'POST') throw new HttpError(405, 'POST /proxy/runs starts a run', { Allow: 'POST' });
      const b = await jsonBody(req, max);
      const command = Array.isArray(b.command) && b.command.every((c) => typeof c === 'string') ? (b.command as string[]) : undefined;
      const run = this.runs.create({
        name: typeof b.name === 'string' ? b.name : undefined,
        command,
        cwd: typeof b.cwd === 'string' ? b.cwd : undefined,
        plan: checkPlan(b.plan),
      });
      return sendJson(res, 201, run);
    }
    const token = rest[0]!;
    if (rest.length === 1 && method === 'GET') {
      const s = this.runs.status(token);
      if (!s) throw new HttpError(404, `no open run ${token}`);
      return sendJson(res, 200, s);
    }
    if (rest.length === 2 && rest[1] === 'end' && method === 'POST') {
      const b = await jsonBody(req, max);
      const s = this.runs.end(token, typeof b.exitCode === 'number' ? b.exitCode : null);
      if (!s) throw new HttpError(404, `no open run ${token}`);
      return sendJson(res, 200, s);
    }
    throw new HttpError(404, 'runs API: POST /proxy/runs, GET /proxy/runs/<token>, POST /proxy/runs/<token>/end');
  }

  /**
   * `POST /proxy/calls` {token?, traceparent?, server, name, arguments} → {id, key, source, arguments, served?};
   * `POST /proxy/calls/<id>/end` {result? | error?}. A call never ended is recorded as failed after 15 minutes.
   */
  private async callsApi(req: http.IncomingMessage, res: http.ServerResponse, method: string, rest: string[], max: number): Promise<void> {
    if (method !== 'POST') throw new HttpError(405, 'the calls API takes POST', { Allow: 'POST' });
    const b = await jsonBody(req, max);
    if (rest.length === 0 || rest[0] === '') {
      if (typeof b.name !== 'string' || !b.name) throw new HttpError(400, 'a tool call needs its "name"');
      const server = typeof b.server === 'string' ? b.server : 'mcp';
      const traceparent = typeof b.traceparent === 'string' ? b.traceparent : null;
      const ref: CallRef = { token: typeof b.token === 'string' ? b.token : traceparent ? null : this.runs.soleRun(), traceparent };
      const call = this.runs.begin(ref, toolSpec(server, b.name, b.arguments ?? {}));
      if (call.decision.kind === 'recording') {
        const served = servedOf(call.decision.step);
        call.end(toolEnd(served));
        return sendJson(res, 200, { id: null, key: call.key, source: 'recording', arguments: b.arguments ?? {}, served });
      }
      const id = randomBytes(8).toString('hex');
      const timer = setTimeout(() => this.endCall(id, { error: { code: -32000, message: 'the tool call never finished' } }), OPEN_CALL_MS);
      timer.unref?.();
      this.calls.set(id, { call, timer });
      return sendJson(res, 200, { id, key: call.key, source: call.source, arguments: call.input });
    }
    if (rest.length === 2 && rest[1] === 'end') {
      if (!this.endCall(rest[0]!, { result: b.result, error: b.error as ToolEnd['error'] })) throw new HttpError(404, `no open call ${rest[0]}`);
      return sendJson(res, 200, {});
    }
    throw new HttpError(404, 'calls API: POST /proxy/calls, POST /proxy/calls/<id>/end');
  }

  private endCall(id: string, r: ToolEnd): boolean {
    const open = this.calls.get(id);
    if (!open) return false;
    this.calls.delete(id);
    clearTimeout(open.timer);
    open.call.end(toolEnd(r));
    return true;
  }
}

function header(req: http.IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? null) : null;
}
