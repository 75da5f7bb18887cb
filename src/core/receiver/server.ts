/**
 * The embedded OTLP/HTTP receiver. One flat sequence per request, as the OpenTelemetry
 * Collector does: guard (Host, Origin) → method → path → content type → body → decompress →
 * backpressure → decode → store → respond. Loopback only by default; browsers are refused.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DecodeError, type BodyEncoding } from '../otlp/decode';
import { decompress, readBody } from './body';
import { HttpError, sendError, sendExportResponse, type Encoding, type Signal } from './respond';

/** What a sink took of one request. */
export interface IngestResult {
  accepted: number;
  rejected: number;
  firstRejection: string | null;
}

/** Where request bodies go (the TraceStore): validated, journaled, indexed; DecodeError when malformed. */
export interface IngestSink {
  ingestTraces(body: Buffer, enc: BodyEncoding): IngestResult;
  ingestLogs(body: Buffer, enc: BodyEncoding): IngestResult;
  /** True while the sink cannot take more; the receiver answers 503 with Retry-After. */
  readonly full: boolean;
}

/** Receiver settings. */
export interface ReceiverOptions {
  host?: string;
  port?: number;
  /** Largest request body accepted, compressed (default 32 MiB). */
  maxBodyBytes?: number;
  /** Largest body after decompression (default 128 MiB). */
  maxDecompressedBytes?: number;
  /** Called for every refused request, for logs. */
  onRejected?: (status: number, reason: string) => void;
  /** What `GET /tracefork/info` tells another Tracefork window that finds the port taken. */
  info?: () => Record<string, unknown>;
}

/** The path another Tracefork process asks to recognise a Tracefork receiver on a port. */
export const INFO_PATH = '/tracefork/info';

/** Counters for status displays and tests. */
export interface ReceiverStats {
  requests: number;
  spans: number;
  logs: number;
  rejectedSpans: number;
  refused: number;
}

const PATHS: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/logs': 'logs', '/v1/metrics': 'metrics' };
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** A running receiver. */
export class Receiver {
  readonly stats: ReceiverStats = { requests: 0, spans: 0, logs: 0, rejectedSpans: 0, refused: 0 };
  private server: http.Server;
  private allowedHosts = new Set(LOOPBACK);

  constructor(
    private sink: IngestSink,
    private opts: ReceiverOptions = {},
  ) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
  }

  /** Starts listening; resolves with the bound port (rejects with EADDRINUSE and the like). */
  listen(): Promise<number> {
    const host = this.opts.host ?? '127.0.0.1';
    this.allowedHosts.add(host);
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 4318, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** The URL exporters should use. */
  get url(): string {
    const a = this.server.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  /** Stops accepting and closes open connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.stats.requests++;
    let enc: Encoding = 'json';
    try {
      this.guard(req);
      if (req.method === 'GET' && req.url === INFO_PATH) return this.sendInfo(res);
      if (req.method !== 'POST') throw new HttpError(405, `method ${req.method} not allowed; OTLP/HTTP takes POST`, { Allow: 'POST' });
      const signal = PATHS[(req.url ?? '').split('?')[0]];
      if (!signal) throw new HttpError(404, `no OTLP endpoint at ${req.url}; use /v1/traces, /v1/logs or /v1/metrics`);
      enc = contentEncoding(req.headers['content-type']);
      const raw = await readBody(req, this.opts.maxBodyBytes ?? 32 * 1024 ** 2);
      const body = await decompress(raw, req.headers['content-encoding'], this.opts.maxDecompressedBytes ?? 128 * 1024 ** 2);
      if (this.sink.full) throw new HttpError(503, 'the trace store is catching up; retry shortly', { 'Retry-After': '1' });
      const [rejected, message] = this.ingest(signal, body, enc);
      sendExportResponse(res, signal, enc, rejected, message);
    } catch (e) {
      const err = e instanceof HttpError ? e : e instanceof DecodeError ? new HttpError(400, e.message) : storageError(e) ?? new HttpError(500, `internal error: ${(e as Error).message}`);
      this.stats.refused++;
      this.opts.onRejected?.(err.status, err.message);
      if (!res.headersSent) sendError(res, err, enc);
    }
  }

  private sendInfo(res: http.ServerResponse): void {
    const body = JSON.stringify({ service: 'tracefork', pid: process.pid, ...this.opts.info?.() });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(body);
  }

  /** Refuses foreign Host headers (DNS rebinding) and any browser request (Origin / Sec-Fetch-Site). */
  private guard(req: http.IncomingMessage): void {
    const host = req.headers.host;
    if (host !== undefined) {
      const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
      if (!this.allowedHosts.has(name.toLowerCase())) throw new HttpError(403, `Host "${host}" is not this receiver; only loopback names are accepted`);
    }
    if (req.headers.origin !== undefined) throw new HttpError(403, `browser requests are refused (Origin: ${req.headers.origin})`);
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'none') throw new HttpError(403, `browser requests are refused (Sec-Fetch-Site: ${site})`);
  }

  private ingest(signal: Signal, body: Buffer, enc: Encoding): [number, string | null] {
    if (signal === 'metrics') return [0, null]; // accepted so exporters do not error; not stored yet
    if (signal === 'traces') {
      const r = this.sink.ingestTraces(body, enc);
      this.stats.spans += r.accepted;
      this.stats.rejectedSpans += r.rejected;
      return [r.rejected, r.firstRejection && `${r.rejected} span(s) rejected: ${r.firstRejection}`];
    }
    const r = this.sink.ingestLogs(body, enc);
    this.stats.logs += r.accepted;
    return [r.rejected, r.firstRejection && `${r.rejected} log record(s) rejected: ${r.firstRejection}`];
  }
}

const STORAGE_CODES: Record<string, string> = { ENOSPC: 'the disk is full', EDQUOT: 'the disk quota is exhausted', EROFS: 'the disk is read-only', EIO: 'the disk reported an I/O error' };

/** A write the store could not make: retryable 503, so the exporter keeps its spans and tries again. */
function storageError(e: unknown): HttpError | null {
  const code = (e as NodeJS.ErrnoException)?.code;
  const what = code ? STORAGE_CODES[code] : undefined;
  return what ? new HttpError(503, `the trace store cannot write: ${what} (${code}); nothing was stored from this request — free space and the exporter's retry will deliver it`, { 'Retry-After': '5' }) : null;
}

function contentEncoding(type: string | undefined): Encoding {
  const t = (type ?? '').split(';')[0].trim().toLowerCase();
  if (t === 'application/json') return 'json';
  if (t === 'application/x-protobuf' || t === 'application/protobuf') return 'protobuf';
  throw new HttpError(415, `unsupported Content-Type "${type ?? ''}"; supported: application/json, application/x-protobuf`);
}
