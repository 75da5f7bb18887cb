/** What both receivers (OTLP/HTTP and OTLP/gRPC) do with a decoded-enough request: hand it to the sink, count it. */
import type { BodyEncoding } from '../otlp/decode';

/** Which export service a request is for. */
export type Signal = 'traces' | 'logs' | 'metrics';

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
  /** Metrics are accepted and not stored; a sink may still take them (forwarding). */
  ingestMetrics?(body: Buffer, enc: BodyEncoding): void;
  /** True while the sink cannot take more; receivers answer "retry later" (503 / UNAVAILABLE). */
  readonly full: boolean;
}

/** Counters for status displays and tests. */
export interface ReceiverStats {
  requests: number;
  spans: number;
  logs: number;
  rejectedSpans: number;
  refused: number;
}

/** Fresh counters. */
export const newStats = (): ReceiverStats => ({ requests: 0, spans: 0, logs: 0, rejectedSpans: 0, refused: 0 });

/** Stores one export request's body; returns how many items were rejected and why (OTLP partial success). */
export function ingestSignal(sink: IngestSink, stats: ReceiverStats, signal: Signal, body: Buffer, enc: BodyEncoding): [number, string | null] {
  if (signal === 'metrics') {
    sink.ingestMetrics?.(body, enc); // accepted so exporters do not error; not stored yet
    return [0, null];
  }
  if (signal === 'traces') {
    const r = sink.ingestTraces(body, enc);
    stats.spans += r.accepted;
    stats.rejectedSpans += r.rejected;
    return [r.rejected, r.firstRejection && `${r.rejected} span(s) rejected: ${r.firstRejection}`];
  }
  const r = sink.ingestLogs(body, enc);
  stats.logs += r.accepted;
  return [r.rejected, r.firstRejection && `${r.rejected} log record(s) rejected: ${r.firstRejection}`];
}

const STORAGE_CODES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the disk is read-only',
  EIO: 'the disk reported an I/O error',
};

/** Why the store could not write (disk full…), phrased for the user, or null for any other error. */
export function storageFailure(e: unknown): string | null {
  const code = (e as NodeJS.ErrnoException)?.code;
  const what = code ? STORAGE_CODES[code] : undefined;
  return what
    ? `the trace store cannot write: ${what} (${code}); nothing was stored from this request — free space and the exporter's retry will deliver it`
    : null;
}

/** The loopback names and addresses a receiver answers to. */
export const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Whether a listen address is a loopback one (then only loopback peers are served). */
export const isLoopbackHost = (host: string): boolean => host === '127.0.0.1' || host === 'localhost' || host === '::1';

/** The addresses to listen on: the default loopback (127.0.0.1 or localhost) means both 127.0.0.1 and ::1; anything else just itself. */
export const listenHosts = (host: string): string[] => (host === '127.0.0.1' || host === 'localhost' ? ['127.0.0.1', '::1'] : [host]);

/** Bodies up to this size are stored as soon as they are read; bigger ones take turns (IngestTurns). */
export const SMALL_BODY_BYTES = 64 * 1024;

/** How long bulk bodies are stored back to back before the event loop takes in what came meanwhile. */
export const BULK_TURN_MS = 10;

/**
 * Small requests first. A live agent's export (a span or a few) and the host's queries must not
 * wait behind a row of bulk batches (512 spans, a megabyte each) from agents exporting at full
 * speed: when eight of them finished reading in one event-loop turn, storing them one after another
 * held everything else for the sum. A small body is stored at once; bulk bodies wait for their
 * turn, and are stored back to back for at most BULK_TURN_MS a turn, after whatever I/O came
 * meanwhile (small requests, and the host's calls). Nothing is dropped or reordered within a
 * connection (an exporter waits for its answer).
 */
export class IngestTurns {
  private readonly waiting: Array<() => void> = [];
  private timer: NodeJS.Immediate | undefined;

  constructor(
    private readonly smallBytes = SMALL_BODY_BYTES,
    private readonly turnMs = BULK_TURN_MS,
  ) {}

  /** Runs `store` now for a small body; for a bulk one at its turn. Resolves or rejects with what it returns or throws. */
  run<T>(bytes: number, store: () => T): Promise<T> {
    if (bytes <= this.smallBytes) return Promise.resolve().then(store);
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        try {
          resolve(store());
        } catch (e) {
          reject(e);
        }
      });
      this.timer ??= setImmediate(() => this.next());
    });
  }

  /** Bulk bodies waiting for their turn. */
  get queued(): number {
    return this.waiting.length;
  }

  private next(): void {
    this.timer = undefined;
    const end = performance.now() + this.turnMs;
    do this.waiting.shift()?.();
    while (this.waiting.length && performance.now() < end);
    if (this.waiting.length) this.timer = setImmediate(() => this.next());
  }
}
