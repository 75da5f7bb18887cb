/**
 * Applies journal records to the SQLite index. Pure bookkeeping over SqlIndex: the same code
 * runs for fresh ingest and for replaying the journal on open, so both always agree.
 */
import { RecordType } from './journal';
import type { SqlIndex } from './sqlIndex';
import type { LogRecord, Resource, Scope, Span } from '../otlp/types';

/** Payload of a Spans record: the spans of one trace from one resource and scope. */
export interface SpansPayload {
  t: string;
  r: Resource;
  s: Scope;
  spans: Span[];
}

/** Payload of a Logs record: the log records of one trace (t is '' when uncorrelated). */
export interface LogsPayload {
  t: string;
  r: Resource;
  s: Scope;
  logs: LogRecord[];
}

/** Payload of a Tombstone record. */
export interface TombstonePayload {
  traces: string[];
}

/** A record waiting to be indexed. */
export interface PendingRecord {
  off: number;
  len: number;
  type: RecordType;
  payload: SpansPayload | LogsPayload | TombstonePayload | Record<string, never>;
}

const toUs = (nanos: string) => Number(BigInt(nanos) / 1000n);

const INSERT_SPAN = `INSERT OR IGNORE INTO spans(trace_id, span_id, parent_span_id, name, start_us, end_us, status, rec_off) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const UPSERT_TRACE = `INSERT INTO traces(trace_id, root_name, first_name, root_status, start_us, end_us, span_count, error_count, bytes, seq)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(trace_id) DO UPDATE SET
    root_name = COALESCE(excluded.root_name, root_name),
    root_status = COALESCE(excluded.root_status, root_status),
    first_name = CASE WHEN excluded.start_us < start_us THEN excluded.first_name ELSE first_name END,
    start_us = MIN(start_us, excluded.start_us), end_us = MAX(end_us, excluded.end_us),
    span_count = span_count + excluded.span_count, error_count = error_count + excluded.error_count,
    bytes = bytes + excluded.bytes`;

/** Counters the store keeps for retention. */
export interface IndexTotals {
  traces: number;
  liveBytes: number;
}

/** Indexes one record; updates the totals. */
export function applyRecord(index: SqlIndex, rec: PendingRecord, totals: IndexTotals, seq: number): void {
  switch (rec.type) {
    case RecordType.Spans:
      return indexSpans(index, rec, rec.payload as SpansPayload, totals, seq);
    case RecordType.Logs: {
      const p = rec.payload as LogsPayload;
      index.run('INSERT OR IGNORE INTO records(off, len, type, trace_id) VALUES (?, ?, ?, ?)', [rec.off, rec.len, rec.type, p.t]);
      totals.liveBytes += rec.len;
      return;
    }
    case RecordType.Tombstone:
      return deleteTraces(index, (rec.payload as TombstonePayload).traces, totals);
    case RecordType.Clear:
      for (const t of ['records', 'spans', 'traces']) index.run(`DELETE FROM ${t}`, []);
      totals.traces = 0;
      totals.liveBytes = 0;
      return;
    default: {
      const never: never = rec.type;
      throw new Error(`unknown journal record type ${String(never)}`);
    }
  }
}

function indexSpans(index: SqlIndex, rec: PendingRecord, p: SpansPayload, totals: IndexTotals, seq: number): void {
  index.run('INSERT OR IGNORE INTO records(off, len, type, trace_id) VALUES (?, ?, ?, ?)', [rec.off, rec.len, rec.type, p.t]);
  totals.liveBytes += rec.len;
  let added = 0;
  let errors = 0;
  let rootName: string | null = null;
  let rootStatus: number | null = null;
  let first: Span | null = null;
  let start = Infinity;
  let end = 0;
  for (const s of p.spans) {
    const st = toUs(s.startTimeUnixNano);
    const en = Math.max(st, toUs(s.endTimeUnixNano));
    const status = s.status?.code ?? 0;
    if (!index.run(INSERT_SPAN, [p.t, s.spanId, s.parentSpanId ?? null, s.name, st, en, status, rec.off])) continue;
    added++;
    if (status === 2) errors++;
    if (!s.parentSpanId) [rootName, rootStatus] = [s.name, status];
    if (st < start) [start, first] = [st, s];
    end = Math.max(end, en);
  }
  if (!added || !first) return;
  const before = totals.traces;
  const isNew = index.get<{ n: number }>('SELECT 1 AS n FROM traces WHERE trace_id = ?', [p.t]) === undefined;
  index.run(UPSERT_TRACE, [p.t, rootName, first.name, rootStatus, start, end, added, errors, rec.len, seq]);
  totals.traces = before + (isNew ? 1 : 0);
}

/** Removes traces and their records from the index. */
export function deleteTraces(index: SqlIndex, traceIds: string[], totals: IndexTotals): void {
  for (const t of traceIds) {
    const bytes = index.get<{ b: number | null }>('SELECT SUM(len) AS b FROM records WHERE trace_id = ?', [t])?.b ?? 0;
    if (index.run('DELETE FROM traces WHERE trace_id = ?', [t])) totals.traces--;
    index.run('DELETE FROM spans WHERE trace_id = ?', [t]);
    index.run('DELETE FROM records WHERE trace_id = ?', [t]);
    totals.liveBytes -= bytes;
  }
}
