/**
 * `ab --runs FILTER|IDS [--edit-system FILE | --edit-step NAME=FILE] [--concurrency 2] [--json] -- COMMAND...`:
 * a set of recorded runs re-run with one change and compared before and after. Exit 1 when the
 * change is worse on any evaluator (it fails in more runs than before) or no run could be
 * compared; 130 when stopped (Ctrl+C) before the end, after printing what was compared.
 */
import * as fs from 'node:fs';
import { buildSteps } from '../core/model/steps';
import { baselineFromStore } from '../core/eval/trace';
import { runEvaluators } from '../core/eval/engine';
import { abCompared, abPlan, aggregate, selectRuns, totalsLine, type AbAggregate, type AbChange, type AbRun } from '../core/replay/ab';
import { PlanError } from '../core/replay/plan';
import { isProxyRecorded } from '../core/replay/recorded';
import type { StoredTrace } from '../core/store/queries';
import { defaultDb, parse, portOption, UsageError } from './args';
import { CliError } from './commands';
import { openProxyReceiver, splitCommand, type ProxyReceiver } from './run';
import { runUnderPlan } from './test';

function change(values: { 'edit-system'?: string; 'edit-step'?: string }): AbChange {
  if (values['edit-system'] !== undefined && values['edit-step'] !== undefined)
    throw new UsageError('give one change: --edit-system FILE or --edit-step NAME=FILE (none: the current code)');
  const read = (f: string) => {
    if (!fs.existsSync(f)) throw new CliError(`no such file: ${f}`);
    return fs.readFileSync(f, 'utf8');
  };
  if (values['edit-system'] !== undefined) return { kind: 'system', text: read(values['edit-system']).replace(/\n$/, '') };
  if (values['edit-step'] !== undefined) {
    const spec = values['edit-step'];
    const i = spec.indexOf('=');
    if (i <= 0) throw new UsageError(`--edit-step takes NAME=FILE, got "${spec}"`);
    try {
      return { kind: 'step', name: spec.slice(0, i), input: JSON.parse(read(spec.slice(i + 1))) };
    } catch (e) {
      if (e instanceof SyntaxError) throw new CliError(`${spec.slice(i + 1)} is not JSON: ${e.message}`);
      throw e;
    }
  }
  return { kind: 'code' };
}

const money = (n: number) => `${n >= 0 ? '+' : '-'}$${Math.abs(n).toFixed(6)}`;
const signed = (n: number, unit = '') => `${n >= 0 ? '+' : ''}${Math.round(n)}${unit}`;

/** `ab`: prints a table per run and per evaluator (or JSON); exit 1 when worse on any evaluator. */
export async function abCommand(argv: string[]): Promise<number> {
  const [opts, command] = splitCommand(argv, 'ab');
  const { values } = parse(
    opts,
    {
      runs: { type: 'string' },
      'edit-system': { type: 'string' },
      'edit-step': { type: 'string' },
      concurrency: { type: 'string' },
      json: { type: 'boolean' },
      db: { type: 'string' },
      port: { type: 'string' },
      'wait-ms': { type: 'string' },
    },
    { min: 0, max: 0, name: '' },
  );
  if (!values.runs) throw new UsageError('ab needs --runs: trace ids, or last:N, failing:N, name:TEXT, model:TEXT');
  const edit = change(values);
  const concurrency = Number(values.concurrency ?? 2);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) throw new UsageError(`--concurrency takes 1 to 16, got "${values.concurrency}"`);
  const db = values.db ?? defaultDb();
  if (!fs.existsSync(`${db}.journal`)) throw new CliError(`no Tracefork database at ${db}: the runs are read from it (pass --db)`);
  const rx = await openProxyReceiver(portOption(values.port, 4318), db);
  let cancelled = false;
  const abort = new AbortController();
  const stop = () => {
    cancelled = true;
    abort.abort();
  };
  process.once('SIGINT', stop);
  try {
    let selected;
    try {
      selected = await rx.read((store) => selectRuns(store.list(), values.runs!));
    } catch (e) {
      if (e instanceof PlanError) throw new UsageError(e.message);
      throw e;
    }
    if (!selected.length) throw new CliError(`--runs ${values.runs} selects no run in ${db}`);
    const results: AbRun[] = new Array(selected.length);
    let next = 0,
      done = 0;
    const worker = async () => {
      while (!cancelled && next < selected.length) {
        const i = next++;
        results[i] = await abRun(rx, selected[i]!.traceId, selected[i]!.name, edit, command, Number(values['wait-ms'] ?? 10_000), abort.signal);
        done++;
        if (!values.json)
          process.stderr.write(
            `tracefork: ab ${done}/${selected.length}: ${selected[i]!.traceId.slice(0, 8)} ${results[i]!.skipped ? `skipped (${results[i]!.skipped})` : 're-run'}\n`,
          );
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, selected.length) }, worker));
    const runs = results.filter(Boolean);
    const agg = aggregate(runs);
    if (values.json) process.stdout.write(JSON.stringify({ change: edit.kind, runs, ...agg, cancelled }, null, 2) + '\n');
    else print(runs, agg, cancelled);
    // A gate that compared nothing, or was stopped, has not shown the change is fine.
    if (cancelled) {
      process.stderr.write(`tracefork: ab cancelled after ${runs.length} of ${selected.length} run(s)\n`);
      return 130;
    }
    if (!agg.compared) {
      const why = [...new Set(runs.map((r) => r.skipped).filter(Boolean))].join('; ');
      process.stderr.write(`tracefork: ab compared no run, so it cannot say whether the change is worse: ${why}\n`);
      return 1;
    }
    return agg.worse ? 1 : 0;
  } finally {
    process.off('SIGINT', stop);
    await rx.close();
  }
}

async function abRun(rx: ProxyReceiver, traceId: string, name: string, edit: AbChange, command: string[], waitMs: number, signal: AbortSignal): Promise<AbRun> {
  const base: AbRun = { traceId, name, replayTraceId: null, before: null, after: null, firstDivergence: null, skipped: null };
  const original = await rx.trace(traceId);
  if (!original) return { ...base, skipped: 'no longer in the store' };
  let plan;
  try {
    plan = abPlan(original, edit);
  } catch (e) {
    if (e instanceof PlanError) return { ...base, skipped: e.message };
    throw e;
  }
  const run = await runUnderPlan(rx, plan, isProxyRecorded(original), command, waitMs, process.cwd(), signal);
  if (signal.aborted && !run.traceId) return { ...base, skipped: 'cancelled' };
  const replayed = run.traceId ? await rx.trace(run.traceId) : null;
  if (!replayed) return { ...base, skipped: `the agent exited with code ${run.exitCode} and its run never reached the receiver` };
  // Both sides against the same baseline: the runs before the original.
  const baseline = await rx.read((store) => baselineFromStore(store, { beforeTraceId: traceId, maxTraces: 50 }));
  const evaluate = (t: StoredTrace) => {
    const steps = buildSteps(t);
    return { steps, scores: runEvaluators(steps, { baseline }).scores, traceId: t.traceId };
  };
  return abCompared(base, evaluate(original), evaluate(replayed));
}

function print(runs: AbRun[], agg: AbAggregate, cancelled: boolean): void {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out('run       before        after         tokens   cost         latency   first divergence');
  for (const r of runs) {
    if (!r.before || !r.after) {
      out(`${r.traceId.slice(0, 8)}  skipped: ${r.skipped}`);
      continue;
    }
    const pass = (m: typeof r.before) => `${m.passed}/${m.passed + m.failed} pass`.padEnd(14);
    out(
      `${r.traceId.slice(0, 8)}  ${pass(r.before)}${pass(r.after)}${signed(r.after.tokens - r.before.tokens).padEnd(9)}${money(r.after.costUsd - r.before.costUsd).padEnd(13)}${signed(r.after.durationMs - r.before.durationMs, ' ms').padEnd(10)}${r.firstDivergence ? `${r.firstDivergence.name} (step ${r.firstDivergence.index + 1})` : 'none'}`,
    );
  }
  out('');
  out('evaluator            runs failing before → after');
  for (const e of agg.evaluators)
    out(`${e.name.padEnd(21)}${String(e.before).padStart(4)} → ${e.after}${e.worse ? '   WORSE' : e.after < e.before ? '   better' : ''}`);
  const worse = agg.evaluators.filter((e) => e.worse).map((e) => e.name);
  if (agg.compared) out(`totals    ${totalsLine(agg.totals)}`);
  out(
    `${agg.compared} of ${runs.length} run(s) compared${cancelled ? ' (cancelled)' : ''}: ${worse.length ? `worse on ${worse.join(', ')}` : 'no evaluator is worse'}`,
  );
}
