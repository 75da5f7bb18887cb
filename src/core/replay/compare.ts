/**
 * Original vs fork, step by step: the two runs' steps (pre-order) are aligned with jsdiff's
 * array diff on a stable identity (the SDK's step key, else depth, kind and name), then each
 * aligned pair is compared on status, input and output — values generated afresh each run (ids,
 * UUIDs, timestamps) set aside as `ignored`, never a difference. The first pair that differs is
 * the first divergence.
 */
import { diffArrays } from 'diff';
import type { Step } from '../model/step';
import { ATTR } from '../../../sdk/src/contract';
import { canonical } from '../../../sdk/src/contract';

/** How one aligned pair compares. */
export type PairStatus = 'same' | 'changed' | 'added' | 'removed';

/** One row of the comparison. */
export interface StepPair {
  left: Step | null;
  right: Step | null;
  status: PairStatus;
  /** What differs ('input', 'output', 'status'), for changed pairs. */
  differs: Array<'input' | 'output' | 'status'>;
  /** In the fork: where the step's result came from (recording, fork, live), when the SDK said. */
  source: string | null;
  /** Where the two differ only by values generated afresh each run (see `generatedDifference`), e.g. `output $.messages[0].id`: shown on request, never a difference. */
  ignored: string[];
}

/** The whole comparison. */
export interface Comparison {
  pairs: StepPair[];
  /** Index in `pairs` of the first pair that is not `same`; -1 when the runs match. */
  firstDivergence: number;
  counts: Record<PairStatus, number>;
}

function identity(s: Step): string {
  const key = s.attributes[ATTR.key];
  return typeof key === 'string' ? `key:${key}` : `${s.depth}|${s.kind}|${s.name}`;
}

/** The comparable text of a step's input or output (the SDK's full recording when there is one). */
export function sideText(s: Step, side: 'input' | 'output'): string {
  const recorded = s.attributes[side === 'input' ? ATTR.input : ATTR.output];
  if (typeof recorded === 'string') {
    try {
      return canonical(JSON.parse(recorded)); // the same value, whatever its key order
    } catch {
      return recorded;
    }
  }
  const io = side === 'input' ? s.input : s.output;
  return io ? JSON.stringify(io) : '';
}

function differences(a: Step, b: Step, ignored: string[]): StepPair['differs'] {
  const d: StepPair['differs'] = [];
  if (a.status !== b.status || (a.error ?? '') !== (b.error ?? '')) d.push('status');
  for (const side of ['input', 'output'] as const) {
    const x = sideText(a, side),
      y = sideText(b, side);
    if (x === y) continue;
    const found: string[] = [];
    if (sameButGenerated(parseOr(x), parseOr(y), '$', '', found)) ignored.push(...found.map((p) => `${side} ${p}`));
    else d.push(side);
  }
  return d;
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ISO_TIME = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g;
const ID_KEY = /(?:^|[_-])id$|[a-z]Id$|^id$/i;
const TIME_KEY =
  /^(?:created|created_at|createdAt|timestamp|start_time|end_time|startTime|endTime|duration|duration_ms|durationMs|latency|latency_ms|latencyMs|elapsed|elapsed_ms)$/;
/** An id a client generates: a word prefix and separator, then 8 or more letters and digits. */
const RANDOM_ID = /^([A-Za-z][A-Za-z0-9]*[-_]+)?([A-Za-z0-9]{8,})$/;

/**
 * True when two differing strings are both values generated afresh each run: they match once
 * UUIDs and timestamps are masked, or (under an id-like key) they are ids of the same shape —
 * same prefix, same length, random letters and digits (`chatcmpl-…`, `call_…`, `msg_…`).
 */
export function generatedDifference(a: string, b: string, key: string): boolean {
  const mask = (s: string) => s.replace(UUID, '<uuid>').replace(ISO_TIME, '<time>');
  const ma = mask(a);
  if (ma !== a && ma === mask(b)) return true;
  if (!ID_KEY.test(key)) return false;
  const x = RANDOM_ID.exec(a),
    y = RANDOM_ID.exec(b);
  return !!x && !!y && (x[1] ?? '') === (y[1] ?? '') && x[2]!.length === y[2]!.length && /\d/.test(x[2]! + y[2]!);
}

/**
 * Structural equality where the only differences are generated values (ids, UUIDs, timestamps,
 * durations); their paths are collected in `found`. Any other difference, also inside an object
 * that holds ids, makes it false. JSON held in a string is compared as JSON.
 */
function sameButGenerated(a: unknown, b: unknown, path: string, key: string, found: string[]): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') {
    if (generatedDifference(a, b, key)) {
      found.push(path);
      return true;
    }
    const ja = /^\s*[[{]/.test(a) ? parseOr(a) : a,
      jb = /^\s*[[{]/.test(b) ? parseOr(b) : b;
    return typeof ja !== 'string' && typeof jb !== 'string' && sameButGenerated(ja, jb, path, key, found);
  }
  if (typeof a === 'number' && typeof b === 'number') {
    if (!TIME_KEY.test(key)) return false;
    found.push(path);
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameButGenerated(v, b[i], `${path}[${i}]`, key, found));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a),
      kb = Object.keys(b);
    if (ka.length !== kb.length || ka.some((k) => !Object.prototype.hasOwnProperty.call(b, k))) return false;
    return ka.every((k) => sameButGenerated((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, k, found));
  }
  return false;
}

/** Compares two runs' steps (each in pre-order, as buildSteps returns them). */
export function compareRuns(left: Step[], right: Step[]): Comparison {
  const parts = diffArrays(left.map(identity), right.map(identity));
  const pairs: StepPair[] = [];
  let i = 0,
    j = 0;
  for (const p of parts) {
    for (let n = 0; n < p.count!; n++) {
      if (p.added) pairs.push(pair(null, right[j++]!, 'added', []));
      else if (p.removed) pairs.push(pair(left[i++]!, null, 'removed', []));
      else {
        const a = left[i++]!,
          b = right[j++]!;
        const ignored: string[] = [];
        const d = differences(a, b, ignored);
        pairs.push(pair(a, b, d.length ? 'changed' : 'same', d, ignored));
      }
    }
  }
  const counts: Record<PairStatus, number> = { same: 0, changed: 0, added: 0, removed: 0 };
  for (const p of pairs) counts[p.status]++;
  return { pairs, firstDivergence: firstDivergence(pairs), counts };
}

/**
 * The first differing pair in pre-order that is not merely affected: a step whose input is the
 * same but whose output or status differs while one of its descendants differs (the run's root,
 * when a tool below it changed or now fails) is a consequence, not where the runs parted.
 */
function firstDivergence(pairs: StepPair[]): number {
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i]!;
    if (p.status === 'same') continue;
    if (p.status !== 'changed' || p.differs.includes('input')) return i;
    const depth = (p.right ?? p.left)!.depth;
    let affected = false;
    for (let j = i + 1; j < pairs.length && (pairs[j]!.right ?? pairs[j]!.left)!.depth > depth; j++) if (pairs[j]!.status !== 'same') affected = true;
    if (!affected) return i;
  }
  return -1;
}

function pair(left: Step | null, right: Step | null, status: PairStatus, differs: StepPair['differs'], ignored: string[] = []): StepPair {
  const src = right?.attributes[ATTR.source];
  return { left, right, status, differs, source: typeof src === 'string' ? src : null, ignored };
}
