/**
 * The embedded OTLP/gRPC receiver (`TraceService`, `LogsService`, `MetricsService` Export) on
 * @grpc/grpc-js, pure JavaScript, so it runs in the VS Code extension host. The same sequence as
 * the HTTP receiver, in gRPC's terms as the Collector answers: guard (loopback peer, no browser
 * origin) → backpressure (UNAVAILABLE with RetryInfo) → decode and store (INVALID_ARGUMENT on a
 * malformed message) → respond (partial success). grpc-js itself does the framing, gzip/deflate,
 * the size cap (RESOURCE_EXHAUSTED, also for what a message decompresses to) and refuses other
 * content types (HTTP 415). Bodies stay raw protobuf bytes end to end: the journal keeps them as received.
 */
import * as grpc from '@grpc/grpc-js';
import { DecodeError } from '../otlp/decode';
import { otlpTypes } from '../otlp/schema';
import { exportResponseBody } from './respond';
import { ingestSignal, IngestTurns, isLoopbackHost, listenHosts, newStats, storageFailure, type IngestSink, type ReceiverStats, type Signal } from './ingest';
import { listenBothLoopbacks } from './listen';

/** gRPC receiver settings. */
export interface GrpcReceiverOptions {
  host?: string;
  port?: number;
  /** Largest message accepted, compressed or decompressed (default 64 MiB): RESOURCE_EXHAUSTED beyond. */
  maxMessageBytes?: number;
  /** Concurrent streams per connection (default 100): a flood of streams waits instead of piling up. */
  maxConcurrentStreams?: number;
  /** Counters to add to (shared with the HTTP receiver). */
  stats?: ReceiverStats;
  onRejected?: (code: string, reason: string) => void;
  onWarning?: (message: string) => void;
  /** What `tracefork.v1.Info/Get` tells another Tracefork window that finds the port taken. */
  info?: () => Record<string, unknown>;
  /** Turns of bulk messages (shared with the HTTP receiver, so small requests of both go first). */
  turns?: IngestTurns;
}

/** The gRPC method another Tracefork asks to recognise a Tracefork receiver on a port. */
export const GRPC_INFO_PATH = '/tracefork.v1.Info/Get';

const SERVICES: Array<[Signal, string]> = [
  ['traces', '/opentelemetry.proto.collector.trace.v1.TraceService/Export'],
  ['logs', '/opentelemetry.proto.collector.logs.v1.LogsService/Export'],
  ['metrics', '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export'],
];

const raw = (b: Buffer) => b;
const method = (path: string): grpc.MethodDefinition<Buffer, Buffer> => ({
  path,
  requestStream: false,
  responseStream: false,
  requestSerialize: raw,
  requestDeserialize: raw,
  responseSerialize: raw,
  responseDeserialize: raw,
});

/** An error answer: a gRPC status code and a reason. */
class GrpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
    readonly metadata?: grpc.Metadata,
  ) {
    super(message);
  }
}

/** A running gRPC receiver. */
export class GrpcReceiver {
  readonly stats: ReceiverStats;
  private server: grpc.Server;
  private boundPort = 0;
  private readonly turns: IngestTurns;

  constructor(
    private sink: IngestSink,
    private opts: GrpcReceiverOptions = {},
  ) {
    this.stats = opts.stats ?? newStats();
    this.turns = opts.turns ?? new IngestTurns();
    const max = opts.maxMessageBytes ?? 64 * 1024 ** 2;
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': max,
      'grpc.max_concurrent_streams': opts.maxConcurrentStreams ?? 100,
      'grpc.keepalive_permit_without_calls': 1,
    });
    const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const impl: grpc.UntypedServiceImplementation = {};
    for (const [signal, path] of SERVICES) {
      definition[signal] = method(path);
      impl[signal] = (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => this.handle(signal, call, done);
    }
    definition.info = method(GRPC_INFO_PATH);
    impl.info = (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
      if (!isLoopbackPeer(call.getPeer())) return done({ code: grpc.status.PERMISSION_DENIED, details: 'only loopback clients are served' });
      done(null, Buffer.from(JSON.stringify({ service: 'tracefork', pid: process.pid, ...this.opts.info?.() })));
    };
    this.server.addService(definition as grpc.ServiceDefinition, impl);
  }

  /** Starts listening (both loopbacks on a loopback host); resolves with the bound port, rejects with EADDRINUSE when taken. */
  async listen(): Promise<number> {
    grpc.setLogVerbosity(grpc.logVerbosity.NONE); // our bundle's copy only; errors reach the caller instead
    const host = this.opts.host ?? '127.0.0.1';
    const hosts = listenHosts(host);
    this.boundPort = await listenBothLoopbacks(
      hosts,
      this.opts.port ?? 4317,
      (h, port) => this.bind(h, port),
      (m) => this.opts.onWarning?.(m),
    );
    return this.boundPort;
  }

  /** The address exporters should use (`grpc://` marks the protocol; exporters take `http://127.0.0.1:PORT`). */
  get url(): string {
    const host = this.opts.host ?? '127.0.0.1';
    return `grpc://${host.includes(':') ? `[${host}]` : host}:${this.boundPort}`;
  }

  /** The bound port (0 before listen). */
  get port(): number {
    return this.boundPort;
  }

  /** Stops accepting and ends open calls. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.server.forceShutdown(), resolve()), 2000);
      this.server.tryShutdown(() => (clearTimeout(timer), resolve()));
    });
  }

  private bind(host: string, port: number): Promise<number> {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    return new Promise((resolve, reject) => {
      this.server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) => {
        if (err) return reject(bindError(err, address));
        resolve(bound);
      });
    });
  }

  private handle(signal: Signal, call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>): void {
    this.stats.requests++;
    void this.turns.run(call.request.length, () => this.store(signal, call, done));
  }

  /** Guard, backpressure, decode and store, answer: the request's turn has come. */
  private store(signal: Signal, call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>): void {
    try {
      this.guard(call);
      if (this.sink.full) throw new GrpcError(grpc.status.UNAVAILABLE, 'the trace store is catching up; retry shortly', retryAfter(1));
      const [rejected, message] = ingestSignal(this.sink, this.stats, signal, call.request, 'protobuf');
      done(null, exportResponseBody(signal, 'protobuf', rejected, message));
    } catch (e) {
      const err =
        e instanceof GrpcError
          ? e
          : e instanceof DecodeError
            ? new GrpcError(grpc.status.INVALID_ARGUMENT, e.message)
            : (storageError(e) ?? new GrpcError(grpc.status.INTERNAL, `internal error: ${(e as Error).message}`));
      this.stats.refused++;
      this.opts.onRejected?.(grpc.status[err.code], err.message);
      done({ code: err.code, details: err.message, metadata: err.metadata });
    }
  }

  /** Loopback peers only, whatever the bind address; a browser marker (origin, grpc-web) is refused too. */
  private guard(call: grpc.ServerUnaryCall<Buffer, Buffer>): void {
    const peer = call.getPeer();
    if (!isLoopbackPeer(peer) && isLoopbackHost(this.opts.host ?? '127.0.0.1'))
      throw new GrpcError(grpc.status.PERMISSION_DENIED, `peer ${peer} is not on loopback`);
    const origin = call.metadata.get('origin')[0];
    if (origin !== undefined) throw new GrpcError(grpc.status.PERMISSION_DENIED, `browser requests are refused (origin: ${String(origin)})`);
  }
}

/** Whether a grpc-js peer string ("127.0.0.1:5000", "::1:5000", "[::1]:5000", "ipv4:…") is on loopback. */
export function isLoopbackPeer(peer: string): boolean {
  const p = peer.replace(/^ipv[46]:/, '').replace(/^\[([^\]]+)\]/, '$1'); // "[::1]:5000" and "::1:5000" alike
  return /^(::ffff:)?127\.\d+\.\d+\.\d+:\d+$/.test(p) || /^::1:\d+$/.test(p) || p.startsWith('unix:');
}

/** UNAVAILABLE's trailer: a google.rpc.Status whose RetryInfo says when to retry (what OTel exporters honour). */
function retryAfter(seconds: number): grpc.Metadata {
  const { rpcStatus, retryInfo } = otlpTypes();
  const info = retryInfo.encode(retryInfo.fromObject({ retryDelay: { seconds } })).finish();
  const status = rpcStatus
    .encode(
      rpcStatus.fromObject({
        code: grpc.status.UNAVAILABLE,
        message: 'retry',
        details: [{ typeUrl: 'type.googleapis.com/google.rpc.RetryInfo', value: info }],
      }),
    )
    .finish();
  const md = new grpc.Metadata();
  md.set('grpc-status-details-bin', Buffer.from(status));
  return md;
}

function storageError(e: unknown): GrpcError | null {
  const why = storageFailure(e);
  return why ? new GrpcError(grpc.status.UNAVAILABLE, why, retryAfter(5)) : null;
}

/** grpc-js reports a taken port as "No address added out of total 1 resolved" with the errno inside; make it EADDRINUSE. */
function bindError(err: Error, address: string): NodeJS.ErrnoException {
  const m = /\b(EADDRINUSE|EADDRNOTAVAIL|EAFNOSUPPORT|EACCES|EINVAL)\b/.exec(err.message);
  const e: NodeJS.ErrnoException = new Error(`cannot listen on ${address}: ${err.message}`);
  e.code = m?.[1] ?? 'EGRPCBIND';
  return e;
}
