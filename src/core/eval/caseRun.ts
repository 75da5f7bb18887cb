/**
 * A regression case run again as a test against the agent's current code: the calls before the
 * case's step are served from the original recording, the step and everything after it run live
 * (a fork with no edit: the code is what changed), and the new run is judged with the same
 * evaluators: fixed, still failing, regressed elsewhere, or not checkable (with why).
 */
import type { Step } from '../model/step';
import type { StoredTrace } from '../store/queries';
import type { ReplayPlan } from '../../../sdk/src/contract';
import { buildPlan, forkCall, PlanError } from '../replay/plan';
import { isProxyRecorded, recordedCalls, recordedCommand } from '../replay/recorded';
import type { EvalScore } from './types';
import type { CaseRecording, RegressionCase } from './cases';

/** What one case's run came to. */
export type CaseOutcome = 'fixed' | 'failing' | 'regressed' | 'unreached' | 'skipped' | 'error';

/** The result of one case. */
export interface CaseResult {
  id: string;
  name: string;
  outcome: CaseOutcome;
  /** One line: why. */
  reason: string;
  /** The evaluators that failed when the case was saved, and what they say now. */
  evaluators: Array<{ name: string; passed: boolean | null; explanation: string | null }>;
  /** Failures in the new run that the original did not have (outcome `regressed`). */
  newFailures: Array<{ step: string; evaluator: string; explanation: string | null }>;
  /** The new run, when there is one. */
  traceId: string | null;
  /** The new output of the case's step (for a diff against the rejected one). */
  output: Step['output'] | null;
}

/** The v2 fields of a case saved from this run's step: its recorded call's key, and the agent's command. */
export function caseRecording(trace: StoredTrace, spanId: string): CaseRecording {
  let key: string | null = null;
  try {
    key = forkCall(trace, spanId).key;
  } catch (e) {
    if (!(e instanceof PlanError)) throw e;
  }
  return { key, agent: isProxyRecorded(trace) ? recordedCommand(trace) : null };
}

/** A case's id: its run and step. */
export const caseId = (c: RegressionCase): string => `${c.traceId}:${c.spanId}`;

/** The plan that re-runs the case's step live from the recording, or why it cannot be made. */
export function casePlan(trace: StoredTrace, c: RegressionCase): { plan: ReplayPlan; key: string } | { skip: string } {
  let call;
  try {
    call = forkCall(trace, c.spanId);
  } catch (e) {
    if (e instanceof PlanError) return { skip: e.message };
    throw e;
  }
  const plan = buildPlan(trace, { forkSpanId: call.spanId });
  // No edit: the fork runs with the input the current code gives it (sdk/REPLAY.md, fork without input).
  return { plan: { ...plan, fork: { key: call.key, op: call.op, name: call.name } }, key: call.key };
}

/** The evaluators that judge time (a debugger's pauses make them meaningless). */
const TIMING = new Set(['latency', 'run-latency']);

const failed = (scores: readonly EvalScore[] | undefined) => (scores ?? []).filter((s) => s.passed === false);

/**
 * Judges the new run of a case: its step (found by step key) against the evaluators that failed
 * when the case was saved, and every step of it against what failed in the original run.
 */
export function judgeCase(
  c: RegressionCase,
  key: string,
  original: { steps: Step[]; scores: Map<string, EvalScore[]>; trace: StoredTrace },
  replayed: { steps: Step[]; scores: Map<string, EvalScore[]>; trace: StoredTrace },
  opts: { untimed?: boolean } = {},
): CaseResult {
  const base = { id: caseId(c), name: c.step.name, traceId: replayed.trace.traceId, newFailures: [] as CaseResult['newFailures'] };
  const call = recordedCalls(replayed.trace).find((x) => x.key === key);
  const step = call ? replayed.steps.find((s) => s.spanId === call.spanId) : undefined;
  // What passing means: the case's `expect` (v2), else (v1) the evaluators that failed pass now and
  // nothing new fails.
  const names = c.expect?.passes ?? c.failedEvaluators.map((e) => e.name);
  const noNewFailures = c.expect?.noNewFailures ?? true;
  if (!step)
    return {
      ...base,
      outcome: 'unreached',
      reason: `the current code never made the call ${key}, so the case could not be checked`,
      evaluators: names.map((name) => ({ name, passed: null, explanation: null })),
      output: null,
    };
  const now = replayed.scores.get(step.spanId) ?? [];
  // A built-in scores only where it applies (no score: nothing to flag); a custom evaluator or the
  // judge that gives no score did not run, which is not a pass.
  const evaluators = names.map((name) => {
    const s = now.find((x) => x.name === name);
    const source = c.failedEvaluators.find((e) => e.name === name)?.source;
    const ran = s || source === 'builtin' || source === 'agent';
    return {
      name,
      passed: s ? s.passed !== false : ran ? true : null,
      explanation: s?.explanation ?? (ran ? null : `the ${source ? `${source} ` : ''}evaluator ${name} did not run on the new run`),
    };
  });
  const notRun = evaluators.filter((e) => e.passed === null);
  // What failed in the original, by step name and evaluator: failures the new run shares are not new.
  const before = new Set<string>();
  for (const s of original.steps) for (const f of failed(original.scores.get(s.spanId))) before.add(`${s.name}\u0000${f.name}`);
  for (const s of replayed.steps) {
    if (s === step) continue;
    for (const f of failed(replayed.scores.get(s.spanId)))
      if (!before.has(`${s.name}\u0000${f.name}`)) base.newFailures.push({ step: s.name, evaluator: f.name, explanation: f.explanation ?? null });
  }
  const still = evaluators.filter((e) => e.passed === false);
  if (!still.length && notRun.length)
    return {
      ...base,
      outcome: 'error',
      reason: `${notRun.map((e) => e.explanation).join('; ')} (custom evaluators: pass their folder)`,
      evaluators,
      output: step.output,
    };
  const newHere = failed(now).filter((f) => !names.includes(f.name));
  for (const f of newHere) base.newFailures.push({ step: step.name, evaluator: f.name, explanation: f.explanation ?? null });
  if (still.length)
    return { ...base, outcome: 'failing', reason: still.map((e) => `${e.name}: ${e.explanation ?? 'failed'}`).join('; '), evaluators, output: step.output };
  // Under the debugger the time spent paused is in the run's durations: new latency failures say
  // nothing about the code there, so they are reported, not gated.
  const timing = (f: CaseResult['newFailures'][number]) => !!opts.untimed && TIMING.has(f.evaluator);
  const gated = noNewFailures ? base.newFailures.filter((f) => !timing(f)) : [];
  if (gated.length)
    return {
      ...base,
      outcome: 'regressed',
      reason: `fixed, but ${gated.map((f) => `${f.evaluator} now fails on ${f.step}${f.explanation ? ` (${f.explanation})` : ''}`).join('; ')}`,
      evaluators,
      output: step.output,
    };
  const ungated = base.newFailures.filter((f) => !gated.includes(f));
  const why = noNewFailures ? 'a run under the debugger counts its paused time' : 'expect.noNewFailures is false';
  const elsewhere = ungated.length ? ` (not gated, ${why}: ${ungated.map((f) => `${f.evaluator} on ${f.step}`).join(', ')})` : '';
  return {
    ...base,
    outcome: 'fixed',
    reason: `${names.join(', ') || 'its evaluators'} pass${names.length === 1 ? 'es' : ''} now${elsewhere}`,
    evaluators,
    output: step.output,
  };
}

/** Whether a result fails the gate (skipped cases are reported, not failed). */
export const failsGate = (r: CaseResult): boolean => r.outcome === 'failing' || r.outcome === 'regressed' || r.outcome === 'unreached' || r.outcome === 'error';

const outputText = (v: Step['output'] | null | undefined): string => {
  const shown = v?.messages ?? v?.value ?? v;
  return shown === null || shown === undefined ? '' : typeof shown === 'string' ? shown : JSON.stringify(shown, null, 2);
};

/**
 * What a still-failing case shows as a diff: the output the evaluators rejected when it was saved
 * ("expected" side: what the case was about) against the new run's output of the step. Null when
 * there is nothing to set side by side (the step gave no output, or the case did not get that far).
 */
export function caseDiff(c: RegressionCase, r: CaseResult): { expected: string; actual: string } | null {
  if (r.outcome !== 'failing' || r.output === null) return null;
  return { expected: outputText(c.rejectedOutput), actual: outputText(r.output) };
}
