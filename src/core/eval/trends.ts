/**
 * The Trends view's data: for one step name and metric, its value in each of the last runs, with
 * the band of the runs before each point (the drift detector's robust baseline), so a shift is
 * seen, not read. Plain data for the webview.
 */
import type { Step } from '../model/step';
import type { EvalScore } from './types';
import { higherIsWorse, metricLabel, robustBand, runPoints } from './drift';

/** One run, evaluated. */
export interface EvaluatedRun {
  traceId: string;
  name: string;
  startTime: string;
  steps: readonly Step[];
  scores: Map<string, EvalScore[]>;
}

/** A series the view can show. */
export interface TrendSeries {
  id: string;
  stepName: string;
  metric: string;
  label: string;
  runs: number;
}

/** One point of a series. */
export interface TrendPoint {
  traceId: string;
  spanId: string;
  runName: string;
  time: string;
  value: number;
  /** The band of up to `baseline` runs before this one (null until there are enough). */
  band: { median: number; low: number; high: number } | null;
  /** Outside the band on the bad side. */
  outside: boolean;
}

/** Every series of the runs, most runs first. */
export function trendSeries(runs: readonly EvaluatedRun[]): TrendSeries[] {
  const count = new Map<string, TrendSeries>();
  for (const r of runs) {
    for (const p of runPoints(r.steps, r.scores)) {
      const id = `${p.name}\u0000${p.metric}`;
      const s = count.get(id) ?? { id, stepName: p.name, metric: p.metric, label: `${metricLabel(p.metric)} of ${p.name}`, runs: 0 };
      s.runs++;
      count.set(id, s);
    }
  }
  return [...count.values()].sort((a, b) => b.runs - a.runs || a.label.localeCompare(b.label));
}

/** The points of one series, oldest first; each band from the `baseline` runs before it (at least `minBaseline`). */
export function trendPoints(runs: readonly EvaluatedRun[], seriesId: string, opts: { baseline?: number; minBaseline?: number; k?: number } = {}): TrendPoint[] {
  const { baseline = 20, minBaseline = 5, k = 3 } = opts;
  const [name, metric] = seriesId.split('\u0000') as [string, string];
  const points: TrendPoint[] = [];
  for (const r of runs) {
    const p = runPoints(r.steps, r.scores).find((x) => x.name === name && x.metric === metric);
    if (!p) continue;
    const before = points.slice(-baseline).map((x) => x.value);
    const band = before.length >= minBaseline ? robustBand(before, k) : null;
    const outside = !!band && (higherIsWorse(metric) ? p.value > band.high : p.value < band.low);
    points.push({
      traceId: r.traceId,
      spanId: p.spanId,
      runName: r.name,
      time: r.startTime,
      value: p.value,
      band: band && { median: band.median, low: band.low, high: band.high },
      outside,
    });
  }
  return points;
}
