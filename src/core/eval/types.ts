/**
 * The evaluator contract. Step evaluators see one step (and the run through the context); run
 * evaluators see all steps of a run and attach scores to the steps they choose. Built-ins are pure,
 * synchronous and deterministic: no clock, no network, no randomness.
 */
import type { Score, Step } from '../model/step';
import type { Baseline } from './baseline';

/** A Score that remembers which version of its evaluator produced it. */
export interface EvalScore extends Score {
  evaluatorVersion?: string;
}

/** Where a score came from. */
export type ScoreSource = 'builtin' | 'agent' | 'custom' | 'judge';

/** A user setting: read a numeric span attribute as a score (source 'agent'). */
export interface ScoreMapping {
  /** Exact attribute name, e.g. `myapp.relevance.score`. */
  attribute: string;
  /** Score name; defaults to the attribute name. */
  name?: string;
  /** Passes when value ≤ passBelow. */
  passBelow?: number;
  /** Passes when value ≥ passAbove. */
  passAbove?: number;
}

/** Tunables of the built-in evaluators; every field has a default (DEFAULT_OPTIONS). */
export interface EvalOptions {
  /** A tool called with the same arguments more than this many times in one run fails (the (N+1)th call on). */
  loopMaxRepeats: number;
  /** More llm + tool steps than this in one run fails. */
  maxSteps: number;
  /** Flag beyond median + k·MAD of the baseline. */
  baselineK: number;
  /** No baseline verdict until a key has this many earlier samples. */
  baselineMinSamples: number;
  /** Fixed thresholds (settings): fail any step above them, baseline or not. */
  maxLatencyMs: number | null;
  maxCostUsd: number | null;
  /** Groundedness passes when at least this share of answer sentences is supported. */
  groundednessMin: number;
  /** Attributes the user maps to scores. */
  scoreMappings: ScoreMapping[];
  /** Evaluator names to skip. */
  disabled: string[];
}

export const DEFAULT_OPTIONS: EvalOptions = {
  loopMaxRepeats: 3,
  maxSteps: 100,
  baselineK: 5,
  baselineMinSamples: 10,
  maxLatencyMs: null,
  maxCostUsd: null,
  groundednessMin: 0.5,
  scoreMappings: [],
  disabled: [],
};

/** What every evaluator sees besides the step. */
export interface EvalContext {
  /** All steps of the run, tree pre-order. */
  run: readonly Step[];
  options: EvalOptions;
  /** Earlier runs' latency and cost; absent means no baseline verdicts. */
  baseline: Baseline | null;
  /** Per-run memo for evaluators that share derived data across steps (keyed by evaluator). */
  memo: Map<string, unknown>;
}

/** Scores one step at a time. */
export interface StepEvaluator {
  name: string;
  version: string;
  appliesTo(step: Step, ctx: EvalContext): boolean;
  evaluate(step: Step, ctx: EvalContext): EvalScore[];
}

/** A score for a given step of the run. */
export interface Placed {
  spanId: string;
  score: EvalScore;
}

/** Scores a whole run (loops, runaway step counts, run-level latency and cost, external scores). */
export interface RunEvaluator {
  name: string;
  version: string;
  evaluateRun(steps: readonly Step[], ctx: EvalContext): Placed[];
}

/** Passed/failed counts of a run, in all and per evaluator (scores with passed null are not counted). */
export interface Scorecard {
  passed: number;
  failed: number;
  byEvaluator: Record<string, { passed: number; failed: number }>;
}
