/**
 * The model-API proxy: a request to `/proxy/openai/v1/…` or `/proxy/anthropic/…` goes to its
 * upstream with the agent's own headers (its API key among them, never recorded), and its answer
 * comes back as the upstream gives it — status, headers, body, a stream chunk by chunk as it
 * arrives, a dropped stream dropped. Model calls are recorded as llm steps; under a replay plan a
 * call before the fork is answered from the recording (a stream as a stream) without calling out.
 */
import type * as http from 'node:http';
import { decode } from '../../../sdk/src/contract';
import { readBody, decompress } from '../receiver/body';
import { apiCall, describeRequest, describeResponse, requestModel, type Provider } from './apis';
import type { CallRef, ProxyRuns } from './runs';

/** A recorded answer: enough to give it back exactly, a stream with its chunks' timing. */
export interface RecordedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** For a stream: `[ms after the request, characters]` per chunk as it arrived. */
  chunks?: Array<[number, number]>;
  /** The answer broke off here (a dropped stream): a replay drops it at the same point. */
  broken?: string;
}

/** Settings of the model proxy. */
export interface ModelProxyOptions {
  /** Base URL per provider, as its client's base URL is spelled (see DEFAULT_UPSTREAM). */
  upstream: Record<Provider, string>;
  /** Largest request body taken (default 32 MiB). */
  maxBodyBytes?: number;
  onLog?: (line: string) => void;
}

/** Request headers that belong to this hop only (or that the proxy sets itself). */
const HOP = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'accept-encoding',
  'expect',
]);
/** Response headers not passed on or recorded (the body is re-framed; cookies are not the agent's business here). */
const HOP_OUT = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'set-cookie', 'trailer']);

/** An error the proxy itself answers with, in the shape OpenAI and Anthropic clients print. */
export function proxyError(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ type: 'error', error: { type: 'tracefork_proxy_error', message: `Tracefork proxy: ${message}` } });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** The agent's request headers for the upstream, without this hop's own (shared by the model and MCP proxies). */
export function forwardHeaders(req: http.IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || HOP.has(k) || k.startsWith(':')) continue;
    h.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  h.set('accept-encoding', 'identity'); // the answer is read (and recorded) as it is
  return h;
}

function answerHeaders(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (!HOP_OUT.has(k)) out[k] = v;
  });
  return out;
}

/** Why fetch failed, in words (its cause holds the system error). */
function fetchFailure(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${cause.code}${cause.message ? ` (${cause.message})` : ''}` : (cause?.message ?? (e as Error).message);
}

/** Serves and records one request under the proxy's prefix for `provider`. */
export async function handleModelRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  provider: Provider,
  rest: string,
  ref: CallRef,
  runs: ProxyRuns,
  opts: ModelProxyOptions,
): Promise<void> {
  const [restPath, query] = splitQuery(rest);
  const upstream = `${opts.upstream[provider].replace(/\/+$/, '')}${restPath}${query}`;
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req, opts.maxBodyBytes ?? 32 * 1024 ** 2);
  const body = await decompress(raw, req.headers['content-encoding'], 128 * 1024 ** 2);
  const call = apiCall(provider, method, restPath);
  let request: unknown;
  if (call) {
    try {
      request = JSON.parse(body.toString('utf8'));
    } catch {
      request = undefined; // not JSON: the upstream answers it as it would (and nothing is recorded)
    }
  }
  const headers = forwardHeaders(req);
  if (!call || request === undefined || typeof request !== 'object' || request === null) {
    await relay(res, upstream, { method, headers, body: body.length ? body : undefined }, null);
    return;
  }
  const model = requestModel(request);
  const proxied = runs.begin(ref, {
    op: 'llm',
    name: model,
    adapter: 'proxy',
    input: request,
    spanName: `${call.operation} ${model}`,
    attributes: { ...describeRequest(call, request), 'server.address': new URL(upstream).host, 'tracefork.proxy.upstream': upstream.split('?')[0] },
  });
  const describe = (a: RecordedAnswer) => ({
    ...describeResponse(call, a.status, a.headers['content-type'] ?? '', a.body),
    ...(a.status >= 400 ? { 'error.type': String(a.status) } : {}),
  });
  if (proxied.decision.kind === 'recording') {
    const step = proxied.decision.step;
    if (step.error) {
      proxyError(res, 502, `the recorded call failed: ${step.error.message}`);
      proxied.end({ error: step.error });
      return;
    }
    const answer = decode(step.output) as RecordedAnswer;
    await serveRecorded(res, answer);
    proxied.end({
      output: answer,
      attributes: describe(answer),
      failed: answer.broken ?? (answer.status >= 400 ? `the upstream answered ${answer.status}` : undefined),
    });
    return;
  }
  headers.set('content-type', req.headers['content-type'] ?? 'application/json');
  await relay(res, upstream, { method, headers, body: JSON.stringify(proxied.input) }, (answer, failure) => {
    if (answer.status === 0) proxied.end({ error: { name: 'UpstreamError', message: failure ?? 'no answer' } });
    else
      proxied.end({
        output: answer,
        attributes: describe(answer),
        failed: failure ?? (answer.status >= 400 ? `the upstream answered ${answer.status}` : undefined),
      });
  });
}

function splitQuery(rest: string): [string, string] {
  const i = rest.indexOf('?');
  return i < 0 ? [rest, ''] : [rest.slice(0, i), rest.slice(i)];
}

/** Writes a recorded answer back, a stream chunk by chunk as it was cut. */
async function serveRecorded(res: http.ServerResponse, a: RecordedAnswer): Promise<void> {
  res.writeHead(a.status, a.headers);
  if (!a.chunks?.length && !a.broken) {
    res.end(a.body);
    return;
  }
  let at = 0;
  for (const [, chars] of a.chunks ?? []) {
    const piece = a.body.slice(at, at + chars);
    at += chars;
    if (!res.write(piece)) await new Promise((r) => res.once('drain', r));
  }
  if (at < a.body.length) res.write(a.body.slice(at));
  if (a.broken) res.destroy();
  else res.end();
}

/** How a relayed answer ended: as it was (recordable), or broken off with a reason. */
export type RelayDone = (answer: RecordedAnswer, failure: string | null) => void;

/**
 * Sends the request upstream and the answer back as it arrives; when `done` is given, the
 * answer's text is kept and handed to it once it has all passed (or failed) through. An upstream
 * that cannot be reached is a 502 that says so; `done` then gets status 0.
 */
export async function relay(
  res: http.ServerResponse,
  url: string,
  init: { method: string; headers: Headers; body?: Buffer | string },
  done: RelayDone | null,
): Promise<void> {
  const started = performance.now();
  const abort = new AbortController();
  // The agent gave up (its timeout, Ctrl-C): so does the upstream call.
  res.on('close', () => {
    if (!res.writableFinished) abort.abort(new Error('the agent closed the connection'));
  });
  let upstream: Response;
  try {
    upstream = await fetch(url, { method: init.method, headers: init.headers, body: init.body, redirect: 'manual', signal: abort.signal });
  } catch (e) {
    const why = abort.signal.aborted
      ? 'the agent closed the connection before the upstream answered'
      : `the upstream ${new URL(url).origin} could not be reached: ${fetchFailure(e)}`;
    if (!abort.signal.aborted)
      proxyError(
        res,
        502,
        `${why}. Check the proxy's upstream (the tracefork.proxy.* settings, or tracefork serve --upstream-openai/--upstream-anthropic/--mcp).`,
      );
    done?.({ status: 0, headers: {}, body: '' }, why);
    return;
  }
  const headers = answerHeaders(upstream);
  const stream = (headers['content-type'] ?? '').includes('text/event-stream');
  res.writeHead(upstream.status, headers);
  const decoder = new TextDecoder();
  let text = '';
  const chunks: Array<[number, number]> = [];
  let failure: string | null = null;
  try {
    if (upstream.body) {
      for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) {
        if (done) {
          const piece = decoder.decode(chunk, { stream: true });
          text += piece;
          if (stream) chunks.push([Math.round(performance.now() - started), piece.length]);
        }
        if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      }
    }
    if (done) text += decoder.decode();
    res.end();
  } catch (e) {
    failure = abort.signal.aborted ? 'the agent closed the connection during the answer' : `the upstream's answer broke off: ${fetchFailure(e)}`;
    res.destroy(); // the agent sees the stream drop, as the upstream dropped it
  }
  done?.({ status: upstream.status, headers, body: text, ...(stream ? { chunks } : {}), ...(failure ? { broken: failure } : {}) }, failure);
}
