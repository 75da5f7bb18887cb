/**
 * The extension host's side of the receiver worker: starts the thread, sends it requests, relays
 * its events, and reads its store (RemoteStore). Index queries are synchronous calls answered by
 * the worker; trace bodies are read from the journal file on this side, so a big trace is decoded
 * here once rather than decoded there and copied across.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DecodeError, type BodyEncoding } from '../../otlp/decode';
import { StoreBusyError } from '../../store/lock';
import { Journal, RecordType } from '../../store/journal';
import { assembleTrace, RecordCache, spanFromRecords, type StoredTrace, type TraceRecords, type TraceSummary } from '../../store/queries';
import type { IngestResult } from '../../store/store';
import { workerEntry } from '../../workerEntry';
import { reviveError, SyncCaller, type ErrorTable } from './syncChannel';
import type { WorkerCall, WorkerMessage, WorkerRequest } from './protocol';

/** The read (and import) API the extension uses, of a TraceStore in this thread or in the worker. */
export interface StoreApi {
  readonly dbPath: string;
  list(limit?: number): TraceSummary[];
  counts(): { total: number; failing: number };
  get(traceId: string): StoredTrace | null;
  recent(limit: number): string[];
  locate(traceIds: readonly string[]): { journal: { path: string; generation: string }; traces: TraceRecords[] };
  getSpan(traceId: string, spanId: string, recOff: number): StoredTrace | null;
  delete(traceIds: string[]): void;
  clear(): void;
  flush(): void;
  poll(): void;
  onDidChange(fn: (traceIds: string[]) => void): () => void;
  ingestTraces(body: Buffer, enc: BodyEncoding): IngestResult;
  ingestLogs(body: Buffer, enc: BodyEncoding): IngestResult;
  /**
   * Asynchronous variants, present when the store lives in another thread: the views and the live
   * loop use them, so this thread is not blocked while the worker finishes a long task (a snapshot).
   */
  listAsync?(limit?: number): Promise<TraceSummary[]>;
  countsAsync?(): Promise<{ total: number; failing: number }>;
  recentAsync?(limit: number): Promise<string[]>;
  locateAsync?(traceIds: readonly string[]): Promise<{ journal: { path: string; generation: string }; traces: TraceRecords[] }>;
}

const ERRORS: ErrorTable = {
  DecodeError: (e) => new DecodeError(e.message),
  StoreBusyError: (e) => new StoreBusyError(e.pid ?? 0, e.dbPath ?? ''),
};

/** The running worker thread. */
export class ReceiverWorker {
  readonly sync = new SyncCaller(ERRORS);
  private readonly worker: Worker;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(m: WorkerMessage) => void>();
  private exited: string | null = null;

  constructor(onExit: (why: string) => void) {
    const entry = workerEntry(__dirname, 'receiverWorker.js', 'receiverWorker.ts');
    if (!entry) throw new Error(`the receiver worker is missing (no ${path.join(__dirname, 'receiverWorker.js')})`);
    this.worker = new Worker(entry.file, { execArgv: entry.execArgv, workerData: { sync: this.sync.remote }, transferList: [this.sync.remote.port] });
    this.worker.on('message', (m: WorkerMessage) => {
      if (m.type !== 'reply') return this.listeners.forEach((fn) => fn(m));
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) p?.reject(reviveError(m.error, ERRORS));
      else p?.resolve(m.value);
    });
    const gone = (why: string) => {
      if (this.exited) return;
      this.exited = why;
      for (const p of this.pending.values()) p.reject(new Error(`the receiver worker ${why}`));
      this.pending.clear();
      onExit(why);
    };
    this.worker.on('error', (e) => gone(`crashed: ${e.stack ?? e.message}`));
    this.worker.on('exit', (code) => gone(`exited (code ${code})`));
  }

  /** Why the worker is gone, or null while it runs. */
  get gone(): string | null {
    return this.exited;
  }

  /** Sends a request; resolves with its value (rejects with its error, of its class). */
  request<T>(req: WorkerRequest): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`the receiver worker ${this.exited}`));
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...req, id } as WorkerCall);
    });
  }

  /** Calls fn with every event the worker posts. */
  onMessage(fn: (m: WorkerMessage) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Ends the thread (after a `stop` request, nothing is lost). */
  async terminate(): Promise<void> {
    this.sync.close();
    await this.worker.terminate();
  }
}

/** The worker's store, as read from this thread. */
export class RemoteStore implements StoreApi {
  private readonly listeners = new Set<(traceIds: string[]) => void>();
  private journal: Journal | null = null;
  private readonly cache = new RecordCache(8);
  /** The log records of the traces read last (by `get`), so that `getSpan` needs no call to the worker. */
  private readonly logsOf = new Map<string, { generation: string; offsets: number[] }>();

  constructor(
    readonly dbPath: string,
    private readonly worker: ReceiverWorker,
  ) {}

  private call<T>(op: string, ...args: unknown[]): T {
    return this.worker.sync.call<T>(op, args);
  }

  list(limit?: number): TraceSummary[] {
    return this.call('list', limit);
  }

  private query<T>(method: string, ...args: unknown[]): Promise<T> {
    return this.worker.request<T>({ op: 'query', method, args });
  }

  listAsync(limit?: number): Promise<TraceSummary[]> {
    return this.query('list', limit);
  }

  countsAsync(): Promise<{ total: number; failing: number }> {
    return this.query('counts');
  }

  recentAsync(limit: number): Promise<string[]> {
    return this.query('recent', limit);
  }

  locateAsync(traceIds: readonly string[]): Promise<{ journal: { path: string; generation: string }; traces: TraceRecords[] }> {
    return this.query('locate', [...traceIds]);
  }

  counts(): { total: number; failing: number } {
    return this.call('counts');
  }

  recent(limit: number): string[] {
    return this.call('recent', limit);
  }

  locate(traceIds: readonly string[]): { journal: { path: string; generation: string }; traces: TraceRecords[] } {
    return this.call('locate', [...traceIds]);
  }

  /** The trace as indexed so far, read from the journal file on this thread. */
  get(traceId: string): StoredTrace | null {
    return this.read([traceId], (j, t) => {
      const logs: number[] = [];
      const reader = {
        generation: j.generation,
        read: (off: number) => {
          const rec = j.read(off);
          if (rec.type === RecordType.Logs) logs.push(off);
          return rec;
        },
      };
      const out = assembleTrace(t.traceId, t.offsets, reader, this.cache);
      this.logsOf.delete(t.traceId);
      this.logsOf.set(t.traceId, { generation: j.generation, offsets: logs });
      if (this.logsOf.size > 16) this.logsOf.delete(this.logsOf.keys().next().value as string);
      return out;
    });
  }

  /**
   * One span, read again from its record. For a trace read by `get` this needs nothing from the
   * worker (a step's detail stays quick while the worker is busy ingesting): the journal handle of
   * that read still holds the file the offsets refer to, even after a compaction replaced it.
   */
  getSpan(traceId: string, spanId: string, recOff: number): StoredTrace | null {
    const known = this.logsOf.get(traceId.toLowerCase());
    if (known && this.journal?.generation === known.generation)
      return spanFromRecords(this.journal, traceId.toLowerCase(), spanId, recOff, () => known.offsets);
    return this.read([traceId], (j, t) => spanFromRecords(j, t.traceId, spanId, recOff, () => this.call<number[]>('logOffsets', t.traceId)));
  }

  delete(traceIds: string[]): void {
    this.call('delete', traceIds);
  }

  clear(): void {
    this.call('clear');
  }

  flush(): void {
    this.call('flush');
  }

  /** Nothing to pick up: the worker tells changes as it indexes them. */
  poll(): void {}

  stats(): { traces: number; liveBytes: number; journalBytes: number; backlog: number; logsWithoutTrace: number } {
    return this.call('stats');
  }

  ingestTraces(body: Buffer, enc: BodyEncoding): IngestResult {
    return this.call('ingestTraces', body, enc);
  }

  ingestLogs(body: Buffer, enc: BodyEncoding): IngestResult {
    return this.call('ingestLogs', body, enc);
  }

  onDidChange(fn: (traceIds: string[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Tells the listeners (the worker's `changed` events come through here). */
  changed(ids: string[]): void {
    for (const fn of this.listeners) fn(ids);
  }

  /** Releases the journal handle. */
  close(): void {
    this.journal?.close();
    this.journal = null;
    this.listeners.clear();
  }

  /** Locates the trace and reads it from the journal generation the offsets refer to (again after a compaction). */
  private read<T>(traceIds: string[], fn: (j: Journal, t: TraceRecords) => T): T | null {
    for (let attempt = 0; attempt < 3; attempt++) {
      const loc = this.locate(traceIds);
      const t = loc.traces[0];
      if (!t) return null;
      const j = this.open(loc.journal);
      if (j) return fn(j, t);
    }
    throw new Error('the journal was compacted three times while being read');
  }

  private open(want: { path: string; generation: string }): Journal | null {
    if (this.journal?.path === want.path && this.journal.generation === want.generation) return this.journal;
    this.journal?.close();
    this.journal = null;
    const j = Journal.open(want.path, true);
    if (j.generation !== want.generation) {
      j.close();
      return null;
    }
    return (this.journal = j);
  }
}
