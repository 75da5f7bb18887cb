/** Building scores and rolling them up into a scorecard. */
import type { EvalScore, Scorecard, ScoreSource } from './types';

/** The parts of a score an evaluator decides. */
export interface Verdict {
  passed: boolean | null;
  value?: number | null;
  label?: string | null;
  explanation?: string | null;
  /** Defaults to the evaluator's name. */
  name?: string;
}

/** A score from evaluator `ev` (source 'builtin' unless given). */
export function score(ev: { name: string; version: string }, v: Verdict, source: ScoreSource = 'builtin'): EvalScore {
  return {
    name: v.name ?? ev.name,
    value: v.value ?? (v.passed === null ? null : v.passed ? 1 : 0),
    label: v.label ?? (v.passed === null ? null : v.passed ? 'pass' : 'fail'),
    passed: v.passed,
    source,
    explanation: v.explanation ?? null,
    evaluatorVersion: ev.version,
  };
}

const passes = new WeakMap<object, EvalScore>();

/**
 * A passing score with the default value/label. Without an explanation it is one frozen object
 * per evaluator, shared by every step it passes (most scores are passes; scores are never mutated).
 */
export function pass(ev: { name: string; version: string }, explanation: string | null = null): EvalScore {
  if (explanation !== null) return score(ev, { passed: true, explanation });
  let p = passes.get(ev);
  if (!p || p.name !== ev.name || p.evaluatorVersion !== ev.version) passes.set(ev, (p = Object.freeze(score(ev, { passed: true }))));
  return p;
}

/** A score that says an evaluator could not decide (it threw, timed out…): passed null. */
export function errorScore(name: string, version: string, source: ScoreSource, message: string): EvalScore {
  return { name, value: null, label: 'error', passed: null, source, explanation: message, evaluatorVersion: version };
}

/** Rolls scores up; `scores` is any collection of per-step score lists. */
export function scorecard(scores: Iterable<readonly EvalScore[]>): Scorecard {
  const card: Scorecard = { passed: 0, failed: 0, byEvaluator: {} };
  for (const list of scores) {
    for (const s of list) {
      if (s.passed === null) continue;
      const row = (card.byEvaluator[s.name] ??= { passed: 0, failed: 0 });
      if (s.passed) {
        card.passed++;
        row.passed++;
      } else {
        card.failed++;
        row.failed++;
      }
    }
  }
  return card;
}

/** Short text for explanations: one line, at most `max` characters. */
export function clip(s: string, max = 120): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
