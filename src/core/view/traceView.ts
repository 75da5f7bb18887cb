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
import { duplicateModelCallsBy, type CallLike } from '../model/duplicates';
import { toStep } from '../model/normalize';
import { preorderIndexed } from '../model/tree';
import { maskSecrets } from './maskSecrets';
import type { PriceTable } from '../model/cost';
import type { StepKind } from '../model/step';
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

const KINDS: readonly StepKind[] = ['llm', 'tool', 'retrieval', 'embedding', 'agent', 'chain', 'guardrail', 'evaluator', 'other'];
/** How many step kinds a row's flags can name. */
export const KIND_COUNT = KINDS.length;
const STATUSES: readonly RowData['status'][] = ['unset', 'ok', 'error'];

/**
 * What the rows keep of their steps, a column per field (typed arrays, grown by doubling): about
 * 90 bytes a step with its id (measured on 1,000,000), where an object per row took 580. Null numbers are NaN;
 * errors and failed scores, which few steps have, are kept apart by step.
 */
class Columns {
  cap = 0;
  start = new Float64Array(0);
  end = new Float64Array(0);
  duration = new Float64Array(0);
  inputTokens = new Float64Array(0);
  outputTokens = new Float64Array(0);
  cost = new Float64Array(0);
  recOff = new Float64Array(0);
  name = new Int32Array(0);
  model = new Int32Array(0);
  /** Kind index ×4 + status index, and bit 7: has a source location. */
  flags = new Uint8Array(0);

  grow(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(1024, this.cap * 2, n);
    for (const k of ['start', 'end', 'duration', 'inputTokens', 'outputTokens', 'cost', 'recOff'] as const) {
      const a = new Float64Array(cap);
      a.set(this[k]);
      this[k] = a;
    }
    for (const k of ['name', 'model'] as const) {
      const a = new Int32Array(cap);
      a.set(this[k]);
      this[k] = a;
    }
    const f = new Uint8Array(cap);
    f.set(this.flags);
    this.flags = f;
    this.cap = cap;
  }
}

/** The columns in the order a saved model (`RunModelState`) lists them. */
export const FLOAT_COLUMNS = ['start', 'end', 'duration', 'inputTokens', 'outputTokens', 'cost', 'recOff'] as const;
export const INT_COLUMNS = ['name', 'model'] as const;
export const LAYOUT_COLUMNS = ['order', 'depth', 'parent', 'descendants', 'rowOfSeed'] as const;

/**
 * Everything a RunModel holds, as plain arrays of exactly `n` items (what `rowFile` saves beside the
 * store so that a big run opens after a reload without reading its journal records again).
 */
export interface RunModelState {
  traceId: string;
  n: number;
  floats: Record<(typeof FLOAT_COLUMNS)[number], Float64Array>;
  ints: Record<(typeof INT_COLUMNS)[number], Int32Array>;
  flags: Uint8Array;
  spanIds: string[];
  /** Seed index of each step's parent; -1: none; -(2 + k): `orphanParents[k]`, a parent not (yet) arrived. */
  parents: Int32Array;
  orphanParents: string[];
  strings: string[];
  errors: Array<[number, string]>;
  failed: Array<[number, string[]]>;
  logsBySpan: Array<[string, LogRecord[]]>;
  /** Start of the first span added, in ns since the epoch (decimal), or null. */
  base: string | null;
  /** The published layout when nothing was added since, else null. */
  layout: { cols: Record<(typeof LAYOUT_COLUMNS)[number], Int32Array>; start: number; header: TraceHeader } | null;
}

const orNaN = (v: number | null) => (v === null ? NaN : v);
const orNull = (v: number) => (Number.isNaN(v) ? null : v);

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
  private readonly cols = new Columns();
  private n = 0;
  private readonly spanIds: string[] = [];
  private readonly parentIds: Array<string | null> = [];
  private readonly seedOf = new Map<string, number>();
  private readonly errors = new Map<number, string>();
  private readonly failed = new Map<number, string[]>();
  private readonly logsBySpan = new Map<string, LogRecord[]>();
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private base: bigint | null = null;
  /** The layout rows are read from: laid out again by `publish` after a change, not on every read. */
  private layout: Layout | null = null;
  private dirty = false;
  /** Counts changes (spans added or made again): a saved copy of this version is current. */
  version = 0;

  constructor(
    readonly traceId: string,
    private readonly prices?: PriceTable,
  ) {}

  /** Number of steps so far. */
  get size(): number {
    return this.n;
  }

  /** Adds a span (a resend of one already added is ignored, as the store's read does). */
  addSpan(span: Span, resource: Resource | undefined, scope: Scope | undefined, recOff = -1): void {
    if (this.seedOf.has(span.spanId)) return;
    const i = this.n++;
    this.cols.grow(this.n);
    this.seedOf.set(span.spanId, i);
    this.spanIds.push(span.spanId);
    const p = span.parentSpanId || null;
    const known = p === null ? undefined : this.seedOf.get(p);
    this.parentIds.push(known === undefined ? p : this.spanIds[known]!); // one copy of a parent's id for all its children
    this.cols.recOff[i] = recOff;
    this.seed(i, span, resource, scope);
  }

  /**
   * Adds log records. Returns the span ids already added that they belong to: their rows were
   * made without them, so the caller gives those spans again to `reseed`.
   */
  addLogs(logs: readonly LogRecord[]): string[] {
    const stale = new Set<string>();
    for (const full of logs) {
      const spanId = full.spanId;
      if (!spanId) continue;
      const l = rowOnlyLog(full); // kept for the rows only: no message bodies
      const list = this.logsBySpan.get(spanId);
      if (list) list.push(l);
      else this.logsBySpan.set(spanId, [l]);
      if (this.seedOf.has(spanId)) stale.add(spanId);
    }
    return [...stale];
  }

  /** Makes an added span's row again (after log records of it arrived). */
  reseed(span: Span, resource: Resource | undefined, scope: Scope | undefined): void {
    const i = this.seedOf.get(span.spanId);
    if (i === undefined) return this.addSpan(span, resource, scope);
    this.seed(i, span, resource, scope);
  }

  /** Where an added span's record is in the journal (-1 when not known), or undefined. */
  recOff(spanId: string): number | undefined {
    const i = this.seedOf.get(spanId);
    return i === undefined ? undefined : this.cols.recOff[i];
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
    return { header: l.header, rows, recOffs: Array.from(l.order, (i) => this.cols.recOff[i]!) };
  }

  private seed(i: number, span: Span, resource: Resource | undefined, scope: Scope | undefined): void {
    const step = toStep({ span: rowOnly(span), resource, scope, logs: this.logsBySpan.get(span.spanId) ?? [] }, this.prices);
    const startNs = BigInt(span.startTimeUnixNano || '0');
    this.base ??= startNs;
    const c = this.cols;
    c.start[i] = Number(startNs - this.base);
    c.end[i] = Number(BigInt(span.endTimeUnixNano || '0') - this.base);
    c.duration[i] = step.durationMs;
    c.inputTokens[i] = orNaN(step.inputTokens);
    c.outputTokens[i] = orNaN(step.outputTokens);
    c.cost[i] = orNaN(step.costUsd);
    c.name[i] = this.intern(maskSecrets(step.name));
    c.model[i] = step.model === null ? -1 : this.intern(step.model);
    c.flags[i] = KINDS.indexOf(step.kind) * 4 + STATUSES.indexOf(step.status) + (step.code !== null ? 128 : 0);
    // Credentials in trace content never reach the screen (the store keeps them as received).
    if (step.error !== null) this.errors.set(i, maskSecrets(step.error));
    else this.errors.delete(i);
    const failed = step.scores.filter((s) => s.passed === false).map((s) => s.name);
    if (failed.length) this.failed.set(i, failed);
    else this.failed.delete(i);
    this.dirty = true;
    this.version++;
  }

  /** The model's state, for saving (see `RunModelState`); the arrays are views of its own, not copies. */
  state(): RunModelState {
    const n = this.n,
      c = this.cols;
    const floats = Object.fromEntries(FLOAT_COLUMNS.map((k) => [k, c[k].subarray(0, n)])) as RunModelState['floats'];
    const ints = Object.fromEntries(INT_COLUMNS.map((k) => [k, c[k].subarray(0, n)])) as RunModelState['ints'];
    const parents = new Int32Array(n);
    const orphanParents: string[] = [];
    for (let i = 0; i < n; i++) {
      const p = this.parentIds[i];
      const k = p === null || p === undefined ? -1 : this.seedOf.get(p);
      parents[i] = k ?? -2 - (orphanParents.push(p!) - 1);
    }
    const l = this.dirty ? null : this.layout;
    return {
      traceId: this.traceId,
      n,
      floats,
      ints,
      flags: c.flags.subarray(0, n),
      spanIds: this.spanIds,
      parents,
      orphanParents,
      strings: this.strings,
      errors: [...this.errors],
      failed: [...this.failed],
      logsBySpan: [...this.logsBySpan],
      base: this.base === null ? null : String(this.base),
      layout: l && {
        cols: { order: l.order, depth: l.depth, parent: l.parent, descendants: l.descendants, rowOfSeed: l.rowOfSeed },
        start: l.start,
        header: l.header,
      },
    };
  }

  /** A model holding a saved state (checked by its reader); it goes on growing as any other. */
  static from(st: RunModelState, prices?: PriceTable): RunModel {
    const m = new RunModel(st.traceId, prices);
    const n = st.n;
    m.cols.grow(n);
    for (const k of FLOAT_COLUMNS) m.cols[k].set(st.floats[k]);
    for (const k of INT_COLUMNS) m.cols[k].set(st.ints[k]);
    m.cols.flags.set(st.flags);
    m.n = n;
    for (let i = 0; i < n; i++) {
      const id = st.spanIds[i]!;
      m.spanIds.push(id);
      m.seedOf.set(id, i);
    }
    for (let i = 0; i < n; i++) {
      const p = st.parents[i]!;
      m.parentIds.push(p >= 0 ? m.spanIds[p]! : p === -1 ? null : st.orphanParents[-p - 2]!);
    }
    st.strings.forEach((s, k) => {
      m.strings.push(s);
      if (!m.stringIndex.has(s)) m.stringIndex.set(s, k);
    });
    for (const [i, e] of st.errors) m.errors.set(i, e);
    for (const [i, f] of st.failed) m.failed.set(i, f);
    for (const [id, logs] of st.logsBySpan) m.logsBySpan.set(id, logs);
    m.base = st.base === null ? null : BigInt(st.base);
    if (st.layout) m.layout = { ...st.layout.cols, start: st.layout.start, header: st.layout.header };
    else m.dirty = true;
    return m;
  }

  /** The index of a string in the model's table (names and models repeat: a run of 100,000 calls to one model has a handful). */
  private intern(s: string): number {
    let k = this.stringIndex.get(s);
    if (k === undefined) {
      k = this.strings.push(s) - 1;
      this.stringIndex.set(s, k);
    }
    return k;
  }

  private call(i: number): CallLike {
    const c = this.cols;
    const m = c.model[i]!;
    return {
      kind: KINDS[(c.flags[i]! >> 2) & 31]!,
      model: m < 0 ? null : this.strings[m]!,
      inputTokens: orNull(c.inputTokens[i]!),
      outputTokens: orNull(c.outputTokens[i]!),
    };
  }

  private row(l: Layout, r: number): RowData {
    const i = l.order[r]!;
    const c = this.cols;
    const m = c.model[i]!;
    const flags = c.flags[i]!;
    return {
      index: r,
      spanId: this.spanIds[i]!,
      parent: l.parent[r]!,
      depth: l.depth[r]!,
      descendants: l.descendants[r]!,
      name: this.strings[c.name[i]!]!,
      kind: KINDS[(flags >> 2) & 31]!,
      status: STATUSES[flags & 3]!,
      offsetMs: (c.start[i]! - l.start) / 1e6,
      durationMs: c.duration[i]!,
      model: m < 0 ? null : this.strings[m]!,
      inputTokens: orNull(c.inputTokens[i]!),
      outputTokens: orNull(c.outputTokens[i]!),
      costUsd: orNull(c.cost[i]!),
      error: this.errors.get(i) ?? null,
      hasCode: (flags & 128) !== 0,
      failedScores: this.failed.get(i) ?? [],
    };
  }

  private laidOut(): Layout {
    return this.layout ?? (this.layout = this.lay());
  }

  private lay(): Layout {
    this.dirty = false;
    const n = this.n,
      c = this.cols;
    const parentSeed = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const p = this.parentIds[i];
      const k = p && p !== this.spanIds[i] ? this.seedOf.get(p) : undefined;
      parentSeed[i] = k === undefined ? -1 : k;
    }
    const { order, depth } = preorderIndexed(parentSeed, (a, b) => c.start[a]! - c.start[b]! || a - b);
    const parent = new Int32Array(n),
      descendants = new Int32Array(n);
    const rowOfSeed = new Int32Array(n).fill(-1);
    let start = n ? Infinity : 0,
      end = -Infinity;
    for (let r = 0; r < n; r++) {
      const i = order[r]!;
      rowOfSeed[i] = r;
      const p = parentSeed[i]!;
      parent[r] = p < 0 ? -1 : rowOfSeed[p]!;
      if (c.start[i]! < start) start = c.start[i]!;
      if (c.end[i]! > end) end = c.end[i]!;
    }
    for (let r = n - 1; r >= 0; r--) {
      const p = parent[r]!;
      if (p >= 0 && depth[p] === depth[r]! - 1) descendants[p] += 1 + descendants[r]!;
    }
    const first = Number.isFinite(start) ? start : 0;
    const startNs = (this.base ?? 0n) + BigInt(first);
    const l: Layout = { order, depth, parent, descendants, rowOfSeed, start: first, header: null as unknown as TraceHeader };
    l.header = this.header(l, end, startNs);
    return l;
  }

  private header(l: Layout, end: number, startNs: bigint): TraceHeader {
    const c = this.cols;
    const n = l.order.length;
    let inputTokens = 0,
      outputTokens = 0,
      cost: number | null = null,
      errorCount = 0;
    const repeated = duplicateModelCallsBy(
      n,
      (r) => this.call(l.order[r]!),
      (r) => l.parent[r]!,
    );
    for (let r = 0; r < n; r++) {
      const i = l.order[r]!;
      if ((c.flags[i]! & 3) === 2) errorCount++;
      if (repeated.has(r)) continue; // its nested call counts it
      inputTokens += orNull(c.inputTokens[i]!) ?? 0;
      outputTokens += orNull(c.outputTokens[i]!) ?? 0;
      if (!Number.isNaN(c.cost[i]!)) cost = (cost ?? 0) + c.cost[i]!;
    }
    let root = -1;
    for (let r = 0; r < n && root < 0; r++) if (l.parent[r] === -1) root = r;
    return {
      traceId: this.traceId,
      name: root >= 0 ? this.strings[c.name[l.order[root]!]!]! : '(empty trace)',
      startTime: new Date(Number(startNs / 1_000_000n)).toISOString(),
      durationMs: end > l.start ? (end - l.start) / 1e6 : 0,
      rowCount: n,
      folded: [...repeated].map((r) => this.spanIds[l.order[r]!]!),
      errorCount,
      inputTokens,
      outputTokens,
      costUsd: cost,
    };
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

/** A log record as a row needs it: long texts of its body and attributes emptied, as `rowOnly` does for spans. */
export function rowOnlyLog(log: LogRecord): LogRecord {
  const long = (v: { stringValue?: string } | undefined) => (v?.stringValue?.length ?? 0) > ROW_TEXT_MAX;
  if (!long(log.body) && !log.attributes?.some((a) => long(a.value))) return log;
  return {
    ...log,
    ...(log.body && long(log.body) ? { body: { stringValue: '' } } : {}),
    attributes: log.attributes?.map((a) => (long(a.value) ? { key: a.key, value: { stringValue: '' } } : a)),
  };
}

/** Builds the view of a trace at once. */
export function buildTraceView(trace: StoredTrace, prices?: PriceTable): TraceView {
  const model = new RunModel(trace.traceId, prices);
  model.addLogs(trace.logs);
  for (const { span, resource, scope, recOff } of trace.spans) model.addSpan(span, resource, scope, recOff ?? -1);
  return model.view();
}
