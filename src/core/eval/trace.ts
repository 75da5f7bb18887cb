/** Evaluating stored traces: one trace's scored steps, and a baseline built from a store's earlier traces. */
import type { Step } from '../model/step';
import { buildSteps } from '../model/steps';
import type { PriceTable } from '../model/cost';
import type { StoredTrace, TraceSummary } from '../store/queries';
import { Baseline } from './baseline';
import { runEvaluators, withScores, type RunOptions } from './engine';
import type { EvalScore, Scorecard } from './types';

/** A trace's steps with their scores filled, the scores by span id, and the scorecard. */
export interface TraceEvaluation {
  traceId: string;
  steps: Step[];
  scores: Map<string, EvalScore[]>;
  scorecard: Scorecard;
}

/** Builds the trace's steps and runs the built-in evaluators over them (what `show --json` and the chips need). */
export function evaluateTrace(trace: StoredTrace, opts: RunOptions & { prices?: PriceTable } = {}): TraceEvaluation {
  const steps = buildSteps(trace, opts.prices);
  const { scores, scorecard } = runEvaluators(steps, opts);
  return { traceId: trace.traceId, steps: withScores(steps, scores), scores, scorecard };
}

/**
 * Only the scores and scorecard of a trace (its steps are dropped on return): for views that build
 * their own rows, e.g. `failedScores` chips and the detail pane's Scores section. Peak memory is
 * still every step of the trace while it runs.
 */
export function scoreTrace(trace: StoredTrace, opts: RunOptions & { prices?: PriceTable } = {}): { scores: Map<string, EvalScore[]>; scorecard: Scorecard } {
  return runEvaluators(buildSteps(trace, opts.prices), opts);
}

/** The part of TraceStore this module reads. */
export interface TraceSource {
  list(): TraceSummary[];
  get(traceId: string): StoredTrace | null;
}

/** Summaries oldest first (the store lists newest first). */
export function chronological(list: TraceSummary[]): TraceSummary[] {
  return [...list].sort((a, b) => (a.startTime < b.startTime ? -1 : a.startTime > b.startTime ? 1 : 0));
}

/**
 * A baseline fed with the `maxTraces` most recent traces that started before `beforeTraceId`
 * (or before now when absent), oldest first. Reads each of those traces once.
 */
export function baselineFromStore(store: TraceSource, opts: { beforeTraceId?: string; maxTraces?: number; prices?: PriceTable } = {}): Baseline {
  const all = chronological(store.list());
  const end = opts.beforeTraceId ? all.findIndex((t) => t.traceId === opts.beforeTraceId) : all.length;
  const earlier = all.slice(0, end < 0 ? all.length : end).slice(-(opts.maxTraces ?? 200));
  const baseline = new Baseline();
  for (const t of earlier) {
    const trace = store.get(t.traceId);
    if (trace) baseline.observe(buildSteps(trace, opts.prices));
  }
  return baseline;
}
