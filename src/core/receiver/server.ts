/**
 * The embedded OTLP/HTTP receiver. One flat sequence per request, as the OpenTelemetry
 * Collector does: guard (Host, Origin) → method → path → content type → body → decompress →
 * backpressure → decode → store → respond. Loopback only by default; browsers are refused.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DecodeError } from '../otlp/decode';
import { decompress, readBody } from './body';
import { HttpError, sendError, sendExportResponse, type Encoding } from './respond';
import { ingestSignal, IngestTurns, listenHosts, LOOPBACK, newStats, storageFailure, type IngestSink, type ReceiverStats, type Signal } from './ingest';
import { listenBothLoopbacks } from './listen';
import { PROXY_PATH, type ProxyRoutes } from '../proxy/routes';

export type { IngestResult, IngestSink, ReceiverStats } from './ingest';

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
  /** Counters to add to (shared with the gRPC receiver, so totals cover both). */
  stats?: ReceiverStats;
  /** Told when the second loopback (::1 beside 127.0.0.1) cannot be listened on; the first still serves. */
  onWarning?: (message: string) => void;
  /** The record/replay proxies served under /proxy/ (model APIs, MCP); off when absent. */
  proxy?: ProxyRoutes;
  /** Turns of bulk bodies (shared with the gRPC receiver, so small requests of both go first). */
  turns?: IngestTurns;
}

/** The path another Tracefork process asks to recognise a Tracefork receiver on a port. */
export const INFO_PATH = '/tracefork/info';

const PATHS: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/logs': 'logs', '/v1/metrics': 'metrics' };

/** A running receiver. */
export class Receiver {
  readonly stats: ReceiverStats;
  private servers: http.Server[] = [];
  private allowedHosts = new Set(LOOPBACK);
  private readonly turns: IngestTurns;

  constructor(
    private sink: IngestSink,
    private opts: ReceiverOptions = {},
  ) {
    this.stats = opts.stats ?? newStats();
    this.turns = opts.turns ?? new IngestTurns();
  }

  /**
   * Starts listening; resolves with the bound port (rejects with EADDRINUSE and the like). On a
   * loopback host it listens on both 127.0.0.1 and ::1 with the same port, so clients that resolve
   * `localhost` to ::1 first reach it too.
   */
  async listen(): Promise<number> {
    const host = this.opts.host ?? '127.0.0.1';
    this.allowedHosts.add(host);
    const make = () => {
      const server = http.createServer((req, res) => void this.handle(req, res));
      server.keepAliveTimeout = 65_000;
      this.servers.push(server);
      return server;
    };
    const hosts = listenHosts(host);
    return listenBothLoopbacks(
      hosts,
      this.opts.port ?? 4318,
      (h, port) => listenOne(make(), h, port),
      (m) => this.opts.onWarning?.(m),
    );
  }

  /** The URL exporters should use. */
  get url(): string {
    const a = this.servers[0].address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  /** Stops accepting and closes open connections. */
  async close(): Promise<void> {
    const servers = this.servers.splice(0);
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            if (!server.listening) return resolve();
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.stats.requests++;
    let enc: Encoding = 'json';
    try {
      this.guard(req);
      if (req.method === 'GET' && req.url === INFO_PATH) return this.sendInfo(res);
      if (req.url?.startsWith(PROXY_PATH)) {
        if (!this.opts.proxy) throw new HttpError(404, 'the record/replay proxy is off on this receiver');
        return await this.opts.proxy.handle(req, res);
      }
      if (req.method !== 'POST') throw new HttpError(405, `method ${req.method} not allowed; OTLP/HTTP takes POST`, { Allow: 'POST' });
      const signal = PATHS[(req.url ?? '').split('?')[0]];
      if (!signal) throw new HttpError(404, `no OTLP endpoint at ${req.url}; use /v1/traces, /v1/logs or /v1/metrics`);
      enc = contentEncoding(req.headers['content-type']);
      const raw = await readBody(req, this.opts.maxBodyBytes ?? 32 * 1024 ** 2);
      const body = await decompress(raw, req.headers['content-encoding'], this.opts.maxDecompressedBytes ?? 128 * 1024 ** 2);
      const [rejected, message] = await this.turns.run(body.length, () => {
        if (this.sink.full) throw new HttpError(503, 'the trace store is catching up; retry shortly', { 'Retry-After': '1' });
        return this.ingest(signal, body, enc);
      });
      sendExportResponse(res, signal, enc, rejected, message);
    } catch (e) {
      const err =
        e instanceof HttpError
          ? e
          : e instanceof DecodeError
            ? new HttpError(400, e.message)
            : (storageError(e) ?? new HttpError(500, `internal error: ${(e as Error).message}`));
      this.stats.refused++;
      this.opts.onRejected?.(err.status, err.message);
      if (!res.headersSent) sendError(res, err, enc);
    }
  }

  private sendInfo(res: http.ServerResponse): void {
    const body = JSON.stringify({ service: 'tracefork', pid: process.pid, proxy: !!this.opts.proxy, ...this.opts.info?.() });
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
    return ingestSignal(this.sink, this.stats, signal, body, enc);
  }
}

/** A write the store could not make: retryable 503, so the exporter keeps its spans and tries again. */
function storageError(e: unknown): HttpError | null {
  const why = storageFailure(e);
  return why ? new HttpError(503, why, { 'Retry-After': '5' }) : null;
}

/** Listens one server on host:port; resolves with the bound port. */
function listenOne(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function contentEncoding(type: string | undefined): Encoding {
  const t = (type ?? '').split(';')[0].trim().toLowerCase();
  if (t === 'application/json') return 'json';
  if (t === 'application/x-protobuf' || t === 'application/protobuf') return 'protobuf';
  throw new HttpError(415, `unsupported Content-Type "${type ?? ''}"; supported: application/json, application/x-protobuf`);
}
