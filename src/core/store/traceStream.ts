/**
 * A big trace read from the journal record by record, for output that must not hold the whole run
 * (`tracefork export` and `show` of a run of a million spans): a first pass keeps only where each
 * span and log group lies; the output then reads the records again in the order it needs, a few
 * decoded records at a time.
 *
 * Invariant: what comes out is what `assembleTrace` would have given — the same spans (the first
 * copy of a resent span wins), in the same order within each resource and scope.
 */
import { RecordType, type Journal } from './journal';
import { recordBody } from './payload';
import { RecordCache, type StoredTrace } from './queries';
import { decodeLogs } from '../otlp/decode';
import type { ItemStream, OtlpPart, OtlpParts } from '../otlp/exportJson';
import type { LogRecord, Resource, Scope, Span } from '../otlp/types';
import type { PriceTable } from '../model/cost';
import { duplicateModelCallsBy, type CallLike } from '../model/duplicates';
import { toStep } from '../model/normalize';
import type { Step } from '../model/step';
import { preorderIndexed } from '../model/tree';

type JournalReader = Pick<Journal, 'read' | 'generation'>;

/** A group of one record: its offset and its index among the record's groups for the trace. */
interface Slot {
  off: number;
  group: number;
}

/** Slots by resource, then scope, each in order of first appearance (as `writeOtlpJson` groups them). */
class Grouping<S> {
  readonly resources = new Map<string, { resource: Resource; scopes: Map<string, { scope: Scope; slots: S[] }> }>();

  add(resource: Resource, scope: Scope, slot: S): void {
    const rk = JSON.stringify(resource);
    let r = this.resources.get(rk);
    if (!r) this.resources.set(rk, (r = { resource, scopes: new Map() }));
    const sk = JSON.stringify(scope);
    let s = r.scopes.get(sk);
    if (!s) r.scopes.set(sk, (s = { scope, slots: [] }));
    s.slots.push(slot);
  }

  parts<T>(visitSlot: (slot: S, visit: (item: T) => void) => void): Array<OtlpPart<T>> {
    return [...this.resources.values()].map((r) => ({
      resource: r.resource,
      scopes: [...r.scopes.values()].map((s) => ({ scope: s.scope, each: (visit: (item: T) => void) => s.slots.forEach((slot) => visitSlot(slot, visit)) })),
    }));
  }
}

/**
 * The trace as OTLP/JSON parts read from the journal (for `writeOtlpParts`): the same bytes as
 * writing the assembled trace, holding the ids of its spans and a few decoded records at a time.
 */
export function otlpPartsFromJournal(journal: JournalReader, traceId: string, offsets: readonly number[]): OtlpParts {
  const cache = new RecordCache(4);
  const read = (off: number) => {
    const rec = journal.read(off);
    return { type: rec.type, ...recordBody(rec) };
  };
  const groupsAt = (off: number, r?: ReturnType<typeof read>) => {
    const kept = r ? undefined : cache.cached(journal.generation, off, traceId);
    if (kept) return kept;
    const { enc, body } = r ?? read(off);
    return cache.groups(journal.generation, off, enc, body, traceId);
  };
  const logGroupsAt = (off: number, r = read(off)) => decodeLogs(r.body, r.enc, traceId).groups;
  // First pass: where each span's first copy lies (its slot), and the slots of each resource and scope.
  const slots: Slot[] = [];
  const firstSlot = new Map<string, number>();
  const spans = new Grouping<number>(); // indexes into slots
  const logs = new Grouping<Slot>();
  for (const off of offsets) {
    const r = read(off);
    if (r.type === RecordType.Spans)
      groupsAt(off, r).forEach((g, group) => {
        const slot = slots.push({ off, group }) - 1;
        let fresh = false;
        for (const span of g.spans) {
          if (firstSlot.has(span.spanId)) continue;
          firstSlot.set(span.spanId, slot);
          fresh = true;
        }
        if (fresh) spans.add(g.resource, g.scope, slot);
      });
    else if (r.type === RecordType.Logs)
      logGroupsAt(off, r).forEach((g, group) => {
        if (g.logs.length) logs.add(g.resource, g.scope, { off, group });
      });
  }
  return {
    spans: spans.parts<Span>((at, visit) => {
      const { off, group } = slots[at]!;
      const done = new Set<string>(); // a second copy in the same group is not the first either
      for (const span of groupsAt(off)[group]!.spans) {
        if (firstSlot.get(span.spanId) !== at || done.has(span.spanId)) continue;
        done.add(span.spanId);
        visit(span);
      }
    }),
    logs: logs.parts<LogRecord>((slot, visit) => logGroupsAt(slot.off)[slot.group]!.logs.forEach(visit)),
  };
}

/** A trace's steps in tree pre-order, built one at a time (`count` known before the first). */
export type StepStream = ItemStream<Step>;

/**
 * The steps `buildSteps` makes of the assembled trace, the same and in the same order, built one
 * at a time from the journal: what is held is the tree's structure (ids, parents, start times,
 * where each span lies, what the duplicate-model-call rule reads), the log records, and a few
 * decoded records.
 */
export function stepsFromJournal(journal: JournalReader, traceId: string, offsets: readonly number[], prices?: PriceTable): StepStream {
  const cache = new RecordCache(16);
  const groupsAt = (off: number) => {
    const kept = cache.cached(journal.generation, off, traceId);
    if (kept) return kept;
    const { enc, body } = recordBody(journal.read(off));
    return cache.groups(journal.generation, off, enc, body, traceId);
  };
  // The log records first: a step is made with its logs.
  const logsBySpan = new Map<string, StoredTrace['logs']>();
  const spanRecords: number[] = [];
  for (const off of offsets) {
    const rec = journal.read(off);
    if (rec.type === RecordType.Spans) spanRecords.push(off);
    if (rec.type !== RecordType.Logs) continue;
    const { enc, body } = recordBody(rec);
    for (const g of decodeLogs(body, enc, traceId).groups)
      for (const l of g.logs) {
        if (!l.spanId) continue;
        const log = { ...l, resource: g.resource, scope: g.scope }; // as assembleTrace keeps them
        const list = logsBySpan.get(l.spanId);
        if (list) list.push(log);
        else logsBySpan.set(l.spanId, [log]);
      }
  }
  // The structure: one entry per span's first copy, in journal order (the order of assembleTrace).
  const index = new Map<string, number>();
  const ids: string[] = [];
  const parentIds: Array<string | null> = [];
  const where: Array<[number, number, number]> = []; // record offset, group, position in the group
  const starts: bigint[] = [];
  const calls: CallLike[] = [];
  const step = (off: number, g: number, k: number) => {
    const group = groupsAt(off)[g]!;
    const span = group.spans[k]!;
    return toStep({ span, resource: group.resource, scope: group.scope, logs: logsBySpan.get(span.spanId) ?? [] }, prices);
  };
  for (const off of spanRecords)
    groupsAt(off).forEach((group, g) =>
      group.spans.forEach((span, k) => {
        if (index.has(span.spanId)) return;
        index.set(span.spanId, ids.length);
        ids.push(span.spanId);
        parentIds.push(span.parentSpanId ?? null);
        where.push([off, g, k]);
        starts.push(BigInt(span.startTimeUnixNano));
        const s = step(off, g, k);
        calls.push({ kind: s.kind, model: s.model, inputTokens: s.inputTokens, outputTokens: s.outputTokens });
      }),
    );
  const n = parentIds.length;
  const parentOf = (i: number) => index.get(parentIds[i] ?? '') ?? -1;
  const { order, depth } = preorderIndexed(
    Int32Array.from({ length: n }, (_, i) => parentOf(i)),
    (a, b) => (starts[a]! < starts[b]! ? -1 : starts[a]! > starts[b]! ? 1 : a - b),
  );
  const repeated = duplicateModelCallsBy(n, (i) => calls[i]!, parentOf);
  return {
    count: n,
    each: (visit) => {
      for (let r = 0; r < n; r++) {
        const i = order[r]!;
        const [off, g, k] = where[i]!;
        const s: Step = { ...step(off, g, k), depth: depth[r]! };
        if (repeated.has(i)) {
          s.rollupTokens = { input: s.inputTokens, output: s.outputTokens };
          s.inputTokens = s.outputTokens = s.costUsd = null;
        }
        visit(s);
      }
    },
  };
}
