/**
 * What a coding agent can ask Tracefork, as tools (one definition for every front end: the MCP
 * server of `tracefork mcp`, VS Code's language-model tools): list runs, read a run and a step,
 * compare, evaluate, save a regression case, fork and replay. Answers are text a model reads well —
 * ids and file:line first, compact, bounded with a way to page — plus the same facts structured.
 * Bad arguments are a ToolInputError whose message says what to pass instead.
 */
import { caseRecording } from '../eval/caseRun';
import type { Step } from '../model/step';
import type { PriceTable } from '../model/cost';
import type { StoredTrace, TraceSummary } from '../store/queries';
import { baselineFromStore, evaluateTrace, type TraceEvaluation } from '../eval/trace';
import { writeRegressionCase } from '../eval/cases';
import { compareRuns, type Comparison } from '../replay/compare';
import type { ToolPolicy } from '../../../sdk/src/contract';

/** The store the tools read. */
export interface ToolStore {
  list(): TraceSummary[];
  get(traceId: string): StoredTrace | null;
}

/** Runs a replay for `fork_replay`/`replay` (the front end knows how to start the agent). */
export type ReplayRunner = (req: {
  traceId: string;
  forkSpanId: string | null;
  input?: unknown;
  tools?: Record<string, ToolPolicy>;
}) => Promise<{ traceId: string; planId: string; agentExitCode: number }>;

/** What the tools work with. */
export interface ToolEnv {
  store: ToolStore;
  /** Absent: fork_replay and replay answer how to enable them. */
  replay?: ReplayRunner;
  /** Why replay is unavailable, when `replay` is absent. */
  replayUnavailable?: string;
  /** Where save_regression_case writes (`.tracefork/cases` of the workspace). */
  casesDir?: string;
  prices?: PriceTable;
}

/** A tool's answer. */
export interface ToolAnswer {
  text: string;
  structured: Record<string, unknown>;
}

/** A bad argument, phrased for the model to act on. */
export class ToolInputError extends Error {}

const MAX_LIST = 200;
/** What a step is called for a reader: a tool step by its tool's name. */
const label = (s: Step) => (s.kind === 'tool' && s.toolName && s.toolName !== s.name ? s.toolName : s.name);
const where = (s: Step) => (s.code ? `${s.code.file}:${s.code.line ?? '?'}` : 'no source location');
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}… [${s.length - n} more chars]` : s);

function trace(env: ToolEnv, traceId: unknown): StoredTrace {
  if (typeof traceId !== 'string' || !/^[0-9a-f]{32}$/i.test(traceId))
    throw new ToolInputError(`traceId must be a run's 32-hex-digit id (from list_runs), got ${JSON.stringify(traceId)}`);
  const t = env.store.get(traceId.toLowerCase());
  if (!t) throw new ToolInputError(`no run ${traceId} in the store; call list_runs for the ids there are`);
  return t;
}

/** A run's steps and scores, judged against the 50 runs before it (what the views show). */
export function evaluateRun(env: ToolEnv, t: StoredTrace): TraceEvaluation {
  return evaluateTrace(t, { prices: env.prices, baseline: baselineFromStore(env.store, { beforeTraceId: t.traceId, maxTraces: 50, prices: env.prices }) });
}

/**
 * The newest `limit` runs evaluated as `tracefork eval` does, oldest first with one rolling baseline
 * (seeded with the 50 runs before them), so a page of runs costs one pass, not one baseline each.
 */
function evaluateRecent(env: ToolEnv, newestFirst: TraceSummary[]): Map<string, TraceEvaluation> {
  const out = new Map<string, TraceEvaluation>();
  const oldestFirst = [...newestFirst].reverse();
  if (!oldestFirst.length) return out;
  const baseline = baselineFromStore(env.store, { beforeTraceId: oldestFirst[0]!.traceId, maxTraces: 50, prices: env.prices });
  for (const t of oldestFirst) {
    const stored = env.store.get(t.traceId);
    if (!stored) continue;
    const ev = evaluateTrace(stored, { prices: env.prices, baseline });
    baseline.observe(ev.steps);
    out.set(t.traceId, ev);
  }
  return out;
}

interface Finding {
  spanId: string;
  kind: string;
  name: string;
  at: string;
  why: string;
}

function findings(ev: TraceEvaluation): Finding[] {
  const out: Finding[] = [];
  for (const s of ev.steps) {
    const failed = s.scores.filter((x) => x.passed === false);
    if (s.status !== 'error' && !failed.length) continue;
    const why = [
      s.status === 'error' ? `error: ${s.error ?? 'status ERROR'}` : '',
      ...failed.map((x) => `${x.name} failed${x.explanation ? `: ${x.explanation}` : ''}`),
    ]
      .filter(Boolean)
      .join('; ');
    out.push({ spanId: s.spanId, kind: s.kind, name: label(s), at: where(s), why: clip(why, 300) });
  }
  return out;
}

/** list_runs: recent runs, failing first, filtered. */
export function listRuns(
  env: ToolEnv,
  args: { status?: 'failing' | 'passing' | 'any'; evaluator?: string; model?: string; text?: string; since?: string; limit?: number },
): ToolAnswer {
  const limit = Math.min(Math.max(Math.floor(args.limit ?? 20), 1), MAX_LIST);
  const since = args.since ? Date.parse(args.since) : NaN;
  if (args.since && Number.isNaN(since)) throw new ToolInputError(`since must be an ISO date or time (e.g. 2026-12-02T10:00:00Z), got "${args.since}"`);
  const rows = [];
  const candidates = env.store
    .list()
    .slice(0, MAX_LIST)
    .filter(
      (t) =>
        (Number.isNaN(since) || Date.parse(t.startTime) >= since) &&
        (!args.model || (t.model ?? '').toLowerCase().includes(args.model.toLowerCase())) &&
        (!args.text || t.name.toLowerCase().includes(args.text.toLowerCase()) || t.traceId.startsWith(args.text.toLowerCase())),
    );
  const evaluated = evaluateRecent(env, candidates);
  for (const t of candidates) {
    const ev = evaluated.get(t.traceId);
    if (!ev) continue;
    const f = findings(ev);
    const failingEvaluators = Object.entries(ev.scorecard.byEvaluator)
      .filter(([, c]) => c.failed > 0)
      .map(([n]) => n);
    const failing = t.status === 'error' || f.length > 0;
    if (args.status === 'failing' && !failing) continue;
    if (args.status === 'passing' && failing) continue;
    if (args.evaluator && !failingEvaluators.includes(args.evaluator)) continue;
    const cost = ev.steps.reduce((n, s) => n + (s.costUsd ?? 0), 0);
    rows.push({
      traceId: t.traceId,
      name: t.name,
      startTime: t.startTime,
      steps: t.spanCount,
      durationMs: Math.round(t.durationMs),
      costUsd: cost || null,
      failing,
      failingEvaluators,
      why: f[0] ? `${f[0].kind} ${f[0].name} at ${f[0].at}: ${f[0].why}` : null,
      replayOf: t.replayOf ?? null,
    });
  }
  rows.sort((a, b) => Number(b.failing) - Number(a.failing));
  const shown = rows.slice(0, limit);
  const lines = shown.map(
    (r) =>
      `${r.traceId} ${r.failing ? 'FAILING' : 'ok'} "${r.name}" · ${r.steps} steps · ${r.durationMs} ms${r.costUsd ? ` · $${r.costUsd.toFixed(4)}` : ''} · ${r.startTime}${r.replayOf ? ` · replay of ${r.replayOf}` : ''}${r.why ? `\n  why: ${r.why}` : ''}`,
  );
  const head = `${rows.length} run(s) match${rows.length > shown.length ? `, showing ${shown.length} (pass limit for more)` : ''}; failing first. Drill in with get_run.`;
  return { text: [head, ...lines].join('\n'), structured: { runs: shown, total: rows.length } };
}

/** get_run: a run's failing steps with findings and locations, then its step tree, paged. */
export function getRun(env: ToolEnv, args: { traceId: string; offset?: number; maxSteps?: number }): ToolAnswer {
  const t = trace(env, args.traceId);
  const ev = evaluateRun(env, t);
  const f = findings(ev);
  const offset = Math.max(Math.floor(args.offset ?? 0), 0);
  const max = Math.min(Math.max(Math.floor(args.maxSteps ?? 40), 1), 200);
  const page = ev.steps.slice(offset, offset + max);
  const tree = page.map(
    (s) =>
      `${'  '.repeat(s.depth)}${s.spanId} ${s.kind} ${label(s)}${s.status === 'error' ? ' [ERROR]' : ''}${s.model ? ` (${s.model})` : ''} · ${Math.round(s.durationMs)} ms · ${where(s)}`,
  );
  const rest = ev.steps.length - offset - page.length;
  const text = [
    `run ${t.traceId}: ${ev.steps.length} steps, ${f.length} failing${f.length ? '' : ' (none)'}; scorecard ${ev.scorecard.passed} passed, ${ev.scorecard.failed} failed.`,
    ...(f.length
      ? ['failing steps (get_step for detail, fork_replay to try a fix):', ...f.map((x) => `- ${x.spanId} ${x.kind} ${x.name} at ${x.at}\n  ${x.why}`)]
      : []),
    `steps ${offset + 1}–${offset + page.length} of ${ev.steps.length} (span id, kind, name, location):`,
    ...tree,
    ...(rest > 0 ? [`… ${rest} more steps: call get_run with offset=${offset + page.length}`] : []),
  ].join('\n');
  return {
    text,
    structured: {
      traceId: t.traceId,
      stepCount: ev.steps.length,
      failing: f,
      steps: page.map((s) => ({
        spanId: s.spanId,
        parentSpanId: s.parentSpanId,
        depth: s.depth,
        kind: s.kind,
        name: label(s),
        status: s.status,
        model: s.model,
        durationMs: s.durationMs,
        code: s.code,
      })),
      nextOffset: rest > 0 ? offset + page.length : null,
    },
  };
}

/** get_step: one step's input, output, tool calls, error and stack; long values clipped with a way to read on. */
export function getStep(env: ToolEnv, args: { traceId: string; spanId: string; attributes?: boolean; maxChars?: number; offset?: number }): ToolAnswer {
  const t = trace(env, args.traceId);
  const ev = evaluateRun(env, t);
  const s = ev.steps.find((x) => x.spanId === String(args.spanId).toLowerCase());
  if (!s) throw new ToolInputError(`run ${t.traceId} has no step ${JSON.stringify(args.spanId)}; get_run lists its span ids`);
  const max = Math.min(Math.max(Math.floor(args.maxChars ?? 4000), 200), 50_000);
  const offset = Math.max(Math.floor(args.offset ?? 0), 0);
  const stack = s.events.map((e) => e.attributes['exception.stacktrace']).find((x): x is string => typeof x === 'string') ?? null;
  const full = [
    `step ${s.spanId} ${s.kind} "${label(s)}" in run ${t.traceId} at ${where(s)}`,
    `status ${s.status}${s.error ? `: ${s.error}` : ''}${s.model ? ` · model ${s.model}` : ''}${s.inputTokens !== null ? ` · tokens ${s.inputTokens}→${s.outputTokens ?? 0}` : ''} · ${Math.round(s.durationMs)} ms`,
    ...s.scores.filter((x) => x.passed === false).map((x) => `finding: ${x.name} failed${x.explanation ? `: ${x.explanation}` : ''}`),
    `input: ${JSON.stringify(s.input)}`,
    `output: ${JSON.stringify(s.output)}`,
    ...(stack ? [`stack:\n${stack}`] : []),
    ...(args.attributes ? [`attributes: ${JSON.stringify(s.attributes)}`] : []),
  ].join('\n');
  const part = full.slice(offset, offset + max);
  const more = full.length - offset - part.length;
  const text = more > 0 ? `${part}\n[… truncated: ${more} more chars; call get_step with offset=${offset + part.length}]` : part;
  return {
    text,
    structured: {
      traceId: t.traceId,
      spanId: s.spanId,
      kind: s.kind,
      name: s.name,
      status: s.status,
      error: s.error,
      code: s.code,
      findings: s.scores.filter((x) => x.passed === false),
      truncated: more > 0,
      nextOffset: more > 0 ? offset + part.length : null,
    },
  };
}

function summariseComparison(c: Comparison): string[] {
  const first = c.firstDivergence >= 0 ? c.pairs[c.firstDivergence]! : null;
  const s = first && (first.right ?? first.left)!;
  return [
    first
      ? `first divergence: ${s!.kind} ${label(s!)} (${first.status}${first.differs.length ? `: ${first.differs.join(', ')}` : ''}${first.source ? `, ${first.source}` : ''})`
      : 'the runs match step for step',
    `${c.counts.same} same, ${c.counts.changed} changed, ${c.counts.added} added, ${c.counts.removed} removed`,
  ];
}

/** compare_runs: step-by-step comparison of two runs. */
export function compareTool(env: ToolEnv, args: { a: string; b: string }): ToolAnswer {
  const a = trace(env, args.a),
    b = trace(env, args.b);
  const c = compareRuns(evaluateRun(env, a).steps, evaluateRun(env, b).steps);
  const changed = c.pairs
    .filter((p) => p.status !== 'same')
    .slice(0, 30)
    .map((p) => `${p.status} ${(p.right ?? p.left)!.kind} ${label((p.right ?? p.left)!)}${p.differs.length ? ` (${p.differs.join(', ')})` : ''}`);
  return {
    text: [`${a.traceId} vs ${b.traceId}`, ...summariseComparison(c), ...changed].join('\n'),
    structured: { firstDivergence: c.firstDivergence, counts: c.counts },
  };
}

/** eval: the evaluators over one run, or over recent runs. */
export function evalTool(env: ToolEnv, args: { traceId?: string; limit?: number }): ToolAnswer {
  const evaluated = args.traceId
    ? new Map([[args.traceId.toLowerCase(), evaluateRun(env, trace(env, args.traceId))]])
    : evaluateRecent(env, env.store.list().slice(0, Math.min(Math.max(Math.floor(args.limit ?? 20), 1), MAX_LIST)));
  const runs = [...evaluated].reverse().map(([id, ev]) => ({ traceId: id, passed: ev.scorecard.passed, failed: ev.scorecard.failed, findings: findings(ev) }));
  const lines = runs.map(
    (r) =>
      `${r.traceId} ${r.failed ? 'FAIL' : 'PASS'} ${r.passed} passed, ${r.failed} failed${r.findings
        .slice(0, 3)
        .map((f) => `\n  ${f.spanId} ${f.kind} ${f.name} at ${f.at}: ${f.why}`)
        .join('')}`,
  );
  return { text: [`${runs.filter((r) => r.failed).length} of ${runs.length} run(s) fail an evaluator`, ...lines].join('\n'), structured: { runs } };
}

/** save_regression_case: one step as a regression case in `.tracefork/cases/cases.jsonl`. */
export function saveCase(env: ToolEnv, args: { traceId: string; spanId: string }): ToolAnswer {
  if (!env.casesDir) throw new ToolInputError('no workspace folder to save regression cases in; start the server in your project (or pass --cases DIR)');
  const t = trace(env, args.traceId);
  const ev = evaluateRun(env, t);
  const s = ev.steps.find((x) => x.spanId === String(args.spanId).toLowerCase());
  if (!s) throw new ToolInputError(`run ${t.traceId} has no step ${JSON.stringify(args.spanId)}; get_run lists its span ids`);
  const file = writeRegressionCase(s, ev.steps, ev.scores.get(s.spanId) ?? [], env.casesDir, new Date(), caseRecording(t, s.spanId));
  return {
    text: `saved step ${s.spanId} (${s.kind} ${s.name}) of run ${t.traceId} as a regression case in ${file}`,
    structured: { file, traceId: t.traceId, spanId: s.spanId },
  };
}

/** fork_replay / replay: re-runs the agent under a plan, then compares the new run with the original. */
export async function forkReplay(
  env: ToolEnv,
  args: { traceId: string; spanId?: string; input?: unknown; tools?: Record<string, ToolPolicy> },
): Promise<ToolAnswer> {
  const original = trace(env, args.traceId);
  if (!env.replay) throw new ToolInputError(env.replayUnavailable ?? 'replay is not available here');
  if (args.spanId !== undefined && !original.spans.some((s) => s.span.spanId === String(args.spanId).toLowerCase()))
    throw new ToolInputError(`run ${original.traceId} has no step ${JSON.stringify(args.spanId)}; get_run lists its span ids`);
  if (args.spanId === undefined && args.input !== undefined)
    throw new ToolInputError('input edits the fork step: pass spanId too (or leave input out to replay the whole run)');
  const r = await env.replay({ traceId: original.traceId, forkSpanId: args.spanId?.toLowerCase() ?? null, input: args.input, tools: args.tools });
  const fresh = env.store.get(r.traceId);
  if (!fresh) throw new Error(`the replayed run ${r.traceId} is not in the store`);
  const before = evaluateRun(env, original),
    after = evaluateRun(env, fresh);
  const c = compareRuns(before.steps, after.steps);
  const wasFailing = findings(before).length > 0,
    nowFailing = findings(after);
  const verdict = nowFailing.length
    ? `the new run still fails: ${nowFailing[0]!.kind} ${nowFailing[0]!.name} at ${nowFailing[0]!.at}: ${nowFailing[0]!.why}`
    : wasFailing
      ? 'the new run succeeds: no step fails any more'
      : 'the new run succeeds';
  const text = [
    `replayed run ${r.traceId} (plan ${r.planId})${r.agentExitCode ? `; the agent exited with code ${r.agentExitCode}` : ''}`,
    verdict,
    ...summariseComparison(c),
  ].join('\n');
  return {
    text,
    structured: {
      traceId: r.traceId,
      planId: r.planId,
      agentExitCode: r.agentExitCode,
      failing: nowFailing,
      succeeded: nowFailing.length === 0,
      firstDivergence: c.firstDivergence,
      counts: c.counts,
    },
  };
}
