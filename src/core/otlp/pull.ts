/**
 * Pulling one trace from a team's backend through its query API, as OTLP/JSON the store imports:
 * Jaeger v2 (`/api/v3/traces/{id}`: OTLP in `result`, one JSON object per line when streamed),
 * Tempo (`/api/traces/{id}`: `batches`, or `/api/v2/traces/{id}`: `trace`), Phoenix (its REST
 * `spans/otlpv1` pages, snake_case) and any URL that answers OTLP/JSON. Their dialects — base64 ids
 * (protojson), snake_case keys, nulls, the pre-1.0 `instrumentationLibrarySpans` — are brought to
 * the OTLP/JSON the decoder reads. Every failure is a PullError that says what to do; nothing is
 * stored unless the whole answer decodes.
 */
import { decodeTraces } from './decode';
import { otlpDocuments } from './file';

/** The backends `pull` knows. */
export const BACKENDS = ['jaeger', 'tempo', 'phoenix', 'otlp'] as const;
export type Backend = (typeof BACKENDS)[number];

/** A pull that cannot be done, with what to do about it. */
export class PullError extends Error {}

/** Pull settings. */
export interface PullOptions {
  from: Backend;
  /** The backend's base URL (Jaeger's query service, Tempo, Phoenix), or for `otlp` the URL of the trace itself. */
  url: string;
  traceId: string;
  headers?: Record<string, string>;
  /** Phoenix project (default `default`). */
  project?: string;
  timeoutMs?: number;
  /** Largest answer read (default 256 MiB): a backend's answer is untrusted input. */
  maxBytes?: number;
}

/** The trace as one OTLP/JSON ExportTraceServiceRequest (ids in hex), marked with where it came from. */
export async function pullTrace(opts: PullOptions): Promise<{ request: { resourceSpans: unknown[] }; spans: number; source: string }> {
  const traceId = opts.traceId.toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(traceId)) throw new PullError(`a trace id is 32 hex digits, got "${opts.traceId}"`);
  let base: URL;
  try {
    base = new URL(opts.url);
  } catch {
    throw new PullError(`"${opts.url}" is not a URL; give the backend's address, e.g. http://localhost:16686`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new PullError(`the backend URL must be http(s), got ${base.protocol}`);
  const root = opts.url.replace(/\/+$/, '');
  let resourceSpans: unknown[];
  if (opts.from === 'phoenix') resourceSpans = await phoenix(root, traceId, opts);
  else {
    const url = opts.from === 'jaeger' ? `${root}/api/v3/traces/${traceId}` : opts.from === 'tempo' ? `${root}/api/traces/${traceId}` : opts.url;
    const text = await get(url, opts, traceId);
    resourceSpans = opts.from === 'jaeger' ? jaeger(text, url) : opts.from === 'tempo' ? tempo(text, url) : otlp(text, url);
  }
  const source = `${opts.from} ${root}`;
  const request = { resourceSpans: resourceSpans.map((rs) => normalize(rs) as Record<string, unknown>).map((rs) => mark(rs, source)) };
  let spans = 0;
  let rejected: string | null = null;
  try {
    const decoded = decodeTraces(Buffer.from(JSON.stringify(request)), 'json', traceId);
    for (const g of decoded.groups) spans += g.spans.length;
    if (decoded.rejected) rejected = `${decoded.rejected} span(s) of it are not valid OTLP: ${decoded.firstRejection}`;
  } catch (e) {
    throw new PullError(`the answer from ${opts.url} is not an OTLP trace: ${(e as Error).message}`);
  }
  // A trace is pulled whole or not at all: a partial copy would fork and compare wrong.
  if (rejected) throw new PullError(`the answer from ${opts.url} is not an OTLP trace: ${rejected}`);
  if (!spans) throw new PullError(`${opts.from} at ${root} has no spans of trace ${traceId}`);
  return { request, spans, source };
}

async function get(url: string, opts: PullOptions, traceId: string): Promise<string> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), opts.timeoutMs ?? 30_000);
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json', ...opts.headers }, signal: ctl.signal });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = ctl.signal.aborted ? `no answer within ${opts.timeoutMs ?? 30_000} ms` : (cause?.code ?? cause?.message ?? (e as Error).message);
    throw new PullError(`cannot reach ${url} (${why}); is the backend running there?`);
  } finally {
    clearTimeout(timer);
  }
  const text = await readCapped(res, opts.maxBytes ?? 256 * 1024 ** 2, url);
  if (res.status === 404) throw new PullError(`trace ${traceId} was not found at ${url} (404); check the trace id and the backend URL`);
  if (res.status === 401 || res.status === 403)
    throw new PullError(`${url} refused the request (${res.status}); pass the backend's credentials with --header, e.g. --header authorization="Bearer …"`);
  if (!res.ok) throw new PullError(`${url} answered ${res.status} ${res.statusText}: ${text.slice(0, 200)}`);
  return text;
}

/** The body as text, refusing one larger than `max` bytes (declared or as it streams). */
async function readCapped(res: Response, max: number, url: string): Promise<string> {
  const tooBig = () => new PullError(`the answer from ${url} is larger than ${Math.round(max / 1024 ** 2)} MiB; is that one trace?`);
  if (Number(res.headers.get('content-length') ?? 0) > max) {
    await res.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > max) {
      await reader.cancel().catch(() => undefined);
      throw tooBig();
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString('utf8');
}

function parseJson(text: string, url: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new PullError(`the answer from ${url} is not JSON (it starts "${text.slice(0, 60)}"); is the URL the backend's API?`);
  }
}

function arrayAt(v: unknown, key: string): unknown[] | null {
  const x = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return Array.isArray(x) ? x : null;
}

/** Jaeger v2 `/api/v3/traces/{id}`: `{"result": TracesData}`, one per line when the gateway streams. */
function jaeger(text: string, url: string): unknown[] {
  const out: unknown[] = [];
  for (const line of text.split('\n').filter((l) => l.trim())) {
    const doc = parseJson(line, url) as Record<string, unknown>;
    if (doc.error) throw new PullError(`Jaeger answered an error: ${JSON.stringify(doc.error).slice(0, 200)}`);
    const rs = arrayAt(doc.result, 'resourceSpans') ?? arrayAt(doc.result, 'resource_spans');
    if (!rs) throw new PullError(`the answer from ${url} is not a Jaeger v3 trace (no result.resourceSpans)`);
    out.push(...rs);
  }
  return out;
}

/** Tempo `/api/traces/{id}`: `{"batches": [...]}`; v2: `{"trace": {"resourceSpans": [...]}}`. */
function tempo(text: string, url: string): unknown[] {
  const doc = parseJson(text, url);
  const rs = arrayAt(doc, 'batches') ?? arrayAt((doc as Record<string, unknown>)?.trace, 'resourceSpans') ?? arrayAt(doc, 'resourceSpans');
  if (!rs) throw new PullError(`the answer from ${url} is not a Tempo trace (no batches or trace.resourceSpans)`);
  return rs;
}

function otlp(text: string, url: string): unknown[] {
  const out: unknown[] = [];
  let docs;
  try {
    docs = otlpDocuments(text);
  } catch (e) {
    throw new PullError(`the answer from ${url} is not OTLP/JSON: ${(e as Error).message}`);
  }
  for (const d of docs) {
    const rs = arrayAt(JSON.parse(d.body.toString('utf8')), 'resourceSpans');
    if (rs) out.push(...rs);
  }
  if (!out.length) throw new PullError(`the answer from ${url} holds no resourceSpans`);
  return out;
}

/** Phoenix: `GET /v1/projects/{project}/spans/otlpv1?trace_id=…`, paged by cursor. */
async function phoenix(root: string, traceId: string, opts: PullOptions): Promise<unknown[]> {
  const project = opts.project ?? 'default';
  const spans: unknown[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ trace_id: traceId, limit: '1000', ...(cursor ? { cursor } : {}) });
    const url = `${root}/v1/projects/${encodeURIComponent(project)}/spans/otlpv1?${q}`;
    let text: string;
    try {
      text = await get(url, opts, traceId);
    } catch (e) {
      if (e instanceof PullError && /\(404\)/.test(e.message)) throw new PullError(`Phoenix at ${root} has no project "${project}" (404); pass --project`);
      throw e;
    }
    const page = parseJson(text, url) as { data?: unknown; next_cursor?: string | null };
    if (!Array.isArray(page.data)) throw new PullError(`the answer from ${url} is not a Phoenix spans page (no data)`);
    spans.push(...page.data);
    cursor = page.next_cursor ?? null;
  } while (cursor);
  return [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: project } }] }, scopeSpans: [{ scope: { name: 'phoenix' }, spans }] }];
}

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const RENAME: Record<string, string> = { instrumentationLibrarySpans: 'scopeSpans', instrumentationLibrary: 'scope' };
const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** snake_case → camelCase keys, nulls dropped, pre-1.0 names renamed, base64 ids (protojson) to hex. */
function normalize(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => normalize(x));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === null || x === undefined) continue;
      const name = RENAME[camel(k)] ?? camel(k);
      out[name] = normalize(x, name);
    }
    return out;
  }
  if (typeof v === 'string' && ID_KEYS.has(key)) return hexId(v);
  return v;
}

/** An id as hex: hex stays, base64 of 16 or 8 bytes is converted, empty stays empty. */
function hexId(s: string): string {
  if (s === '' || (/^[0-9a-fA-F]+$/.test(s) && (s.length === 32 || s.length === 16))) return s.toLowerCase();
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) {
    const b = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 16 || b.length === 8) return b.toString('hex');
  }
  return s;
}

/** Adds `tracefork.pulled_from` to the resource. */
function mark(rs: Record<string, unknown>, source: string): Record<string, unknown> {
  const resource = (rs.resource as { attributes?: unknown[] } | undefined) ?? {};
  const attributes = [...(resource.attributes ?? []), { key: 'tracefork.pulled_from', value: { stringValue: source } }];
  return { ...rs, resource: { ...resource, attributes } };
}
