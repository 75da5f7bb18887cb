/**
 * Original vs fork, step by step: the two runs' steps (pre-order) are aligned with jsdiff's
 * array diff on a stable identity (the SDK's step key, else depth, kind and name), then each
 * aligned pair is compared on status, input and output. The first pair that differs is the
 * first divergence.
 */
import { diffArrays } from 'diff';
import type { Step } from '../model/step';
import { ATTR } from '../../../sdk/src/replay/format';
import { canonical } from '../../../sdk/src/replay/json';

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

function differences(a: Step, b: Step): StepPair['differs'] {
  const d: StepPair['differs'] = [];
  if (a.status !== b.status || (a.error ?? '') !== (b.error ?? '')) d.push('status');
  if (sideText(a, 'input') !== sideText(b, 'input')) d.push('input');
  if (sideText(a, 'output') !== sideText(b, 'output')) d.push('output');
  return d;
}

/** Compares two runs' steps (each in pre-order, as buildSteps returns them). */
export function compareRuns(left: Step[], right: Step[]): Comparison {
  const parts = diffArrays(left.map(identity), right.map(identity));
  const pairs: StepPair[] = [];
  let i = 0, j = 0;
  for (const p of parts) {
    for (let n = 0; n < p.count!; n++) {
      if (p.added) pairs.push(pair(null, right[j++]!, 'added', []));
      else if (p.removed) pairs.push(pair(left[i++]!, null, 'removed', []));
      else {
        const a = left[i++]!, b = right[j++]!;
        const d = differences(a, b);
        pairs.push(pair(a, b, d.length ? 'changed' : 'same', d));
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

function pair(left: Step | null, right: Step | null, status: PairStatus, differs: StepPair['differs']): StepPair {
  const src = right?.attributes[ATTR.source];
  return { left, right, status, differs, source: typeof src === 'string' ? src : null };
}
