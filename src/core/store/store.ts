/**
 * TraceStore: the durable store. The journal (journal.ts) holds every acknowledged batch;
 * the SQLite index (sql.js) holds one small row per span and is snapshotted to the database
 * file now and then, with the journal offset it covers. Opening loads the snapshot and replays
 * the journal past that offset, so a crash loses nothing that reached the journal. Ingest
 * appends to the journal synchronously and indexes behind a bounded queue in time slices.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Journal, RecordType, type JournalRecord } from './journal';
import { applyRecord, deleteTraces, type IndexContext, type PendingRecord } from './indexer';
import { encodingPrefix, pendingFromRecord } from './payload';
import { SqlIndex } from './sqlIndex';
import { acquireLock } from './lock';
import { openIndex } from './recover';
import {
  logRecordOffsets,
  readSpan,
  readTrace,
  listTraces,
  countTraces,
  recentTraceIds,
  traceRecords,
  RecordCache,
  type StoredTrace,
  type TraceRecords,
  type TraceSummary,
} from './queries';
import { compactJournal } from './compact';
import { scanLogs, scanTraces, type BodyEncoding } from '../otlp/decode';
import { otlpPartsFromJournal, stepsFromJournal, type StepStream } from './traceStream';
import type { OtlpParts } from '../otlp/exportJson';
import type { PriceTable } from '../model/cost';

export type { StoredTrace, TraceRecords, TraceSummary } from './queries';

/** Retention limits; the oldest traces go first. */
export interface Retention {
  maxTraces: number;
  maxBytes: number;
}

/** Options for TraceStore.open. */
export interface StoreOptions {
  /** Read without writing anything (the CLI's list/show beside a running server). */
  readOnly?: boolean;
  retention?: Partial<Retention>;
  /** Receives reports of recovered damage: nothing is dropped silently. */
  onWarning?: (message: string) => void;
  /** How often the index snapshot is written while there are changes. */
  snapshotIntervalMs?: number;
  /** Indexing backlog (spans) above which the receiver is told to push back. */
  maxBacklogSpans?: number;
  /** Dead journal bytes that trigger compaction at the next snapshot (default 64 MiB, and over half the file). */
  compactMinDeadBytes?: number;
  /**
   * Whether a read indexes the whole queue first (default true: a read sees every acknowledged
   * span). The receiver worker turns it off so that a read from the extension host answers from
   * what is indexed so far and never waits behind a backlog; change events tell when more is.
   */
  indexOnRead?: boolean;
}

/** What an ingest call took and rejected (OTLP partial success). */
export interface IngestResult {
  accepted: number;
  rejected: number;
  firstRejection: string | null;
}

export const DEFAULT_RETENTION: Retention = { maxTraces: 5000, maxBytes: 2 * 1024 ** 3 };

/** The store of one database file. */
export class TraceStore {
  private queue: PendingRecord[] = [];
  /** Small span and log records indexed before the queue (see enqueue). */
  private urgent: PendingRecord[] = [];
  /** The traces each record in `queue` touches (null for a delete), computed once at enqueue. */
  private queueTraces: Array<string[] | null> = [];
  /** How many records in `queue` touch each trace, and how many there delete (a tombstone or clear). */
  private queuedTraces = new Map<string, number>();
  private queuedDeletes = 0;
  private queuedSpans = 0;
  private drainTimer: NodeJS.Immediate | undefined;
  private timers: NodeJS.Timeout[] = [];
  private dirtySync = false;
  private dirtySnapshot = false;
  private seq = 0;
  private readonly records = new RecordCache();
  private inTransaction = false;
  private logsWithoutTrace = 0;
  private closed = false;
  private listeners = new Set<(traceIds: string[]) => void>();
  retention: Retention;

  private constructor(
    readonly dbPath: string,
    private ctx: IndexContext,
    private journal: Journal,
    private readonly opts: StoreOptions,
    private releaseLock: () => void,
  ) {
    this.retention = { ...DEFAULT_RETENTION, ...opts.retention };
  }

  /** Opens (creating if needed) the store at dbPath; the journal lives at dbPath + '.journal'. */
  static async open(dbPath: string, opts: StoreOptions = {}): Promise<TraceStore> {
    const readOnly = !!opts.readOnly;
    if (!readOnly) fs.mkdirSync(path.dirname(path.resolve(dbPath)), { recursive: true });
    const release = readOnly ? () => undefined : acquireLock(`${dbPath}.lock`, dbPath);
    try {
      const { ctx, journal } = await openIndex(dbPath, readOnly, opts.onWarning ?? (() => undefined));
      const store = new TraceStore(dbPath, ctx, journal, opts, release);
      if (!readOnly) store.startTimers();
      return store;
    } catch (e) {
      release();
      throw e;
    }
  }

  private get index(): SqlIndex {
    return this.ctx.index;
  }

  private get totals() {
    return this.ctx.totals;
  }

  /** Spans waiting to be indexed; the receiver pushes back when this passes maxBacklog. */
  get backlog(): number {
    return this.queuedSpans;
  }

  /** True when the receiver should answer 503 Retry-After instead of accepting more. */
  get full(): boolean {
    return this.queuedSpans >= (this.opts.maxBacklogSpans ?? 200_000);
  }

  /** Calls fn with the ids of traces that changed (after they are indexed). */
  onDidChange(fn: (traceIds: string[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Validates an ExportTraceServiceRequest body (throws DecodeError when it is not one),
   * journals it (durable when this returns) and queues its spans for indexing.
   */
  ingestTraces(body: Buffer, enc: BodyEncoding): IngestResult {
    const scan = scanTraces(body, enc);
    const entries = scan.groups.flat();
    if (entries.length) {
      const off = this.append(RecordType.Spans, encodingPrefix(enc), body);
      this.enqueue({ off, len: this.journal.size - off, type: RecordType.Spans, entries }, entries.length);
    }
    return { accepted: scan.accepted, rejected: scan.rejected, firstRejection: scan.firstRejection };
  }

  /** The same for an ExportLogsServiceRequest; records without a trace id are counted, not kept. */
  ingestLogs(body: Buffer, enc: BodyEncoding): IngestResult {
    const scan = scanLogs(body, enc);
    const entries = scan.groups.flat();
    if (entries.some((e) => e.traceId)) {
      const off = this.append(RecordType.Logs, encodingPrefix(enc), body);
      this.enqueue({ off, len: this.journal.size - off, type: RecordType.Logs, entries }, entries.length);
    }
    this.logsWithoutTrace += entries.filter((e) => !e.traceId).length;
    return { accepted: scan.accepted, rejected: scan.rejected, firstRejection: scan.firstRejection };
  }

  /** Changes the retention limits (applied at the next ingest). */
  setRetention(r: Partial<Retention>): void {
    this.retention = { ...this.retention, ...r };
  }

  /** A reader picks up what the writer appended since (change listeners fire); a writer indexes its queue. */
  poll(): void {
    this.refresh();
  }

  /** Traces, newest first. */
  list(limit?: number): TraceSummary[] {
    this.refresh();
    return listTraces(this.index, limit);
  }

  /** Number of traces, and of traces with a failing span (cheap: no rows are built). */
  counts(): { total: number; failing: number } {
    this.refresh();
    return countTraces(this.index);
  }

  /** One trace's spans (deduplicated, with resource and scope) and logs, or null. */
  get(traceId: string): StoredTrace | null {
    this.refresh();
    return readTrace(this.index, this.journal, traceId.toLowerCase(), this.records);
  }

  /** Ids of the `limit` most recent traces, newest first. */
  recent(limit: number): string[] {
    this.refresh();
    return recentTraceIds(this.index, limit);
  }

  /**
   * Where traces lie in the journal, for a reader of the journal file elsewhere (the evaluation
   * worker): its path and generation, and each trace's record offsets (absent traces left out).
   */
  locate(traceIds: readonly string[]): { journal: { path: string; generation: string }; traces: TraceRecords[] } {
    this.refresh();
    return {
      journal: { path: this.journal.path, generation: this.journal.generation },
      traces: traceRecords(
        this.index,
        traceIds.map((t) => t.toLowerCase()),
      ),
    };
  }

  /** A trace as OTLP/JSON parts read record by record (a big run's export), or null. */
  otlpParts(traceId: string): OtlpParts | null {
    const t = this.locate([traceId]).traces[0];
    return t ? otlpPartsFromJournal(this.journal, t.traceId, t.offsets) : null;
  }

  /** A trace's steps built one at a time (a big run's `show`), or null. */
  stepStream(traceId: string, prices?: PriceTable): StepStream | null {
    const t = this.locate([traceId]).traces[0];
    return t ? stepsFromJournal(this.journal, t.traceId, t.offsets, prices) : null;
  }

  /** Journal offsets of a trace's log records, ascending (to read one span's logs elsewhere). */
  logOffsets(traceId: string): number[] {
    this.refresh();
    return logRecordOffsets(this.index, traceId.toLowerCase());
  }

  /** One span with its log records, read again from its journal record (recOff from `get`). */
  getSpan(traceId: string, spanId: string, recOff: number): StoredTrace | null {
    this.refresh();
    return readSpan(this.index, this.journal, traceId.toLowerCase(), spanId, recOff);
  }

  /** Deletes traces (journaled as a tombstone). */
  delete(traceIds: string[]): void {
    const off = this.append(RecordType.Tombstone, Buffer.from(JSON.stringify({ traces: traceIds })));
    this.enqueue({ off, len: this.journal.size - off, type: RecordType.Tombstone, traces: traceIds }, 0);
    this.drainAll();
  }

  /** Deletes everything. */
  clear(): void {
    const off = this.append(RecordType.Clear, Buffer.from('{}'));
    this.enqueue({ off, len: this.journal.size - off, type: RecordType.Clear }, 0);
    this.drainAll();
  }

  /** Indexes everything queued, syncs the journal and writes the snapshot. */
  flush(): void {
    this.drainAll();
    if (this.opts.readOnly) return;
    this.journal.sync();
    this.dirtySync = false;
    this.writeSnapshot();
  }

  /** Flushes and releases the files. */
  close(): void {
    if (this.closed) return;
    if (!this.opts.readOnly) this.flush();
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    if (this.drainTimer) clearImmediate(this.drainTimer);
    this.commit();
    this.index.close();
    this.journal.close();
    this.releaseLock();
  }

  /** Totals for status displays and benchmarks. */
  stats(): { traces: number; liveBytes: number; journalBytes: number; backlog: number; logsWithoutTrace: number } {
    this.drainAll();
    return { ...this.totals, journalBytes: this.journal.size, backlog: this.queuedSpans, logsWithoutTrace: this.logsWithoutTrace };
  }

  /** A reader picks up what a writer appended since; a writer indexes its queue. */
  private refresh(): void {
    if (this.opts.readOnly) {
      this.journal.scan(this.journal.size, (rec) => this.applyRead(rec));
    }
    if (this.opts.indexOnRead !== false) this.drainAll();
  }

  private applyRead(rec: JournalRecord): void {
    const changed = applyRecord(this.ctx, pendingFromRecord(rec), ++this.seq);
    this.journal.size = rec.off + rec.len;
    if (changed.length || rec.type === RecordType.Clear) for (const fn of this.listeners) fn(rec.type === RecordType.Clear ? [] : changed);
  }

  private append(type: RecordType, ...parts: Buffer[]): number {
    if (this.opts.readOnly) throw new Error('the store is open read-only');
    const off = this.journal.append(type, ...parts);
    this.dirtySync = this.dirtySnapshot = true;
    return off;
  }

  /**
   * Queues a record for indexing. A small record (a live agent's few spans) of traces that nothing
   * queued touches is indexed ahead of the queue: under bulk load the queue can hold a second's
   * worth of batches, and a new run waited behind them to appear in the views. Records of the same
   * trace, and everything after a queued delete, keep their order.
   */
  private enqueue(rec: PendingRecord, items: number): void {
    this.queuedSpans += items;
    const traces = recordTraces(rec);
    if (traces && items <= URGENT_MAX_ITEMS && !this.queuedDeletes && !traces.some((t) => this.queuedTraces.has(t))) this.urgent.push(rec);
    else {
      this.queue.push(rec);
      this.queueTraces.push(traces);
      if (traces) for (const t of traces) this.queuedTraces.set(t, (this.queuedTraces.get(t) ?? 0) + 1);
      else this.queuedDeletes++;
    }
    this.drainTimer ??= setImmediate(() => this.drainSlice());
  }

  /** The next record to index (urgent ones first), taken off its queue. */
  private takeNext(): PendingRecord | undefined {
    if (this.urgent.length) return this.urgent.shift();
    const rec = this.queue.shift();
    if (!rec) return undefined;
    const traces = this.queueTraces.shift()!;
    if (!traces) this.queuedDeletes--;
    else
      for (const t of traces) {
        const n = this.queuedTraces.get(t)! - 1;
        if (n) this.queuedTraces.set(t, n);
        else this.queuedTraces.delete(t);
      }
    return rec;
  }

  private get pending(): number {
    return this.urgent.length + this.queue.length;
  }

  /** Indexes queued records for up to ~8 ms, then yields to the event loop. */
  private drainSlice(): void {
    this.drainTimer = undefined;
    const deadline = Date.now() + 8;
    this.drain(() => Date.now() < deadline);
    if (this.pending) this.drainTimer = setImmediate(() => this.drainSlice());
  }

  private drainAll(): void {
    this.drain(() => true);
  }

  /**
   * Indexes queued records inside one long SQLite transaction, committed only before a snapshot
   * or close: the index is rebuilt from the journal after a crash, and a commit per slice
   * (rewriting every touched B-tree page) cost more than the inserts.
   */
  private drain(more: () => boolean): void {
    if (!this.pending || this.closed) return;
    const changed = new Set<string>();
    if (!this.inTransaction) {
      this.index.db.run('BEGIN');
      this.inTransaction = true;
    }
    let cleared = false;
    while (this.pending && more()) {
      const rec = this.takeNext()!;
      cleared ||= rec.type === RecordType.Clear;
      for (const t of applyRecord(this.ctx, rec, ++this.seq)) changed.add(t);
      if ('entries' in rec) this.queuedSpans -= rec.entries.length;
    }
    this.enforceRetention();
    // After a Clear every trace changed: [] tells the listeners to re-read everything.
    if (changed.size || cleared) for (const fn of this.listeners) fn(cleared ? [] : [...changed]);
  }

  private commit(): void {
    if (!this.inTransaction) return;
    this.index.db.run('COMMIT');
    this.inTransaction = false;
  }

  /** Evicts the oldest traces beyond the limits (inside the drain transaction). */
  private enforceRetention(): void {
    const { maxTraces, maxBytes } = this.retention;
    if (this.totals.traces <= maxTraces && this.totals.liveBytes <= maxBytes) return;
    const victims: string[] = [];
    const rows = this.index.all<{ trace_id: string; bytes: number }>('SELECT trace_id, bytes FROM traces ORDER BY start_us ASC LIMIT 1000');
    let traces = this.totals.traces;
    let bytes = this.totals.liveBytes;
    for (const r of rows) {
      if (traces <= maxTraces && bytes <= maxBytes) break;
      victims.push(r.trace_id);
      traces--;
      bytes -= r.bytes;
    }
    if (!victims.length) return;
    this.append(RecordType.Tombstone, Buffer.from(JSON.stringify({ traces: victims })));
    deleteTraces(this.ctx, victims);
  }

  private startTimers(): void {
    const sync = setInterval(() => {
      if (!this.dirtySync) return;
      const started = this.journal.syncInBackground((e) => {
        this.dirtySync = true; // tried again at the next tick
        this.opts.onWarning?.(`The journal could not be flushed to the disk (${e.code ?? e.message}); it is tried again in a second.`);
      });
      if (started) this.dirtySync = false;
    }, 1000);
    const snap = setInterval(() => {
      if (this.dirtySnapshot) this.writeSnapshot();
    }, this.opts.snapshotIntervalMs ?? 10_000);
    for (const t of [sync, snap]) t.unref();
    this.timers.push(sync, snap);
  }

  /** Writes the index snapshot atomically; compacts the journal first when mostly dead. */
  private writeSnapshot(): void {
    this.drainAll();
    this.commit();
    const dead = this.journal.size - this.totals.liveBytes;
    if (dead > (this.opts.compactMinDeadBytes ?? 64 * 1024 ** 2) && dead > this.journal.size / 2) {
      this.journal = compactJournal(this.index, this.journal, (data) => this.saveSnapshot(data));
    } else {
      this.index.setMeta('generation', this.journal.generation);
      this.index.setMeta('journal_end', String(this.journal.size));
      this.saveSnapshot(this.index.export());
    }
    this.dirtySnapshot = false;
  }

  /**
   * Writes the snapshot beside the old one and renames it over only when it is whole: a full disk
   * leaves the previous snapshot (and the journal, which holds everything) as they were, and says so.
   */
  private saveSnapshot(data: Uint8Array): void {
    const tmp = `${this.dbPath}.tmp`;
    try {
      const fd = fs.openSync(tmp, 'w');
      try {
        for (let done = 0; done < data.length;) done += fs.writeSync(fd, data, done, data.length - done);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.dbPath);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      this.opts.onWarning?.(
        `The index snapshot could not be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the journal still holds every acknowledged span and the index is rebuilt from it at the next open.`,
      );
    }
  }
}

/** Records of at most this many spans or log records may be indexed ahead of the queue. */
const URGENT_MAX_ITEMS = 64;

/** The traces a span or log record touches; null for a tombstone or a clear. */
function recordTraces(rec: PendingRecord): string[] | null {
  if (rec.type !== RecordType.Spans && rec.type !== RecordType.Logs) return null;
  const out = new Set<string>();
  for (const e of rec.entries) out.add(e.traceId);
  return [...out];
}
