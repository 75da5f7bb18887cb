/**
 * Drift and session alerts: what a single run's evaluators cannot see. Per step name, a run gives
 * one point per metric — each numeric score's mean (scores that are not only 0/1), the median
 * latency, the cost — and a metric whose recent median (the last `window` runs) moves beyond the
 * spread of the runs before them (median ± k·1.4826·MAD, a robust baseline, not a fixed threshold)
 * in the bad direction raises one finding on the run that crossed it, and no other until it comes
 * back. Within one session (conversation), the same evaluator failing in several runs escalates to
 * one session warning.
 */
import type { Step } from '../model/step';
import type { EvalScore } from './types';

/** One alert. */
export interface DriftFinding {
  kind: 'drift' | 'session';
  /** Stable across re-evaluations: the series (or session and evaluator) and the run that crossed. */
  id: string;
  traceId: string;
  /** A step of the series in that run (to open, or to fork at). */
  spanId: string | null;
  stepName: string | null;
  metric: string;
  message: string;
  baselineMedian?: number;
  recentMedian?: number;
  sessionId?: string;
}

/** Settings of the detector. */
export interface DriftOptions {
  /** Recent runs compared (default 10). */
  window?: number;
  /** Fewest earlier runs for a baseline (default 10); at most `maxBaseline` are used (default 50). */
  minBaseline?: number;
  maxBaseline?: number;
  /** How many robust standard deviations count as a shift (default 3). */
  k?: number;
  /** Failures of one evaluator within a session that make a session warning (default 3). */
  sessionFailures?: number;
}

interface Series {
  /** Run id → value, in the order runs were first seen. */
  points: Map<string, number>;
  /** The span of the step in each run. */
  spans: Map<string, string>;
  drifted: boolean;
}

const KINDS = new Set(['llm', 'tool', 'retrieval', 'agent', 'embedding']);

/** The median of a list (the mean of the middle two for an even length). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The robust band of a baseline: its median, and k robust standard deviations (1.4826·MAD, floored at 5% of the median). */
export function robustBand(base: number[], k = 3): { median: number; spread: number; low: number; high: number } {
  const m = median(base);
  const spread = Math.max(1.4826 * median(base.map((v) => Math.abs(v - m))), 0.05 * Math.abs(m), 1e-9);
  return { median: m, spread, low: m - k * spread, high: m + k * spread };
}

/** One run's points: per step name and metric (`latency`, `cost`, `score:<evaluator>`), its value and a step of it. */
export function runPoints(steps: readonly Step[], scores: Map<string, EvalScore[]>): Array<{ name: string; metric: string; value: number; spanId: string }> {
  const out: Array<{ name: string; metric: string; value: number; spanId: string }> = [];
  const byName = new Map<string, Step[]>();
  for (const s of steps) if (KINDS.has(s.kind)) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  for (const [name, group] of byName) {
    const spanId = group[0]!.spanId;
    out.push({ name, metric: 'latency', value: median(group.map((s) => s.durationMs)), spanId });
    const costs = group.map((s) => s.costUsd).filter((c): c is number => c !== null);
    if (costs.length) out.push({ name, metric: 'cost', value: costs.reduce((a, b) => a + b, 0), spanId });
    const byEval = new Map<string, number[]>();
    for (const s of group)
      for (const sc of scores.get(s.spanId) ?? [])
        if (sc.value !== null && Number.isFinite(sc.value)) byEval.set(sc.name, [...(byEval.get(sc.name) ?? []), sc.value]);
    for (const [ev, vals] of byEval) out.push({ name, metric: `score:${ev}`, value: vals.reduce((a, b) => a + b, 0) / vals.length, spanId });
  }
  return out;
}

/** How a metric is shown. */
export const metricLabel = (metric: string): string => (metric === 'latency' ? 'latency' : metric === 'cost' ? 'cost' : metric.slice('score:'.length));

/** Whether a higher value is worse (latency, cost) or better (scores). */
export const higherIsWorse = (metric: string): boolean => !metric.startsWith('score:');

const fmt = (metric: string, v: number) =>
  metric === 'latency' ? `${Math.round(v)} ms` : metric === 'cost' ? `$${v.toFixed(6)}` : String(Math.round(v * 100) / 100);

/** Watches runs in the order they happen; a run seen again (it grew) replaces its points. */
export class DriftDetector {
  private readonly series = new Map<string, Series>();
  /** session → evaluator → runs it failed in. */
  private readonly sessions = new Map<string, Map<string, Set<string>>>();
  private readonly warned = new Set<string>();
  private readonly opts: Required<DriftOptions>;

  constructor(opts: DriftOptions = {}) {
    this.opts = { window: 10, minBaseline: 10, maxBaseline: 50, k: 3, sessionFailures: 3, ...opts };
  }

  /** Adds one run; returns the findings it raises. */
  observe(traceId: string, steps: readonly Step[], scores: Map<string, EvalScore[]>): DriftFinding[] {
    const found: DriftFinding[] = [];
    for (const p of runPoints(steps, scores)) {
      const f = this.point(`${p.name}\u0000${p.metric}`, traceId, p.spanId, p.value, p.name, p.metric);
      if (f) found.push(f);
    }
    found.push(...this.session(traceId, steps, scores));
    return found;
  }

  private point(key: string, traceId: string, spanId: string, value: number, name: string, metric: string): DriftFinding | null {
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { points: new Map(), spans: new Map(), drifted: false }));
    s.points.set(traceId, value);
    s.spans.set(traceId, spanId);
    const { window, minBaseline, maxBaseline, k } = this.opts;
    while (s.points.size > window + maxBaseline) {
      const oldest = s.points.keys().next().value!;
      s.points.delete(oldest);
      s.spans.delete(oldest);
    }
    const values = [...s.points.values()];
    if (values.length < window + minBaseline) return null;
    const base = values.slice(0, -window);
    const recent = values.slice(-window);
    if (metric.startsWith('score:') && [...base, ...recent].every((v) => v === 0 || v === 1)) return null; // pass/fail: the per-run findings say it
    const { median: m0, spread } = robustBand(base, k);
    const m1 = median(recent);
    const worse = metric.startsWith('score:') ? m0 - m1 : m1 - m0;
    if (s.drifted) {
      if (worse < (k * spread) / 2) s.drifted = false; // back within the baseline: it may alert again
      return null;
    }
    if (worse <= k * spread) return null;
    s.drifted = true;
    const what = metric === 'latency' ? 'latency' : metric === 'cost' ? 'cost' : metric.slice('score:'.length);
    const verb = metric.startsWith('score:') ? 'fell' : 'rose';
    return {
      kind: 'drift',
      id: `drift:${key}:${traceId}`,
      traceId,
      spanId,
      stepName: name,
      metric,
      baselineMedian: m0,
      recentMedian: m1,
      message: `${what} of \`${name}\` ${verb} from a median ${fmt(metric, m0)} to ${fmt(metric, m1)} over the last ${window} runs (baseline: the ${base.length} runs before)`,
    };
  }

  private session(traceId: string, steps: readonly Step[], scores: Map<string, EvalScore[]>): DriftFinding[] {
    const out: DriftFinding[] = [];
    const session = steps.find((s) => s.sessionId)?.sessionId;
    if (!session) return out;
    let evs = this.sessions.get(session);
    if (!evs) this.sessions.set(session, (evs = new Map()));
    if (this.sessions.size > 1000) this.sessions.delete(this.sessions.keys().next().value!);
    for (const s of steps) {
      for (const sc of scores.get(s.spanId) ?? []) {
        if (sc.passed !== false) continue;
        let runs = evs.get(sc.name);
        if (!runs) evs.set(sc.name, (runs = new Set()));
        runs.add(traceId);
        const id = `session:${session}:${sc.name}`;
        if (runs.size >= this.opts.sessionFailures && !this.warned.has(id)) {
          this.warned.add(id);
          out.push({
            kind: 'session',
            id,
            traceId,
            spanId: s.spanId,
            stepName: s.name,
            metric: `score:${sc.name}`,
            sessionId: session,
            message: `${sc.name} failed in ${runs.size} runs of session ${session} (last on \`${s.name}\`)`,
          });
        }
      }
    }
    return out;
  }
}
