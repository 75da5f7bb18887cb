/**
 * A/B over recorded runs: each run of a set re-run with one change — an edited system prompt, an
 * edited step input, or just the current code — and compared before and after, run by run and in
 * aggregate (evaluator pass rates, tokens, cost, latency, first divergence). "Worse" is an
 * evaluator that fails in more runs after the change than before.
 */
import type { Step } from '../model/step';
import type { StoredTrace, TraceSummary } from '../store/queries';
import type { ReplayPlan } from '../../../sdk/src/contract';
import { decode, encode } from '../../../sdk/src/contract';
import type { EvalScore } from '../eval/types';
import { buildPlan, PlanError } from './plan';
import { recordedCalls, type RecordedCall } from './recorded';
import { compareRuns } from './compare';

/** The one change of an A/B. */
export type AbChange = { kind: 'code' } | { kind: 'system'; text: string } | { kind: 'step'; name: string; input: unknown };

/** Picks the runs: trace ids (full or 8+ hex prefixes, comma-separated), `last:N`, `name:TEXT`, `model:TEXT`, `failing:N`. */
export function selectRuns(list: TraceSummary[], spec: string): TraceSummary[] {
  const originals = list.filter((t) => !t.replayOf); // newest first, as the store lists them
  const [kind, arg = ''] = spec.includes(':') ? [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1)] : ['ids', spec];
  const n = Number(arg);
  switch (kind) {
    case 'last':
      if (!Number.isInteger(n) || n <= 0) throw new PlanError(`--runs last:N takes a positive count, got "${arg}"`);
      return originals.slice(0, n);
    case 'failing':
      return originals.filter((t) => t.status === 'error' || t.errorCount > 0).slice(0, Number.isInteger(n) && n > 0 ? n : undefined);
    case 'name':
      return originals.filter((t) => t.name.toLowerCase().includes(arg.toLowerCase()));
    case 'model':
      return originals.filter((t) => (t.model ?? '').toLowerCase().includes(arg.toLowerCase()));
    case 'ids': {
      const ids = arg
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
      return ids.map((id) => {
        if (!/^[0-9a-f]{8,32}$/.test(id))
          throw new PlanError(`--runs: "${id}" is not a trace id (8 to 32 hex digits), nor last:N, failing:N, name:TEXT or model:TEXT`);
        const found = list.filter((t) => t.traceId.startsWith(id));
        if (found.length !== 1)
          throw new PlanError(found.length ? `--runs: ${id} names ${found.length} runs; give more digits` : `--runs: no run ${id} in the store`);
        return found[0]!;
      });
    }
    default:
      throw new PlanError(`--runs takes trace ids or last:N, failing:N, name:TEXT, model:TEXT; got "${spec}"`);
  }
}

/** The input with its system prompt replaced (OpenAI messages, Anthropic `system`, Responses `instructions`, AI SDK `prompt`). */
export function replaceSystem(input: unknown, text: string): unknown {
  const v = decode(input) as Record<string, unknown>;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new PlanError("the first model call's input has no system prompt to edit");
  const out: Record<string, unknown> = { ...v };
  let done = false;
  for (const field of ['system', 'instructions'] as const) {
    if (!(field in out)) continue;
    out[field] = text;
    done = true;
  }
  for (const field of ['messages', 'prompt'] as const) {
    const list = out[field];
    if (!Array.isArray(list)) continue;
    const i = list.findIndex((m) => ['system', 'developer'].includes((m as { role?: string })?.role ?? ''));
    if (i >= 0) {
      out[field] = list.map((m, j) => (j === i ? { ...(m as object), content: text } : m));
      done = true;
    } else if (!done) {
      out[field] = [{ role: 'system', content: text }, ...list];
      done = true;
    }
  }
  if (!done) throw new PlanError("the first model call's input has no system prompt or messages to edit");
  return JSON.parse(encode(out));
}

/** The plan that re-runs one recorded run with the change, or why it cannot be made. */
export function abPlan(trace: StoredTrace, change: AbChange): ReplayPlan {
  const calls = recordedCalls(trace).filter((c) => c.op !== 'step');
  if (!calls.length) throw new PlanError('not recorded with the Tracefork SDK or the proxy (no recorded calls), so it cannot be re-run');
  let at: RecordedCall | undefined;
  let input: unknown;
  if (change.kind === 'code') at = calls[0];
  else if (change.kind === 'system') {
    at = calls.find((c) => c.op === 'llm');
    if (!at) throw new PlanError('it made no model call whose system prompt could be edited');
    input = replaceSystem(at.input, change.text);
  } else {
    at = calls.find((c) => c.name === change.name || c.spanName === change.name);
    if (!at) throw new PlanError(`it has no step named ${JSON.stringify(change.name)} (names: ${[...new Set(calls.map((c) => c.name))].join(', ')})`);
    input = change.input;
  }
  const plan = buildPlan(trace, { forkSpanId: at!.spanId, input });
  // The current code as it is: the first call and everything after it run live with the code's inputs.
  return change.kind === 'code' ? { ...plan, fork: { key: at!.key, op: at!.op, name: at!.name } } : plan;
}

/** What one side of an A/B measured. */
export interface RunMetrics {
  passed: number;
  failed: number;
  /** Evaluators that failed somewhere in the run. */
  failing: string[];
  tokens: number;
  costUsd: number;
  durationMs: number;
}

/** The metrics of a run from its steps and scores. */
export function runMetrics(steps: Step[], scores: Map<string, EvalScore[]>): RunMetrics {
  let passed = 0,
    failed = 0;
  const failing = new Set<string>();
  for (const list of scores.values()) {
    for (const s of list) {
      if (s.passed === true) passed++;
      else if (s.passed === false) {
        failed++;
        failing.add(s.name);
      }
    }
  }
  const counted = steps.filter((s) => !s.rollupTokens);
  const start = Math.min(...steps.map((s) => Date.parse(s.startTime)));
  const end = Math.max(...steps.map((s) => Date.parse(s.startTime) + s.durationMs));
  return {
    passed,
    failed,
    failing: [...failing].sort(),
    tokens: counted.reduce((n, s) => n + (s.inputTokens ?? 0) + (s.outputTokens ?? 0), 0),
    costUsd: counted.reduce((n, s) => n + (s.costUsd ?? 0), 0),
    durationMs: steps.length ? end - start : 0,
  };
}

/** One run of an A/B. */
export interface AbRun {
  traceId: string;
  name: string;
  /** The re-run, when it was made. */
  replayTraceId: string | null;
  before: RunMetrics | null;
  after: RunMetrics | null;
  firstDivergence: { index: number; name: string } | null;
  /** Why the run was not compared (not replayable, the agent failed…). */
  skipped: string | null;
}

/** One compared run: before and after evaluated (with the same baseline), and where they first differ. */
export function abCompared(
  base: AbRun,
  before: { steps: Step[]; scores: Map<string, EvalScore[]> },
  after: { steps: Step[]; scores: Map<string, EvalScore[]>; traceId: string },
): AbRun {
  const c = compareRuns(before.steps, after.steps);
  const first = c.pairs[c.firstDivergence];
  return {
    ...base,
    replayTraceId: after.traceId,
    before: runMetrics(before.steps, before.scores),
    after: runMetrics(after.steps, after.scores),
    firstDivergence: first ? { index: c.firstDivergence, name: (first.right ?? first.left)!.name } : null,
    skipped: null,
  };
}

/** Per evaluator: in how many compared runs it failed before and after. */
export interface AbEvaluator {
  name: string;
  before: number;
  after: number;
  worse: boolean;
}

/** One side of the compared runs, added up: tokens and cost in total, latency per run, the share of scores that passed. */
export interface AbTotals {
  tokens: number;
  costUsd: number;
  meanDurationMs: number;
  /** Passed scores over all scores with a verdict (null when none had one). */
  passRate: number | null;
}

/** The aggregate of an A/B. */
export interface AbAggregate {
  evaluators: AbEvaluator[];
  worse: boolean;
  compared: number;
  /** Over the compared runs only (a skipped run counts on neither side). */
  totals: { before: AbTotals; after: AbTotals };
}

function totals(sides: RunMetrics[]): AbTotals {
  const scored = sides.reduce((n, m) => n + m.passed + m.failed, 0);
  return {
    tokens: sides.reduce((n, m) => n + m.tokens, 0),
    costUsd: sides.reduce((n, m) => n + m.costUsd, 0),
    meanDurationMs: sides.length ? sides.reduce((n, m) => n + m.durationMs, 0) / sides.length : 0,
    passRate: scored ? sides.reduce((n, m) => n + m.passed, 0) / scored : null,
  };
}

/** The aggregate of an A/B. */
export function aggregate(runs: AbRun[]): AbAggregate {
  const compared = runs.filter((r) => r.before && r.after);
  const names = new Set(compared.flatMap((r) => [...r.before!.failing, ...r.after!.failing]));
  const evaluators = [...names].sort().map((name) => {
    const before = compared.filter((r) => r.before!.failing.includes(name)).length;
    const after = compared.filter((r) => r.after!.failing.includes(name)).length;
    return { name, before, after, worse: after > before };
  });
  return {
    evaluators,
    worse: evaluators.some((e) => e.worse),
    compared: compared.length,
    totals: { before: totals(compared.map((r) => r.before!)), after: totals(compared.map((r) => r.after!)) },
  };
}

/** One line of the totals, before → after (the CLI's table and the extension's report). */
export function totalsLine(t: AbAggregate['totals']): string {
  const pct = (r: number | null) => (r === null ? 'n/a' : `${(r * 100).toFixed(1)}%`);
  const delta = (a: number, b: number, digits = 0) => `${b - a >= 0 ? '+' : '-'}${Math.abs(b - a).toFixed(digits)}`;
  return [
    `scores passing ${pct(t.before.passRate)} → ${pct(t.after.passRate)}`,
    `tokens ${t.before.tokens} → ${t.after.tokens} (${delta(t.before.tokens, t.after.tokens)})`,
    `cost $${t.before.costUsd.toFixed(6)} → $${t.after.costUsd.toFixed(6)} (${delta(t.before.costUsd, t.after.costUsd, 6)})`,
    `mean latency ${Math.round(t.before.meanDurationMs)} → ${Math.round(t.after.meanDurationMs)} ms (${delta(t.before.meanDurationMs, t.after.meanDurationMs)} ms)`,
  ].join('; ');
}

/** The A/B as a Markdown report (the extension's document; the same figures as `tracefork ab`). */
export function abReport(change: AbChange, runs: AbRun[], agg: AbAggregate): string {
  const what = change.kind === 'code' ? 'the current code' : change.kind === 'system' ? 'an edited system prompt' : `an edited input of ${change.name}`;
  const lines = [
    `# A/B: ${what}`,
    '',
    `${agg.compared} of ${runs.length} run(s) compared: ${
      agg.worse
        ? `**worse on ${agg.evaluators
            .filter((e) => e.worse)
            .map((e) => e.name)
            .join(', ')}**`
        : agg.compared
          ? 'no evaluator is worse'
          : '**nothing could be compared**, so this says nothing about the change'
    }.`,
    '',
  ];
  if (agg.compared) lines.push(`Over the compared runs: ${totalsLine(agg.totals)}.`, '');
  lines.push('| evaluator | runs failing before | after | |', '|---|---:|---:|---|');
  for (const e of agg.evaluators) lines.push(`| ${e.name} | ${e.before} | ${e.after} | ${e.worse ? 'worse' : e.after < e.before ? 'better' : ''} |`);
  lines.push('', '| run | before | after | Δ tokens | Δ cost | Δ latency | first divergence |', '|---|---|---|---:|---:|---:|---|');
  for (const r of runs) {
    if (!r.before || !r.after) {
      lines.push(`| ${r.traceId.slice(0, 8)} ${r.name} | skipped: ${r.skipped} | | | | | |`);
      continue;
    }
    const pass = (m: RunMetrics) => `${m.passed}/${m.passed + m.failed} pass${m.failing.length ? ` (${m.failing.join(', ')})` : ''}`;
    lines.push(
      `| ${r.traceId.slice(0, 8)} ${r.name} | ${pass(r.before)} | ${pass(r.after)} | ${r.after.tokens - r.before.tokens} | ${(r.after.costUsd - r.before.costUsd).toFixed(6)} | ${Math.round(r.after.durationMs - r.before.durationMs)} ms | ${r.firstDivergence ? `${r.firstDivergence.name} (step ${r.firstDivergence.index + 1})` : 'none'} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
