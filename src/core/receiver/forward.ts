/**
 * Forwarding to the team's backend: every request the receivers accept (OTLP/HTTP or gRPC, traces,
 * logs, metrics) is also sent on to an upstream OTLP/HTTP endpoint, with the same content (gRPC
 * requests as OTLP/HTTP protobuf), gzip-compressed. Asynchronous and bounded: the local receiver
 * only appends to a queue, so an upstream that is slow, down or refusing never slows or fails it.
 * Bodies are compressed once, off the event loop, and the queue's bound counts compressed bytes.
 * Transient failures (network errors, 408, 429, 5xx) are retried in order with exponential backoff
 * (honouring Retry-After) for as long as the queue has room; when it is full the oldest requests
 * are dropped, counted and reported with why; a permanent refusal (other 4xx) drops that request.
 */
import { constants, gzip } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzip);
import type { BodyEncoding } from '../otlp/decode';
import type { IngestResult, IngestSink, Signal } from './ingest';

/** Forwarding settings. */
export interface ForwardOptions {
  /** The upstream's base OTLP/HTTP endpoint (`http://collector:4318`); `/v1/traces` etc. are added. A URL already ending in `/v1/traces` is used as the base's traces path. */
  url: string;
  /** Sent with every request (e.g. `authorization`). */
  headers?: Record<string, string>;
  /** Queue bound in bytes of (uncompressed) bodies; the oldest are dropped beyond it. Default 64 MiB. */
  maxQueueBytes?: number;
  /** First retry delay; doubles up to `maxBackoffMs`. Defaults 250 ms and 10 s. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Requests in flight at once (default 4); 1 delivers strictly in order. */
  concurrency?: number;
  /** Told about drops and about the upstream failing and recovering (for the status bar and logs). */
  onEvent?: (e: ForwardEvent) => void;
}

/** What the forwarder tells its host. */
export type ForwardEvent = { kind: 'dropped'; count: number; reason: string } | { kind: 'failing'; reason: string } | { kind: 'recovered' };

/** Counters. */
export interface ForwardStats {
  /** Requests accepted locally and queued. */
  queued: number;
  /** Delivered (2xx). */
  sent: number;
  /** Given up on: queue full, or refused for good. */
  dropped: number;
  retries: number;
  /** Bodies waiting now, and their bytes. */
  pending: number;
  pendingBytes: number;
  /** The last failure, until a delivery succeeds again. */
  lastError: string | null;
}

interface Item {
  signal: Signal;
  enc: BodyEncoding;
  /** Bytes it holds in the queue: the body's, then the compressed body's once compressed. */
  size: number;
  /** The gzip-compressed body, compressed once at enqueue off the event loop (zlib's thread pool). */
  data: Promise<Buffer>;
  gone: boolean;
}

const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);

/** Sends accepted requests on to an upstream OTLP/HTTP endpoint. */
export class Forwarder {
  readonly stats: ForwardStats = { queued: 0, sent: 0, dropped: 0, retries: 0, pending: 0, pendingBytes: 0, lastError: null };
  private queue: Item[] = [];
  private workers = 0;
  private closed = false;
  private delay: number;
  private wakers = new Set<() => void>();
  private readonly base: string;
  private readonly idle = new Set<() => void>();

  constructor(private opts: ForwardOptions) {
    const url = new URL(opts.url); // throws TypeError on a bad URL: the caller says so
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`forward URL must be http(s), got ${url.protocol}`);
    this.base = opts.url.replace(/\/+$/, '').replace(/\/v1\/(traces|logs|metrics)$/, '');
    this.delay = opts.backoffMs ?? 250;
  }

  /** The upstream path for a signal. */
  endpoint(signal: Signal): string {
    return `${this.base}/v1/${signal}`;
  }

  /** Queues one accepted request; never blocks, never throws. */
  enqueue(signal: Signal, body: Buffer, enc: BodyEncoding): void {
    if (this.closed) return;
    const item: Item = { signal, enc, size: body.length, data: Promise.resolve(body), gone: false };
    // The queue keeps the compressed body (several times smaller) as soon as it is ready.
    item.data = gzipAsync(body, { level: constants.Z_BEST_SPEED }).then((gz) => {
      if (!item.gone) {
        this.stats.pendingBytes += gz.length - item.size;
        item.size = gz.length;
      }
      return gz;
    });
    this.queue.push(item);
    this.stats.queued++;
    this.stats.pending++;
    this.stats.pendingBytes += item.size;
    const max = this.opts.maxQueueBytes ?? 64 * 1024 ** 2;
    let dropped = 0;
    while (this.stats.pendingBytes > max && this.queue.length > 1) {
      // requests in flight are not dropped
      const old = this.queue.shift()!;
      old.gone = true;
      this.stats.pending--;
      this.stats.pendingBytes -= old.size;
      dropped++;
    }
    if (dropped)
      this.drop(
        dropped,
        `the forward queue is full (${Math.round(max / 1024 ** 2)} MiB) while ${this.stats.lastError ?? 'the upstream is slow'}; the oldest requests were dropped upstream (kept locally)`,
      );
    while (this.workers < Math.min(this.opts.concurrency ?? 4, this.queue.length)) void this.work();
  }

  /** Resolves when nothing is pending (or after `timeoutMs`); for shutdown and tests. */
  drain(timeoutMs = 10_000): Promise<boolean> {
    if (!this.stats.pending) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.idle.delete(onIdle);
        resolve(ok);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idle.add(onIdle);
    });
  }

  /** Stops: what is still queued after `drainMs` is reported as dropped. */
  async close(drainMs = 2000): Promise<void> {
    await this.drain(drainMs);
    this.closed = true;
    for (const w of [...this.wakers]) w();
    if (this.queue.length) this.drop(this.queue.length, `Tracefork stopped before the upstream took them (${this.stats.lastError ?? 'still sending'})`);
    this.queue = [];
    this.stats.pending = this.stats.pendingBytes = 0;
  }

  private drop(count: number, reason: string): void {
    this.stats.dropped += count;
    this.opts.onEvent?.({ kind: 'dropped', count, reason });
  }

  /** One sender: takes the next request, delivers it or puts it back and backs off. */
  private async work(): Promise<void> {
    this.workers++;
    try {
      for (;;) {
        if (this.closed) return;
        const item = this.queue.shift();
        if (!item) return;
        const outcome = await this.send(item);
        if (this.closed) return;
        if (outcome.ok || outcome.permanent) {
          item.gone = true;
          this.stats.pending--;
          this.stats.pendingBytes -= item.size;
          if (outcome.ok) {
            this.stats.sent++;
            this.delay = this.opts.backoffMs ?? 250;
            if (this.stats.lastError) {
              this.stats.lastError = null;
              this.opts.onEvent?.({ kind: 'recovered' });
            }
          } else this.drop(1, outcome.reason);
          continue;
        }
        this.queue.unshift(item); // first again: nothing is skipped while the upstream is away
        if (this.stats.lastError === null) this.opts.onEvent?.({ kind: 'failing', reason: outcome.reason });
        this.stats.lastError = outcome.reason;
        this.stats.retries++;
        const wait = Math.max(this.delay, outcome.retryAfterMs ?? 0);
        this.delay = Math.min(this.delay * 2, this.opts.maxBackoffMs ?? 10_000);
        await this.sleep(wait);
      }
    } finally {
      this.workers--;
      if (!this.stats.pending) for (const f of [...this.idle]) f();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakers.add(done); // closing cuts the backoff short
    });
  }

  private async send(item: Item): Promise<{ ok: boolean; permanent?: boolean; reason: string; retryAfterMs?: number }> {
    const url = this.endpoint(item.signal);
    const body = await item.data;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), this.opts.timeoutMs ?? 10_000);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { ...this.opts.headers, 'content-type': item.enc === 'protobuf' ? 'application/x-protobuf' : 'application/json', 'content-encoding': 'gzip' },
        body,
        signal: ctl.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true, reason: '' };
      const why = `the upstream ${url} answered ${res.status} ${res.statusText}`.trim();
      if (TRANSIENT.has(res.status)) return { ok: false, reason: why, retryAfterMs: retryAfter(res.headers.get('retry-after')) };
      return {
        ok: false,
        permanent: true,
        reason: `${why}; the request was dropped upstream (kept locally)${res.status === 401 || res.status === 403 ? ': check the forward headers (credentials)' : ''}`,
      };
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const detail = ctl.signal.aborted ? `timed out after ${this.opts.timeoutMs ?? 10_000} ms` : (cause?.code ?? cause?.message ?? (e as Error).message);
      return { ok: false, reason: `the upstream ${url} is unreachable (${detail})` };
    } finally {
      clearTimeout(timer);
    }
  }
}

function retryAfter(h: string | null): number | undefined {
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.min(s * 1000, 60_000);
  const at = Date.parse(h);
  return Number.isFinite(at) ? Math.min(Math.max(at - Date.now(), 0), 60_000) : undefined;
}

/** A sink that stores (the inner sink) and, once stored, forwards; metrics, not stored, are forwarded too. */
export class ForwardingSink implements IngestSink {
  constructor(
    private inner: IngestSink,
    readonly forwarder: Forwarder,
  ) {}

  get full(): boolean {
    return this.inner.full;
  }

  ingestTraces(body: Buffer, enc: BodyEncoding): IngestResult {
    const r = this.inner.ingestTraces(body, enc);
    this.forwarder.enqueue('traces', body, enc);
    return r;
  }

  ingestLogs(body: Buffer, enc: BodyEncoding): IngestResult {
    const r = this.inner.ingestLogs(body, enc);
    this.forwarder.enqueue('logs', body, enc);
    return r;
  }

  ingestMetrics(body: Buffer, enc: BodyEncoding): void {
    this.forwarder.enqueue('metrics', body, enc);
  }
}

/** `K=V` header specs (CLI `--forward-header`), validated. */
export function parseHeaderSpecs(specs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of specs) {
    const i = s.indexOf('=');
    const name = i > 0 ? s.slice(0, i).trim() : '';
    if (!name || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new TypeError(`a header is NAME=VALUE, got "${s}"`);
    out[name.toLowerCase()] = s.slice(i + 1);
  }
  return out;
}
