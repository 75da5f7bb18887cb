/** Runs the evaluators over a run's steps: scores per span id and the run's scorecard. */
import type { Step } from '../model/step';
import type { Baseline } from './baseline';
import { errorScore, scorecard } from './score';
import { DEFAULT_OPTIONS, type EvalContext, type EvalOptions, type EvalScore, type RunEvaluator, type Scorecard, type StepEvaluator } from './types';
import { stepError, toolFailure } from './evaluators/toolFailure';
import { handoff } from './evaluators/handoff';
import { loops, runaway } from './evaluators/loops';
import { cost, latency, runBudget } from './evaluators/latency';
import { emptyOutput, refusal, truncated } from './evaluators/output';
import { structuredOutput } from './evaluators/structured';
import { injection, pii, secrets } from './evaluators/safety';
import { groundedness } from './evaluators/groundedness';
import { external } from './evaluators/external';

/** Built-in per-step evaluators, in the order their scores are listed. */
export const STEP_EVALUATORS: readonly StepEvaluator[] = [
  toolFailure,
  stepError,
  handoff,
  truncated,
  emptyOutput,
  refusal,
  structuredOutput,
  pii,
  secrets,
  injection,
  groundedness,
  latency,
  cost,
];

/** Built-in run evaluators (their scores follow the step evaluators' on each step). */
export const RUN_EVALUATORS: readonly RunEvaluator[] = [loops, runaway, runBudget, external];

/** How to run the evaluators. */
export interface RunOptions {
  options?: Partial<EvalOptions>;
  /** Earlier runs; it is only read here (feed it with `baseline.observe(steps)` after). */
  baseline?: Baseline | null;
  stepEvaluators?: readonly StepEvaluator[];
  runEvaluators?: readonly RunEvaluator[];
}

/** Scores per span id, and the scorecard that rolls them up. */
export interface EvalResult {
  scores: Map<string, EvalScore[]>;
  scorecard: Scorecard;
}

/** Runs evaluator code; a throw becomes an error score instead of stopping the run. */
function guard<T>(name: string, version: string, fn: () => T[], onError: (s: EvalScore) => T): T[] {
  try {
    return fn();
  } catch (e) {
    return [onError(errorScore(name, version, 'builtin', `evaluator threw: ${(e as Error)?.message ?? String(e)}`))];
  }
}

/** Runs every enabled evaluator over one run's steps. Pure: same steps, options and baseline → same scores. */
export function runEvaluators(steps: readonly Step[], opts: RunOptions = {}): EvalResult {
  const options: EvalOptions = { ...DEFAULT_OPTIONS, ...opts.options };
  const ctx: EvalContext = { run: steps, options, baseline: opts.baseline ?? null, memo: new Map() };
  const off = new Set(options.disabled);
  const stepEvs = (opts.stepEvaluators ?? STEP_EVALUATORS).filter((e) => !off.has(e.name));
  const runEvs = (opts.runEvaluators ?? RUN_EVALUATORS).filter((e) => !off.has(e.name));
  const scores = new Map<string, EvalScore[]>();
  for (const step of steps) {
    const list: EvalScore[] = [];
    for (const ev of stepEvs) {
      try {
        if (ev.appliesTo(step, ctx)) for (const s of ev.evaluate(step, ctx)) list.push(s);
      } catch (e) {
        list.push(errorScore(ev.name, ev.version, 'builtin', `evaluator threw: ${(e as Error)?.message ?? String(e)}`));
      }
    }
    scores.set(step.spanId, list);
  }
  const root = steps[0]?.spanId;
  for (const ev of runEvs) {
    const placed = guard(
      ev.name,
      ev.version,
      () => ev.evaluateRun(steps, ctx),
      (score) => ({ spanId: root ?? '', score }),
    );
    for (const p of placed) scores.get(p.spanId)?.push(p.score);
  }
  return { scores, scorecard: scorecard(scores.values()) };
}

/** Copies of the steps with their scores filled (scores already on a step are kept first). */
export function withScores(steps: readonly Step[], scores: ReadonlyMap<string, readonly EvalScore[]>): Step[] {
  return steps.map((s) => ({ ...s, scores: [...s.scores, ...(scores.get(s.spanId) ?? [])] }));
}

/** Adds `more` to `into` (custom and judge scores after the built-ins). */
export function mergeScores(into: Map<string, EvalScore[]>, more: ReadonlyMap<string, readonly EvalScore[]>): Map<string, EvalScore[]> {
  for (const [id, list] of more) {
    const cur = into.get(id);
    if (cur) cur.push(...list);
    else into.set(id, [...list]);
  }
  return into;
}

/** The steps of a run with every built-in score filled, and its scorecard: what `show --json` and the views need. */
export function scoreSteps(steps: readonly Step[], opts: RunOptions = {}): { steps: Step[]; scorecard: Scorecard } {
  const { scores, scorecard: card } = runEvaluators(steps, opts);
  return { steps: withScores(steps, scores), scorecard: card };
}
