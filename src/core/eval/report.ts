/** The result of evaluating many traces, as the `eval` command prints it (JSON is a public contract). */
import type { DriftFinding } from './drift';
import type { Step } from '../model/step';
import { clip } from './score';
import type { EvalScore, Scorecard } from './types';

/** One trace's result. */
export interface TraceReport {
  traceId: string;
  name: string;
  scorecard: Scorecard;
  steps: Array<{ spanId: string; name: string; scores: EvalScore[] }>;
}

/** `tracefork eval --json`. */
export interface EvalReport {
  traces: TraceReport[];
  /** Drift and session alerts across the runs, in order (warnings: they do not change the exit code). */
  alerts?: DriftFinding[];
}

/** A trace's report from its steps and their scores. */
export function traceReport(steps: readonly Step[], scores: ReadonlyMap<string, readonly EvalScore[]>, scorecard: Scorecard): TraceReport {
  return {
    traceId: steps[0]?.traceId ?? '',
    name: steps[0]?.name ?? '',
    scorecard,
    steps: steps.map((s) => ({ spanId: s.spanId, name: s.name, scores: [...(scores.get(s.spanId) ?? [])] })),
  };
}

/** True when any score of any trace failed (the CI gate). */
export const anyFailed = (r: EvalReport): boolean => r.traces.some((t) => t.scorecard.failed > 0);

function result(s: EvalScore): string {
  const mark = s.passed === false ? '✗' : s.passed === true ? '✓' : '?';
  const plain = (s.label === 'pass' && s.value === 1) || (s.label === 'fail' && s.value === 0);
  const value = s.value === null || plain ? '' : Number.isInteger(s.value) ? String(s.value) : s.value.toPrecision(3);
  return `${mark} ${[s.label, value].filter(Boolean).join(' ')}`;
}

/** The table: failing and undecided scores (all scores with `all`), then one summary line per trace and in total. */
export function formatTable(report: EvalReport, all = false): string {
  const rows: string[][] = [];
  for (const t of report.traces) {
    for (const step of t.steps) {
      for (const s of step.scores) {
        if (!all && s.passed === true) continue;
        rows.push([t.traceId.slice(0, 8), clip(step.name, 32), s.name, clip(result(s), 24), clip(s.explanation ?? '', 160)]);
      }
    }
  }
  const lines: string[] = [];
  if (rows.length) {
    const head = ['TRACE', 'STEP', 'EVALUATOR', 'RESULT', 'EXPLANATION'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [head, ...rows])
      lines.push(
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
          .join('  ')
          .trimEnd(),
      );
    lines.push('');
  }
  let passed = 0,
    failed = 0;
  for (const t of report.traces) {
    passed += t.scorecard.passed;
    failed += t.scorecard.failed;
    const failing = Object.entries(t.scorecard.byEvaluator)
      .filter(([, c]) => c.failed > 0)
      .map(([n, c]) => `${n} ×${c.failed}`);
    lines.push(
      `${t.scorecard.failed ? 'FAIL' : 'ok  '} ${t.traceId} ${t.name}: ${t.scorecard.passed} passed, ${t.scorecard.failed} failed${failing.length ? ` (${failing.join(', ')})` : ''}`,
    );
  }
  for (const a of report.alerts ?? []) lines.push(`ALERT ${a.traceId} ${a.kind}: ${a.message}`);
  const n = report.traces.length;
  lines.push(
    n
      ? `${n} trace${n === 1 ? '' : 's'}: ${passed} passed, ${failed} failed${report.alerts?.length ? `; ${report.alerts.length} drift/session alert${report.alerts.length === 1 ? '' : 's'}` : ''}`
      : 'no traces to evaluate',
  );
  return lines.join('\n') + '\n';
}
