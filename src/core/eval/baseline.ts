/**
 * The rolling baseline: the last `window` latency and cost values of each step name + model (and
 * of each run name), fed by earlier runs. Median and MAD are cached per key until the key changes.
 */
import type { Step, StepKind } from '../model/step';

/** What the baseline tracks. */
export type Metric = 'latency' | 'cost' | 'run-latency' | 'run-cost';

/** Step kinds whose latency and cost are compared with earlier runs. */
export const MEASURED_KINDS: ReadonlySet<StepKind> = new Set(['llm', 'tool', 'retrieval', 'embedding']);

/** Median and median absolute deviation of a key's values. */
export interface Stats {
  n: number;
  median: number;
  mad: number;
}

/** The baseline key of a step: its name and model. */
export const stepKey = (s: Step): string => `${s.name}|${s.model ?? ''}`;

/** The baseline key of a run: its root's name. */
export const runKey = (run: readonly Step[]): string => `run|${run[0]?.name ?? ''}`;

/** A run's wall time (first start to last end) and summed cost (null when no step has one). */
export function runTotals(run: readonly Step[]): { durationMs: number; costUsd: number | null } {
  let start = Infinity,
    end = -Infinity,
    cost: number | null = null;
  for (const s of run) {
    const t = Date.parse(s.startTime);
    start = Math.min(start, t);
    end = Math.max(end, t + s.durationMs);
    if (s.costUsd !== null) cost = (cost ?? 0) + s.costUsd;
  }
  return { durationMs: run.length ? end - start : 0, costUsd: cost };
}

/** Index of the first element of `sorted` that is ≥ v. */
function lowerBound(sorted: number[], v: number): number {
  let lo = 0,
    hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The k-th smallest (0-based) absolute deviation from `med` of `sorted`: a merge walking outwards from the median, O(k). */
function kthDeviation(sorted: number[], med: number, k: number): number {
  let right = lowerBound(sorted, med),
    left = right - 1,
    d = 0;
  for (let i = 0; i <= k; i++) {
    const dl = left >= 0 ? med - sorted[left] : Infinity;
    const dr = right < sorted.length ? sorted[right] - med : Infinity;
    if (dl <= dr) {
      d = dl;
      left--;
    } else {
      d = dr;
      right++;
    }
  }
  return d;
}

/** Median and MAD of a sorted, non-empty list in O(n) without allocating. */
function statsOf(sorted: number[]): Stats {
  const n = sorted.length,
    m = n >> 1;
  const median = n % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  const mad = n % 2 ? kthDeviation(sorted, median, m) : (kthDeviation(sorted, median, m - 1) + kthDeviation(sorted, median, m)) / 2;
  return { n, median, mad };
}

/** The last `window` values of one key: a ring for eviction order, and the same values kept sorted. */
interface Series {
  ring: number[];
  next: number;
  sorted: number[];
  stats: Stats | null;
}

/** Latency and cost history per key. */
export class Baseline {
  private series: Record<Metric, Map<string, Series>> = { latency: new Map(), cost: new Map(), 'run-latency': new Map(), 'run-cost': new Map() };
  private seen = new Set<string>();

  constructor(
    private readonly window = 200,
    private readonly maxSeen = 100_000,
  ) {}

  /** Adds one value (the oldest falls out past `window`). */
  add(metric: Metric, key: string, value: number): void {
    if (!Number.isFinite(value)) return;
    let s = this.series[metric].get(key);
    if (!s) this.series[metric].set(key, (s = { ring: [], next: 0, sorted: [], stats: null }));
    if (s.ring.length < this.window) s.ring.push(value);
    else {
      s.sorted.splice(lowerBound(s.sorted, s.ring[s.next]), 1);
      s.ring[s.next] = value;
    }
    s.next = (s.next + 1) % this.window;
    s.sorted.splice(lowerBound(s.sorted, value), 0, value);
    s.stats = null;
  }

  /** Feeds a finished run: each measured step once (by span id, so re-observing is harmless) and the run totals. */
  observe(run: readonly Step[]): void {
    if (!run.length || this.seen.has(`run:${run[0].traceId}`)) return;
    this.remember(`run:${run[0].traceId}`);
    for (const s of run) {
      if (!MEASURED_KINDS.has(s.kind) || this.seen.has(s.spanId)) continue;
      this.remember(s.spanId);
      this.add('latency', stepKey(s), s.durationMs);
      if (s.costUsd !== null) this.add('cost', stepKey(s), s.costUsd);
    }
    const totals = runTotals(run);
    this.add('run-latency', runKey(run), totals.durationMs);
    if (totals.costUsd !== null) this.add('run-cost', runKey(run), totals.costUsd);
  }

  /** Median and MAD of a key, or null when it has no values. */
  stats(metric: Metric, key: string): Stats | null {
    const s = this.series[metric].get(key);
    if (!s?.sorted.length) return null;
    return (s.stats ??= statsOf(s.sorted));
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > this.maxSeen) this.seen.delete(this.seen.values().next().value as string);
  }
}
