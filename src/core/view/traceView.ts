/**
 * A stored trace as the views need it: a header and one small row per step in tree pre-order
 * (what the webview's tree and waterfall page through), plus where each step's span lives so
 * its full detail is read again only when asked for. Steps are built one at a time and
 * dropped, so a 100k-span trace never holds 100k full steps in memory.
 */
import { duplicateModelCalls } from '../model/duplicates';
import { toStep } from '../model/normalize';
import { preorder } from '../model/tree';
import type { PriceTable } from '../model/cost';
import type { LogRecord } from '../otlp/types';
import type { StoredTrace } from '../store/queries';
import type { RowData, TraceHeader } from './rows';

export type { RowData, TraceHeader } from './rows';

/** Rows, header, and each row's span location. */
export interface TraceView {
  header: TraceHeader;
  rows: RowData[];
  recOffs: number[];
}

const nanos = (s: string) => BigInt(s || '0');

/** Builds the view of a trace. */
export function buildTraceView(trace: StoredTrace, prices?: PriceTable): TraceView {
  const spans = trace.spans;
  const order = preorder(
    spans.map(({ span }) => ({ spanId: span.spanId, parentSpanId: span.parentSpanId ?? null, startNanos: nanos(span.startTimeUnixNano) })),
  );
  let start = spans.length ? nanos(spans[0].span.startTimeUnixNano) : 0n;
  let end = 0n;
  for (const { span } of spans) {
    const s = nanos(span.startTimeUnixNano);
    if (s < start) start = s;
    const e = nanos(span.endTimeUnixNano);
    if (e > end) end = e;
  }
  const logsBySpan = new Map<string, LogRecord[]>();
  for (const l of trace.logs) if (l.spanId) logsBySpan.set(l.spanId, [...(logsBySpan.get(l.spanId) ?? []), l]);
  const rowOf = new Map<string, number>();
  const rows: RowData[] = [];
  const recOffs: number[] = [];
  for (const [i, depth] of order) {
    const { span, resource, scope, recOff } = spans[i];
    const step = toStep({ span, resource, scope, logs: logsBySpan.get(span.spanId) ?? [] }, prices);
    const index = rows.length;
    rowOf.set(span.spanId, index);
    rows.push({
      index,
      spanId: span.spanId,
      parent: span.parentSpanId ? (rowOf.get(span.parentSpanId) ?? -1) : -1,
      depth,
      descendants: 0,
      name: step.name,
      kind: step.kind,
      status: step.status,
      offsetMs: Number(nanos(span.startTimeUnixNano) - start) / 1e6,
      durationMs: step.durationMs,
      model: step.model,
      inputTokens: step.inputTokens,
      outputTokens: step.outputTokens,
      costUsd: step.costUsd,
      error: step.error,
      hasCode: step.code !== null,
      failedScores: step.scores.filter((s) => s.passed === false).map((s) => s.name),
    });
    recOffs.push(recOff ?? -1);
  }
  for (let i = rows.length - 1; i >= 0; i--) {
    const p = rows[i].parent;
    if (p >= 0 && rows[p].depth === rows[i].depth - 1) rows[p].descendants += 1 + rows[i].descendants;
  }
  return { header: header(trace.traceId, rows, start, end), rows, recOffs };
}

function header(traceId: string, rows: RowData[], start: bigint, end: bigint): TraceHeader {
  let inputTokens = 0,
    outputTokens = 0,
    cost: number | null = null,
    errorCount = 0;
  const repeated = duplicateModelCalls(rows, (i) => rows[i]!.parent);
  for (const [i, r] of rows.entries()) {
    if (r.status === 'error') errorCount++;
    if (repeated.has(i)) continue; // its nested call counts it
    inputTokens += r.inputTokens ?? 0;
    outputTokens += r.outputTokens ?? 0;
    if (r.costUsd !== null) cost = (cost ?? 0) + r.costUsd;
  }
  const root = rows.find((r) => r.parent === -1);
  return {
    traceId,
    name: root?.name ?? '(empty trace)',
    startTime: new Date(Number(start / 1_000_000n)).toISOString(),
    durationMs: end > start ? Number(end - start) / 1e6 : 0,
    rowCount: rows.length,
    folded: [...repeated].map((i) => rows[i]!.spanId),
    errorCount,
    inputTokens,
    outputTokens,
    costUsd: cost,
  };
}
