/**
 * What the editor shows at a source line, from the steps recorded there: Problems (a failing
 * step, an evaluator that failed) and a CodeLens summary (runs, failures, p95 latency, cost).
 * Plain data, no `vscode`: codeInsights.ts turns it into Diagnostics and CodeLenses.
 */

/** One step that has a source line on this machine. */
export interface LineStep {
  file: string;
  line: number;
  traceId: string;
  spanId: string;
  name: string;
  failed: boolean;
  error: string | null;
  /** Evaluators that failed on this step, with their explanations. */
  findings: Array<{ name: string; explanation: string | null }>;
  durationMs: number;
  costUsd: number | null;
  time: number;
}

/** A Problem at a line: an error for a failing step, a warning per failed evaluator. */
export interface LineProblem {
  file: string;
  line: number;
  severity: 'error' | 'warning';
  message: string;
  /** The code shown beside it (a link that opens `traceId` at `spanId`). */
  code: string;
  traceId: string;
  spanId: string;
}

/** A CodeLens at a line: its summary, opening the latest run at that step. */
export interface LineLens {
  line: number;
  title: string;
  traceId: string;
  spanId: string;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

/** The 95th percentile (nearest rank). */
export function p95(values: number[]): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`;
}

/**
 * The Problems: per line and step name, one error for its failures (the latest one's error, in how
 * many of the runs there it failed); per line, step and evaluator, one warning (the latest run's).
 */
export function lineProblems(steps: readonly LineStep[]): LineProblem[] {
  const out: LineProblem[] = [];
  for (const group of groupBy(steps, (s) => `${s.file}\0${s.line}\0${s.name}`).values()) {
    const failures = group.filter((s) => s.failed).sort((a, b) => b.time - a.time);
    if (!failures.length) continue;
    const latest = failures[0]!;
    const runs = new Set(group.map((s) => s.traceId)).size;
    out.push({
      file: latest.file,
      line: latest.line,
      severity: 'error',
      message: `${latest.name} failed in ${new Set(failures.map((s) => s.traceId)).size} of ${runs} run(s): ${latest.error ?? 'error status'}`,
      code: 'open run',
      traceId: latest.traceId,
      spanId: latest.spanId,
    });
  }
  const seen = new Set<string>();
  for (const s of [...steps].sort((a, b) => b.time - a.time)) {
    for (const f of s.failed ? [] : s.findings) {
      const key = `${s.file}|${s.line}|${s.name}|${f.name}`;
      if (seen.has(key)) continue; // the latest run's finding stands for the others
      seen.add(key);
      out.push({
        file: s.file,
        line: s.line,
        severity: 'warning',
        message: `${s.name}: evaluator ${f.name} failed${f.explanation ? ` — ${f.explanation}` : ''}`,
        code: f.name,
        traceId: s.traceId,
        spanId: s.spanId,
      });
    }
  }
  return out;
}

/** The lenses of one file: per line, its runs, failing runs, p95 latency and cost. */
export function lineLenses(steps: readonly LineStep[], file: string): LineLens[] {
  return [
    ...groupBy(
      steps.filter((s) => s.file === file),
      (s) => String(s.line),
    ),
  ].map(([line, group]) => {
    const latest = group.reduce((a, b) => (b.time > a.time ? b : a));
    const runs = new Set(group.map((s) => s.traceId)).size;
    const failing = new Set(group.filter((s) => s.failed).map((s) => s.traceId)).size;
    const cost = group.reduce((n, s) => n + (s.costUsd ?? 0), 0);
    const title = [
      `$(pulse) ${runs} run${runs === 1 ? '' : 's'}`,
      failing ? `$(error) ${failing} failing` : null,
      `p95 ${fmtMs(p95(group.map((s) => s.durationMs)))}`,
      cost ? `$${cost.toFixed(4)}` : null,
    ]
      .filter(Boolean)
      .join(' · ');
    return { line: Number(line), title, traceId: latest.traceId, spanId: latest.spanId };
  });
}
