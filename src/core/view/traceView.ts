/**
 * A stored trace as the views need it: a header and one small row per step in tree pre-order
 * (what the webview's tree and waterfall page through), plus where each step's span lives so
 * its full detail is read again only when asked for.
 *
 * `RunModel` builds it incrementally: each span is turned into its row once, as it arrives (a
 * full step is built and dropped at once, so a 100k-span trace never holds 100k steps), and the
 * tree order and header are laid out again only when asked for after a change. A live run thus
 * grows without re-reading or re-building what was already shown. The view worker keeps one per
 * open (or big, recently grown) run; `buildTraceView` is the one-shot form.
 */
import { duplicateModelCalls } from '../model/duplicates';
import { toStep } from '../model/normalize';
import { preorder } from '../model/tree';
import { maskSecrets } from './maskSecrets';
import type { PriceTable } from '../model/cost';
import type { LogRecord, Resource, Scope, Span } from '../otlp/types';
import type { StoredTrace } from '../store/queries';
import type { RowData, TraceHeader } from './rows';

export type { RowData, TraceHeader } from './rows';

/** Rows, header, and each row's span location. */
export interface TraceView {
  header: TraceHeader;
  rows: RowData[];
  recOffs: number[];
}

/** What a row keeps of its step, before the tree places it. */
const NONE: string[] = [];

type Seed = Omit<RowData, 'index' | 'parent' | 'depth' | 'descendants' | 'offsetMs'> & {
  parentSpanId: string | null;
  /** Start and end in nanoseconds after the model's first span's start (exact integers in a double for 104 days). */
  start: number;
  end: number;
  recOff: number;
};

/** The tree laid out: seed index, parent row and subtree size per row, in pre-order. */
interface Layout {
  order: Int32Array;
  depth: Int32Array;
  parent: Int32Array;
  descendants: Int32Array;
  /** Row of each seed index (-1: placed after the layout). */
  rowOfSeed: Int32Array;
  start: number;
  header: TraceHeader;
}

/** One trace's rows, built span by span. */
export class RunModel {
  private readonly seeds: Seed[] = [];
  private readonly seedOf = new Map<string, number>();
  private readonly logsBySpan = new Map<string, LogRecord[]>();
  private readonly strings = new Map<string, string>();
  private base: bigint | null = null;
  /** The layout rows are read from: laid out again by `publish` after a change, not on every read. */
  private layout: Layout | null = null;
  private dirty = false;

  constructor(
    readonly traceId: string,
    private readonly prices?: PriceTable,
  ) {}

  /** Number of steps so far. */
  get size(): number {
    return this.seeds.length;
  }

  /** Adds a span (a resend of one already added is ignored, as the store's read does). */
  addSpan(span: Span, resource: Resource | undefined, scope: Scope | undefined, recOff = -1): void {
    if (this.seedOf.has(span.spanId)) return;
    this.seedOf.set(span.spanId, this.seeds.length);
    this.seeds.push(this.seed(span, resource, scope, recOff));
    this.dirty = true;
  }

  /**
   * Adds log records. Returns the span ids already added that they belong to: their rows were
   * made without them, so the caller gives those spans again to `reseed`.
   */
  addLogs(logs: readonly LogRecord[]): string[] {
    const stale = new Set<string>();
    for (const l of logs) {
      if (!l.spanId) continue;
      const list = this.logsBySpan.get(l.spanId);
      if (list) list.push(l);
      else this.logsBySpan.set(l.spanId, [l]);
      if (this.seedOf.has(l.spanId)) stale.add(l.spanId);
    }
    return [...stale];
  }

  /** Makes an added span's row again (after log records of it arrived). */
  reseed(span: Span, resource: Resource | undefined, scope: Scope | undefined): void {
    const i = this.seedOf.get(span.spanId);
    if (i === undefined) return this.addSpan(span, resource, scope);
    this.seeds[i] = this.seed(span, resource, scope, this.seeds[i]!.recOff);
    this.dirty = true;
  }

  /** Where an added span's record is in the journal (-1 when not known), or undefined. */
  recOff(spanId: string): number | undefined {
    const i = this.seedOf.get(spanId);
    return i === undefined ? undefined : this.seeds[i]!.recOff;
  }

  /** True when spans were added since the last `publish`. */
  get changed(): boolean {
    return this.dirty || !this.layout;
  }

  /** Lays the tree out again if spans were added; returns the header. Rows read this layout until the next publish. */
  publish(): TraceHeader {
    if (this.changed) this.layout = this.lay();
    return this.layout!.header;
  }

  /** A row's depth by span id, in the published layout, or undefined. */
  depthOf(spanId: string): number | undefined {
    const l = this.laidOut();
    const i = this.seedOf.get(spanId);
    const r = i === undefined || i >= l.rowOfSeed.length ? -1 : l.rowOfSeed[i]!;
    return r < 0 ? undefined : l.depth[r];
  }

  /** Rows [start, start + count) in pre-order, of the published layout. */
  rows(start: number, count: number): RowData[] {
    const l = this.laidOut();
    const out: RowData[] = [];
    const end = Math.min(l.order.length, start + count);
    for (let r = Math.max(0, start); r < end; r++) out.push(this.row(l, r));
    return out;
  }

  /** Every row with each one's record offset (the one-shot form). */
  view(): TraceView {
    this.publish();
    const l = this.laidOut();
    const rows = this.rows(0, l.order.length);
    return { header: l.header, rows, recOffs: Array.from(l.order, (i) => this.seeds[i]!.recOff) };
  }

  private seed(span: Span, resource: Resource | undefined, scope: Scope | undefined, recOff: number): Seed {
    const step = toStep({ span: rowOnly(span), resource, scope, logs: this.logsBySpan.get(span.spanId) ?? [] }, this.prices);
    const startNs = BigInt(span.startTimeUnixNano || '0');
    this.base ??= startNs;
    const start = Number(startNs - this.base);
    const failed = step.scores.filter((s) => s.passed === false).map((s) => s.name);
    return {
      spanId: span.spanId,
      parentSpanId: span.parentSpanId ?? null,
      start,
      end: Number(BigInt(span.endTimeUnixNano || '0') - this.base),
      name: this.intern(maskSecrets(step.name)),
      kind: step.kind,
      status: step.status,
      durationMs: step.durationMs,
      model: step.model === null ? null : this.intern(step.model),
      inputTokens: step.inputTokens,
      outputTokens: step.outputTokens,
      costUsd: step.costUsd,
      // Credentials in trace content never reach the screen (the store keeps them as received).
      error: step.error === null ? null : maskSecrets(step.error),
      hasCode: step.code !== null,
      failedScores: failed.length ? failed : NONE,
      recOff,
    };
  }

  /** One copy of each repeated name (a run of 100,000 calls to the same model has a handful). */
  private intern(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    if (this.strings.size < 100_000) this.strings.set(s, s);
    return s;
  }

  private row(l: Layout, r: number): RowData {
    const s = this.seeds[l.order[r]!]!;
    return {
      index: r,
      spanId: s.spanId,
      parent: l.parent[r]!,
      depth: l.depth[r]!,
      descendants: l.descendants[r]!,
      name: s.name,
      kind: s.kind,
      status: s.status,
      offsetMs: (s.start - l.start) / 1e6,
      durationMs: s.durationMs,
      model: s.model,
      inputTokens: s.inputTokens,
      outputTokens: s.outputTokens,
      costUsd: s.costUsd,
      error: s.error,
      hasCode: s.hasCode,
      failedScores: s.failedScores,
    };
  }

  private laidOut(): Layout {
    return this.layout ?? (this.layout = this.lay());
  }

  private lay(): Layout {
    this.dirty = false;
    const seeds = this.seeds;
    const pairs = preorder(seeds.map((s) => ({ spanId: s.spanId, parentSpanId: s.parentSpanId, startNanos: s.start })));
    const n = pairs.length;
    const order = new Int32Array(n),
      depth = new Int32Array(n),
      parent = new Int32Array(n),
      descendants = new Int32Array(n);
    const rowOfSeed = new Int32Array(n).fill(-1);
    let start = n ? Infinity : 0,
      end = -Infinity;
    for (let r = 0; r < n; r++) {
      const [i, d] = pairs[r]!;
      const s = seeds[i]!;
      order[r] = i;
      depth[r] = d;
      rowOfSeed[i] = r;
      const p = s.parentSpanId ? this.seedOf.get(s.parentSpanId) : undefined;
      parent[r] = p === undefined ? -1 : rowOfSeed[p]!;
      if (s.start < start) start = s.start;
      if (s.end > end) end = s.end;
    }
    for (let r = n - 1; r >= 0; r--) {
      const p = parent[r]!;
      if (p >= 0 && depth[p] === depth[r]! - 1) descendants[p] += 1 + descendants[r]!;
    }
    const ordered = Array.from(order, (i) => seeds[i]!);
    const startNs = (this.base ?? 0n) + BigInt(Number.isFinite(start) ? start : 0);
    const l: Layout = { order, depth, parent, descendants, rowOfSeed, start: Number.isFinite(start) ? start : 0, header: null as unknown as TraceHeader };
    l.header = header(this.traceId, ordered, parent, l.start, end, startNs);
    return l;
  }
}

/** Longest attribute text a row is made from: longer ones are message lists, prompts and payloads, which no row field reads. */
const ROW_TEXT_MAX = 512;

/**
 * The span as its row needs it: long text attribute values emptied (the key kept, so every
 * convention is still recognised), which spares parsing every step's messages only to drop them.
 */
export function rowOnly(span: Span): Span {
  const attrs = span.attributes;
  if (!attrs?.some((a) => (a.value?.stringValue?.length ?? 0) > ROW_TEXT_MAX)) return span;
  return { ...span, attributes: attrs.map((a) => ((a.value?.stringValue?.length ?? 0) > ROW_TEXT_MAX ? { key: a.key, value: { stringValue: '' } } : a)) };
}

/** Builds the view of a trace at once. */
export function buildTraceView(trace: StoredTrace, prices?: PriceTable): TraceView {
  const model = new RunModel(trace.traceId, prices);
  model.addLogs(trace.logs);
  for (const { span, resource, scope, recOff } of trace.spans) model.addSpan(span, resource, scope, recOff ?? -1);
  return model.view();
}

function header(traceId: string, rows: readonly Seed[], parent: Int32Array, start: number, end: number, startNs: bigint): TraceHeader {
  let inputTokens = 0,
    outputTokens = 0,
    cost: number | null = null,
    errorCount = 0;
  const repeated = duplicateModelCalls(rows, (i) => parent[i]!);
  for (const [i, r] of rows.entries()) {
    if (r.status === 'error') errorCount++;
    if (repeated.has(i)) continue; // its nested call counts it
    inputTokens += r.inputTokens ?? 0;
    outputTokens += r.outputTokens ?? 0;
    if (r.costUsd !== null) cost = (cost ?? 0) + r.costUsd;
  }
  let root = -1;
  for (let i = 0; i < rows.length && root < 0; i++) if (parent[i] === -1) root = i;
  return {
    traceId,
    name: root >= 0 ? rows[root]!.name : '(empty trace)',
    startTime: new Date(Number(startNs / 1_000_000n)).toISOString(),
    durationMs: end > start ? (end - start) / 1e6 : 0,
    rowCount: rows.length,
    folded: [...repeated].map((i) => rows[i]!.spanId),
    errorCount,
    inputTokens,
    outputTokens,
    costUsd: cost,
  };
}
