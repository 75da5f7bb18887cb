/**
 * Latency and cost against the rolling baseline of earlier runs of the same step name + model (and
 * run name): fail beyond median + k·max(MAD, 10% of the median) once the key has enough samples;
 * latency also needs to be 50 ms over the median, so jitter on fast steps never fails. Fixed
 * thresholds (settings) fail regardless of the baseline.
 */
import type { Step } from '../../model/step';
import { MEASURED_KINDS, runKey, runTotals, stepKey, type Metric } from '../baseline';
import { score } from '../score';
import type { EvalContext, EvalScore, Placed, RunEvaluator, StepEvaluator } from '../types';

const UNITS: Record<Metric, (v: number) => string> = {
  latency: (v) => `${v.toFixed(1)} ms`,
  'run-latency': (v) => `${v.toFixed(1)} ms`,
  cost: (v) => `$${v.toPrecision(3)}`,
  'run-cost': (v) => `$${v.toPrecision(3)}`,
};

/** The verdict on one value, or null when neither a fixed limit nor a big enough baseline applies. */
function judge(ev: { name: string; version: string }, metric: Metric, key: string, value: number, ctx: EvalContext): EvalScore | null {
  const fmt = UNITS[metric];
  const isLatency = metric.endsWith('latency');
  const fixed = isLatency ? ctx.options.maxLatencyMs : ctx.options.maxCostUsd;
  const label = isLatency ? 'slow' : 'costly';
  if (fixed !== null && value > fixed) {
    return score(ev, { passed: false, value, label, explanation: `${fmt(value)} is above the fixed limit ${fmt(fixed)}` });
  }
  const stats = ctx.baseline?.stats(metric, key);
  if (!stats || stats.n < ctx.options.baselineMinSamples) {
    return fixed !== null ? score(ev, { passed: true, value, label: 'pass', explanation: `within the fixed limit ${fmt(fixed)}` }) : null;
  }
  const k = ctx.options.baselineK;
  const spread = Math.max(stats.mad, 0.1 * stats.median);
  const limit = Math.max(stats.median + k * spread, isLatency ? stats.median + 50 : 0);
  if (value > limit) {
    const basis = `median ${fmt(stats.median)}, MAD ${fmt(stats.mad)} over ${stats.n} earlier runs of "${key.replace(/\|$/, '')}"`;
    return score(ev, { passed: false, value, label, explanation: `${fmt(value)} is beyond median + ${k}·MAD (${fmt(limit)}; ${basis})` });
  }
  // Passing scores are the common case on every step: no number formatting here.
  return score(ev, { passed: true, value, label: 'pass', explanation: `within median + ${k}·MAD of ${stats.n} earlier runs` });
}

const measured = (s: Step, ctx: EvalContext) =>
  MEASURED_KINDS.has(s.kind) && (ctx.baseline !== null || ctx.options.maxLatencyMs !== null || ctx.options.maxCostUsd !== null);

/** A step's duration against earlier runs of the same step name + model. */
export const latency: StepEvaluator = {
  name: 'latency',
  version: '1',
  appliesTo: measured,
  evaluate(step, ctx) {
    const s = judge(this, 'latency', stepKey(step), step.durationMs, ctx);
    return s ? [s] : [];
  },
};

/** A step's cost against earlier runs of the same step name + model. */
export const cost: StepEvaluator = {
  name: 'cost',
  version: '1',
  appliesTo: (step, ctx) => step.costUsd !== null && measured(step, ctx),
  evaluate(step, ctx) {
    const s = step.costUsd === null ? null : judge(this, 'cost', stepKey(step), step.costUsd, ctx);
    return s ? [s] : [];
  },
};

/** The whole run's wall time and cost against earlier runs of the same root name, on the root step. */
export const runBudget: RunEvaluator = {
  name: 'run-budget',
  version: '1',
  evaluateRun(run, ctx) {
    if (!run.length) return [];
    const totals = runTotals(run);
    const out: Placed[] = [];
    const t = judge({ name: 'run-latency', version: this.version }, 'run-latency', runKey(run), totals.durationMs, ctx);
    if (t) out.push({ spanId: run[0].spanId, score: t });
    const c = totals.costUsd === null ? null : judge({ name: 'run-cost', version: this.version }, 'run-cost', runKey(run), totals.costUsd, ctx);
    if (c) out.push({ spanId: run[0].spanId, score: c });
    return out;
  },
};
