/**
 * Applies journal records to the SQLite index. Pure bookkeeping over SqlIndex: the same code
 * runs for fresh ingest and for replaying the journal on open, so both always agree.
 * A record (one request body) may hold spans of many traces: `trace_records` says which
 * traces use it and `records.refs` counts them; a record no trace uses is dead and goes at
 * the next compaction.
 */
import { RecordType } from './journal';
import type { SqlIndex } from './sqlIndex';
import type { LogEntry, SpanEntry } from '../otlp/scan';

/** A record waiting to be indexed, with what the ingest scan extracted from it. */
export type PendingRecord =
  | { off: number; len: number; type: RecordType.Spans; entries: SpanEntry[] }
  | { off: number; len: number; type: RecordType.Logs; entries: LogEntry[] }
  | { off: number; len: number; type: RecordType.Tombstone; traces: string[] }
  | { off: number; len: number; type: RecordType.Clear };

/** Counters the store keeps for retention. */
export interface IndexTotals {
  traces: number;
  liveBytes: number;
}

/**
 * Span ids already counted, for the most recently active traces: exporters resend a batch
 * when an answer is late, and a resent span must not be counted twice. Bounded; a resend
 * older than the window is caught when the trace is read (see queries.ts, which corrects
 * the counts), so the figures heal and the steps shown are always deduplicated.
 */
export class SeenSpans {
  private traces = new Map<string, Set<string>>();
  constructor(private readonly maxTraces = 2000) {}

  /** True the first time a span id is offered for a trace. */
  add(traceId: string, spanId: string): boolean {
    let set = this.traces.get(traceId);
    if (set) {
      this.traces.delete(traceId); // re-insert: most recent last
    } else {
      set = new Set();
      if (this.traces.size >= this.maxTraces) this.traces.delete(this.traces.keys().next().value as string);
    }
    this.traces.set(traceId, set);
    if (set.has(spanId)) return false;
    set.add(spanId);
    return true;
  }

  /** Forgets traces (deleted or evicted). */
  forget(traceIds: string[]): void {
    for (const t of traceIds) this.traces.delete(t);
  }
}

/** What applying records needs. */
export interface IndexContext {
  index: SqlIndex;
  totals: IndexTotals;
  seen: SeenSpans;
}
const UPSERT_TRACE = `INSERT INTO traces(trace_id, root_name, first_name, root_status, start_us, end_us, span_count, error_count, bytes, seq, session_id, model, replay_of)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(trace_id) DO UPDATE SET
    replay_of = COALESCE(replay_of, excluded.replay_of),
    session_id = COALESCE(session_id, excluded.session_id),
    model = COALESCE(model, excluded.model),
    root_name = COALESCE(excluded.root_name, root_name),
    root_status = COALESCE(excluded.root_status, root_status),
    first_name = CASE WHEN excluded.start_us < start_us THEN excluded.first_name ELSE first_name END,
    start_us = MIN(start_us, excluded.start_us), end_us = MAX(end_us, excluded.end_us),
    span_count = span_count + excluded.span_count, error_count = error_count + excluded.error_count,
    bytes = bytes + excluded.bytes`;

/** Indexes one record; returns the ids of the traces it changed. */
export function applyRecord(ctx: IndexContext, rec: PendingRecord, seq: number): string[] {
  switch (rec.type) {
    case RecordType.Spans:
      return indexSpans(ctx, rec, seq);
    case RecordType.Logs:
      return indexLogs(ctx.index, rec, ctx.totals);
    case RecordType.Tombstone:
      deleteTraces(ctx, rec.traces);
      return rec.traces;
    case RecordType.Clear:
      for (const t of ['records', 'trace_records', 'traces']) ctx.index.run(`DELETE FROM ${t}`, []);
      ctx.totals.traces = 0;
      ctx.totals.liveBytes = 0;
      ctx.seen = new SeenSpans();
      return [];
  }
}

function byTrace<T extends { traceId: string }>(entries: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const e of entries) {
    const list = m.get(e.traceId);
    if (list) list.push(e);
    else m.set(e.traceId, [e]);
  }
  return m;
}

/** Records the record row and its users; a record with no user is dead from the start. */
function addRecord(index: SqlIndex, rec: { off: number; len: number; type: RecordType }, users: string[], totals: IndexTotals): void {
  if (!users.length) return;
  index.run('INSERT OR IGNORE INTO records(off, len, type, refs) VALUES (?, ?, ?, ?)', [rec.off, rec.len, rec.type, users.length]);
  for (const t of users) index.run('INSERT OR IGNORE INTO trace_records(trace_id, rec_off) VALUES (?, ?)', [t, rec.off]);
  totals.liveBytes += rec.len;
}

function indexSpans({ index, totals, seen }: IndexContext, rec: PendingRecord & { type: RecordType.Spans }, seq: number): string[] {
  const users: string[] = [];
  for (const [traceId, spans] of byTrace(rec.entries)) {
    let added = 0,
      errors = 0,
      start = Infinity,
      end = 0;
    let rootName: string | null = null,
      rootStatus: number | null = null,
      firstName = '';
    let session: string | null = null,
      model: string | null = null,
      replayOf: string | null = null;
    for (const s of spans) {
      if (!seen.add(traceId, s.spanId)) continue;
      added++;
      if (s.status === 2) errors++;
      if (!s.parentSpanId) [rootName, rootStatus] = [s.name, s.status];
      if (s.startUs < start) [start, firstName] = [s.startUs, s.name];
      end = Math.max(end, s.endUs);
      session ??= s.sessionId;
      model ??= s.model;
      replayOf ??= s.replayOf;
    }
    if (!added) continue; // every span was a resend
    users.push(traceId);
    const isNew = index.get('SELECT 1 AS x FROM traces WHERE trace_id = ?', [traceId]) === undefined;
    const bytes = Math.round((rec.len * spans.length) / rec.entries.length);
    index.run(UPSERT_TRACE, [traceId, rootName, firstName, rootStatus, start, end, added, errors, bytes, seq, session, model, replayOf]);
    if (isNew) totals.traces++;
  }
  addRecord(index, rec, users, totals);
  return users;
}

function indexLogs(index: SqlIndex, rec: PendingRecord & { type: RecordType.Logs }, totals: IndexTotals): string[] {
  const users = [...byTrace(rec.entries).keys()].filter((t) => t !== '');
  addRecord(index, rec, users, totals);
  return users;
}

/** Removes traces from the index; records no other trace uses become dead. */
export function deleteTraces({ index, totals, seen }: IndexContext, traceIds: string[]): void {
  seen.forget(traceIds);
  for (const t of traceIds) {
    for (const { rec_off } of index.all<{ rec_off: number }>('SELECT rec_off FROM trace_records WHERE trace_id = ?', [t])) {
      index.run('UPDATE records SET refs = refs - 1 WHERE off = ?', [rec_off]);
      const r = index.get<{ refs: number; len: number }>('SELECT refs, len FROM records WHERE off = ?', [rec_off]);
      if (r && r.refs <= 0) {
        index.run('DELETE FROM records WHERE off = ?', [rec_off]);
        totals.liveBytes -= r.len;
      }
    }
    if (index.run('DELETE FROM traces WHERE trace_id = ?', [t])) totals.traces--;
    index.run('DELETE FROM trace_records WHERE trace_id = ?', [t]);
  }
}
