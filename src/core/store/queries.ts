/** Read queries over the index and journal: the trace list and one trace's data. */
import type { Journal } from './journal';
import { RecordType } from './journal';
import { recordBody } from './payload';
import { decodeLogs, decodeTraces, type BodyEncoding, type SpanGroup } from '../otlp/decode';
import type { SqlIndex } from './sqlIndex';
import type { LogRecord, Resource, Scope, Span } from '../otlp/types';

/** One row of `tracefork list --json` (a public contract: extend, never rename). */
export interface TraceSummary {
  traceId: string;
  name: string;
  startTime: string;
  durationMs: number;
  spanCount: number;
  status: 'ok' | 'error' | 'unset';
  errorCount: number;
  /** Session or conversation id, when the trace's spans name one. */
  sessionId: string | null;
  /** The first model the trace's spans name. */
  model: string | null;
  /** When the run is a fork-and-replay: the trace id of the run it was forked from. */
  replayOf: string | null;
}

/** A span with the resource and scope it came from. */
export interface StoredSpan {
  span: Span;
  resource: Resource;
  scope: Scope;
  /** Journal offset of the record holding the span (to read it again alone). */
  recOff?: number;
}

/** Everything stored for one trace. */
export interface StoredTrace {
  traceId: string;
  spans: StoredSpan[];
  logs: Array<LogRecord & { resource: Resource; scope: Scope }>;
}

interface TraceRow {
  trace_id: string;
  root_name: string | null;
  first_name: string;
  root_status: number | null;
  start_us: number;
  end_us: number;
  span_count: number;
  error_count: number;
  session_id: string | null;
  model: string | null;
  replay_of: string | null;
}

/** All traces (or the `limit` most recent), newest first. */
export function listTraces(index: SqlIndex, limit?: number): TraceSummary[] {
  const rows =
    limit === undefined
      ? index.all<TraceRow>('SELECT * FROM traces ORDER BY start_us DESC, seq DESC')
      : index.all<TraceRow>('SELECT * FROM traces ORDER BY start_us DESC, seq DESC LIMIT ?', [limit]);
  return rows.map((r) => ({
    traceId: r.trace_id,
    name: r.root_name ?? r.first_name,
    startTime: new Date(r.start_us / 1000).toISOString(),
    durationMs: (r.end_us - r.start_us) / 1000,
    spanCount: r.span_count,
    status: r.error_count > 0 ? 'error' : r.root_status === 1 ? 'ok' : 'unset',
    errorCount: r.error_count,
    sessionId: r.session_id,
    model: r.model,
    replayOf: r.replay_of,
  }));
}

/** How many traces there are and how many of them have a failing span. */
export function countTraces(index: SqlIndex): { total: number; failing: number } {
  const r = index.get<{ total: number; failing: number | null }>('SELECT COUNT(*) AS total, SUM(error_count > 0) AS failing FROM traces');
  return { total: r?.total ?? 0, failing: r?.failing ?? 0 };
}

/**
 * Recently decoded span records, by trace. A request body usually holds spans of several traces:
 * reading those traces one after the other (the views and evaluators do, as a burst arrives)
 * would decode the same body once per trace. Keyed by journal generation and offset, so a
 * compacted journal never serves stale entries.
 */
export class RecordCache {
  private entries = new Map<string, Map<string, SpanGroup[]>>();
  constructor(private readonly max = 8) {}

  /** The record's span groups for one trace, decoding the whole record once (`generation` of the journal read). */
  groups(generation: string, off: number, enc: BodyEncoding, body: Buffer, traceId: string): SpanGroup[] {
    const key = `${generation}:${off}`;
    let byTrace = this.entries.get(key);
    if (!byTrace) {
      byTrace = new Map();
      for (const g of decodeTraces(body, enc).groups) {
        for (const span of g.spans) {
          let list = byTrace.get(span.traceId);
          if (!list) byTrace.set(span.traceId, (list = []));
          let group = list.find((x) => x.resource === g.resource && x.scope === g.scope);
          if (!group) list.push((group = { resource: g.resource, scope: g.scope, spans: [] }));
          group.spans.push(span);
        }
      }
      this.entries.set(key, byTrace);
      if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
    }
    return byTrace.get(traceId) ?? [];
  }

  /** The record's span groups for one trace when it is decoded here already (no need to read it again), else undefined. */
  cached(generation: string, off: number, traceId: string): SpanGroup[] | undefined {
    return this.entries.get(`${generation}:${off}`)?.get(traceId) ?? (this.entries.has(`${generation}:${off}`) ? [] : undefined);
  }

  /** Lets go of the decoded records. */
  clear(): void {
    this.entries.clear();
  }
}

/** Where a trace's data lies in the journal: its records, in journal order. */
export interface TraceRecords {
  traceId: string;
  spanCount: number;
  /** Start of the trace's earliest span (µs since the epoch). */
  startUs: number;
  /** Journal offsets of its span and log records, ascending. */
  offsets: number[];
}

/** Reads a trace's records from the journal; the first copy of a resent span wins, as in the index. */
export function readTrace(index: SqlIndex, journal: Journal, traceId: string, cache = new RecordCache(0)): StoredTrace | null {
  if (!index.get('SELECT 1 AS x FROM traces WHERE trace_id = ?', [traceId])) return null;
  const recs = index.all<{ rec_off: number }>('SELECT rec_off FROM trace_records WHERE trace_id = ? ORDER BY rec_off', [traceId]);
  const out = assembleTrace(
    traceId,
    recs.map((r) => r.rec_off),
    journal,
    cache,
  );
  healCounts(index, out);
  return out;
}

/**
 * Decodes a trace from its records (offsets in journal order) in `journal`, which may be a
 * read-only copy opened elsewhere (the evaluation worker does): no index needed.
 */
export function assembleTrace(traceId: string, offsets: readonly number[], journal: Pick<Journal, 'read' | 'generation'>, cache: RecordCache): StoredTrace {
  const out: StoredTrace = { traceId, spans: [], logs: [] };
  const seen = new Set<string>();
  for (const rec_off of offsets) {
    const rec = journal.read(rec_off);
    const { enc, body } = recordBody(rec);
    if (rec.type === RecordType.Spans) {
      for (const g of cache.groups(journal.generation, rec_off, enc, body, traceId)) {
        for (const span of g.spans) {
          if (seen.has(span.spanId)) continue;
          seen.add(span.spanId);
          out.spans.push({ span, resource: g.resource, scope: g.scope, recOff: rec_off });
        }
      }
    } else if (rec.type === RecordType.Logs) {
      for (const g of decodeLogs(body, enc, traceId).groups) for (const l of g.logs) out.logs.push({ ...l, resource: g.resource, scope: g.scope });
    }
  }
  return out;
}

/** Where the given traces lie in the journal, oldest trace first; traces not in the index are left out. */
export function traceRecords(index: SqlIndex, traceIds: readonly string[]): TraceRecords[] {
  const out: TraceRecords[] = [];
  for (const traceId of traceIds) {
    const t = index.get<{ span_count: number; start_us: number }>('SELECT span_count, start_us FROM traces WHERE trace_id = ?', [traceId]);
    if (!t) continue;
    const recs = index.all<{ rec_off: number }>('SELECT rec_off FROM trace_records WHERE trace_id = ? ORDER BY rec_off', [traceId]);
    out.push({ traceId, spanCount: t.span_count, startUs: t.start_us, offsets: recs.map((r) => r.rec_off) });
  }
  return out.sort((a, b) => a.startUs - b.startUs);
}

/** Ids of the `limit` most recent traces, newest first (the order of `listTraces`). */
export function recentTraceIds(index: SqlIndex, limit: number): string[] {
  return index.all<{ trace_id: string }>('SELECT trace_id FROM traces ORDER BY start_us DESC, seq DESC LIMIT ?', [limit]).map((r) => r.trace_id);
}

/** One span of a trace read alone (its record and the trace's log records), or null. */
export function readSpan(index: SqlIndex, journal: Journal, traceId: string, spanId: string, recOff: number): StoredTrace | null {
  return spanFromRecords(journal, traceId, spanId, recOff, () => logRecordOffsets(index, traceId));
}

/** Journal offsets of a trace's log records, ascending. */
export function logRecordOffsets(index: SqlIndex, traceId: string): number[] {
  return index
    .all<{ rec_off: number }>(
      'SELECT t.rec_off FROM trace_records t JOIN records r ON r.off = t.rec_off WHERE t.trace_id = ? AND r.type = ? ORDER BY t.rec_off',
      [traceId, RecordType.Logs],
    )
    .map((r) => r.rec_off);
}

/**
 * One span read from its record in `journal` (which may be a read-only copy opened elsewhere),
 * with its log records from the trace's log records (`logOffsets`, asked only when the span is found).
 */
export function spanFromRecords(
  journal: Pick<Journal, 'read'>,
  traceId: string,
  spanId: string,
  recOff: number,
  logOffsets: () => readonly number[],
  /** The trace's span groups in the record at an offset (a caller may keep them for the next step's detail). */
  groupsAt: (off: number) => SpanGroup[] = (off) => {
    const { enc, body } = recordBody(journal.read(off));
    return decodeTraces(body, enc, traceId).groups;
  },
): StoredTrace | null {
  const out: StoredTrace = { traceId, spans: [], logs: [] };
  for (const g of groupsAt(recOff)) {
    const span = g.spans.find((s) => s.spanId === spanId);
    if (span) {
      out.spans.push({ span, resource: g.resource, scope: g.scope, recOff });
      break;
    }
  }
  if (!out.spans.length) return null;
  for (const off of logOffsets()) {
    const l = recordBody(journal.read(off));
    for (const g of decodeLogs(l.body, l.enc, traceId).groups) {
      for (const log of g.logs) if (log.spanId === spanId) out.logs.push({ ...log, resource: g.resource, scope: g.scope });
    }
  }
  return out;
}

/** A span resent after the ingest-time window was counted twice: the read, deduplicated, sets it right. */
function healCounts(index: SqlIndex, trace: StoredTrace): void {
  const errors = trace.spans.filter((s) => s.span.status?.code === 2).length;
  index.run('UPDATE traces SET span_count = ?, error_count = ? WHERE trace_id = ? AND (span_count != ? OR error_count != ?)', [
    trace.spans.length,
    errors,
    trace.traceId,
    trace.spans.length,
    errors,
  ]);
}
