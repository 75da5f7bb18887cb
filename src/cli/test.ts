/**
 * `test [--cases DIR] [--json] [--db FILE] [--port 4318] [--evaluators DIR] [-- COMMAND...]`: every
 * regression case run again against the agent's current code (sdk/REPLAY.md: the calls before the
 * case's step from the recording, the step and the rest live), judged with the same evaluators.
 * Exit 1 when a case still fails, fails elsewhere, or cannot be checked: a CI gate that runs real
 * agent code. Cases whose run cannot be replayed are skipped, with why.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSteps } from '../core/model/steps';
import { CASES_DIR, readRegressionCases, type RegressionCase } from '../core/eval/cases';
import { casePlan, caseId, failsGate, judgeCase, type CaseResult } from '../core/eval/caseRun';
import { baselineFromStore } from '../core/eval/trace';
import { mergeScores, runEvaluators } from '../core/eval/engine';
import { CustomEvaluators } from '../core/eval/custom/customEvaluators';
import { isProxyRecorded, recordedCommand } from '../core/replay/recorded';
import { findReplayRun, writePlan } from '../core/replay/run';
import type { StoredTrace } from '../core/store/queries';
import { PLAN_ENV, type ReplayPlan } from '../../sdk/src/contract';
import { proxyEnv } from '../core/proxy/env';
import { defaultDb, parse, portOption, UsageError } from './args';
import { CliError } from './commands';
import { openProxyReceiver, runAgent, splitCommand, type ProxyReceiver } from './run';

const MARK: Record<CaseResult['outcome'], string> = { fixed: 'PASS', failing: 'FAIL', regressed: 'FAIL', unreached: 'FAIL', error: 'ERROR', skipped: 'SKIP' };

/** Runs the agent under `plan` through the receiver; resolves with the new run's trace id (or null). */
export async function runUnderPlan(
  rx: ProxyReceiver,
  plan: ReplayPlan,
  proxied: boolean,
  command: string[],
  waitMs = 10_000,
  cwd: string = process.cwd(),
  signal?: AbortSignal,
): Promise<{ traceId: string | null; exitCode: number; divergences: string[] }> {
  if (proxied) {
    const { token } = await rx.create({ name: command.join(' '), command, cwd, plan });
    let code: number;
    try {
      code = await runAgent(command, proxyEnv(rx.url, token), { stdoutToStderr: true, cwd });
    } catch (e) {
      await rx.end(token, 127);
      throw e;
    }
    const summary = await rx.end(token, code);
    return { traceId: summary.traceId, exitCode: code, divergences: summary.divergences };
  }
  const written = writePlan(os.tmpdir(), plan);
  try {
    const code = await runAgent(command, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, [PLAN_ENV]: written.file }, { stdoutToStderr: true, cwd });
    const deadline = Date.now() + waitMs;
    for (;;) {
      const run = await rx.read((store) => findReplayRun(store, plan));
      if (run) {
        await new Promise((r) => setTimeout(r, 300)); // the last batch of spans
        return { traceId: run.traceId, exitCode: code, divergences: [] };
      }
      if (Date.now() > deadline || signal?.aborted) return { traceId: null, exitCode: code, divergences: [] };
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    written.remove();
  }
}

/** `test`: prints one line per case (or JSON); exit 1 when any case fails the gate. */
export async function testCommand(argv: string[]): Promise<number> {
  // The command is optional: a case recorded by `tracefork run` knows how its agent was started.
  const [opts, command] = argv.includes('--') ? splitCommand(argv, 'test') : [argv, [] as string[]];
  const { values } = parse(
    opts,
    {
      cases: { type: 'string' },
      json: { type: 'boolean' },
      db: { type: 'string' },
      port: { type: 'string' },
      evaluators: { type: 'string' },
      'wait-ms': { type: 'string' },
    },
    { min: 0, max: 0, name: '' },
  );
  const dir = values.cases ?? CASES_DIR;
  const file = path.join(dir, 'cases.jsonl');
  if (!fs.existsSync(file))
    throw new CliError(
      `no regression cases at ${file}; save failing steps as cases in VS Code (Save Failing Steps as Regression Cases…) or with the save_case tool first`,
    );
  let cases: RegressionCase[];
  try {
    cases = readRegressionCases(file);
  } catch (e) {
    throw new CliError(`${file} is not a cases file: ${(e as Error).message}`);
  }
  if (values.evaluators !== undefined && !fs.existsSync(values.evaluators)) throw new CliError(`no evaluators folder at ${values.evaluators}`);
  const db = values.db ?? defaultDb();
  if (!fs.existsSync(`${db}.journal`)) throw new CliError(`no Tracefork database at ${db}: the cases' recorded runs are read from it (pass --db)`);
  const rx = await openProxyReceiver(portOption(values.port, 4318), db);
  // Passing --evaluators is the trust decision, as for `eval`.
  const custom = values.evaluators !== undefined ? new CustomEvaluators({ trusted: true }) : null;
  const results: CaseResult[] = [];
  try {
    if (custom) for (const n of (await custom.load(values.evaluators!)).notices) process.stderr.write(`tracefork: warning: ${n}\n`);
    const evaluate = async (trace: StoredTrace, before: string) => {
      const steps = buildSteps(trace);
      const baseline = await rx.read((store) => baselineFromStore(store, { beforeTraceId: before, maxTraces: 50 }));
      const { scores } = runEvaluators(steps, { baseline });
      if (custom) mergeScores(scores, (await custom.run(steps)).scores);
      return { steps, scores, trace };
    };
    for (const [i, c] of cases.entries()) {
      if (!values.json) process.stderr.write(`tracefork: case ${i + 1}/${cases.length}: ${c.step.name} (run ${c.traceId.slice(0, 8)})\n`);
      results.push(await runCase(c, rx, command, evaluate, Number(values['wait-ms'] ?? 10_000)));
      const r = results.at(-1)!;
      if (!values.json) process.stdout.write(`${MARK[r.outcome]}  ${r.name}  [${r.outcome}] ${r.reason}${r.traceId ? `  (run ${r.traceId})` : ''}\n`);
    }
  } finally {
    await custom?.dispose();
    await rx.close();
  }
  const counts = Object.fromEntries(
    (['fixed', 'failing', 'regressed', 'unreached', 'error', 'skipped'] as const).map((k) => [k, results.filter((r) => r.outcome === k).length]),
  );
  if (values.json) process.stdout.write(JSON.stringify({ cases: results, counts }, null, 2) + '\n');
  else
    process.stdout.write(
      `${results.length} case(s): ${Object.entries(counts)
        .filter(([, n]) => n)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}\n`,
    );
  return results.some(failsGate) ? 1 : 0;
}

async function runCase(
  c: RegressionCase,
  rx: ProxyReceiver,
  command: string[],
  evaluate: (
    t: StoredTrace,
    before: string,
  ) => Promise<{ steps: ReturnType<typeof buildSteps>; scores: Map<string, import('../core/eval/types').EvalScore[]>; trace: StoredTrace }>,
  waitMs: number,
): Promise<CaseResult> {
  const none = {
    id: caseId(c),
    name: c.step.name,
    evaluators: c.failedEvaluators.map((e) => ({ name: e.name, passed: null, explanation: null })),
    newFailures: [],
    traceId: null,
    output: null,
  };
  const original = await rx.trace(c.traceId);
  if (!original) return { ...none, outcome: 'skipped', reason: `its run ${c.traceId} is not in the store (kept runs: tracefork.retention.*)` };
  const made = casePlan(original, c);
  if ('skip' in made) return { ...none, outcome: 'skipped', reason: made.skip };
  // The command given after --, else the one the case (or its run) recorded, in its folder.
  const agent = command.length ? { command, cwd: null } : (c.agent ?? recordedCommand(original));
  if (!agent?.command.length)
    return {
      ...none,
      outcome: 'error',
      reason:
        'the case does not say how its agent is started (runs recorded by `tracefork run` do): pass the command after --, e.g. tracefork test -- node agent.js',
    };
  let run;
  try {
    run = await runUnderPlan(rx, made.plan, isProxyRecorded(original), agent.command, waitMs, agent.cwd ?? process.cwd());
  } catch (e) {
    if (e instanceof UsageError) throw e;
    return { ...none, outcome: 'error', reason: (e as Error).message };
  }
  const replayed = run.traceId ? await rx.trace(run.traceId) : null;
  if (!replayed)
    return {
      ...none,
      outcome: 'error',
      reason: `the agent exited with code ${run.exitCode} and its run never reached the receiver at ${rx.url}: is it recorded with the Tracefork SDK, or started through the proxy?`,
    };
  return judgeCase(c, made.key, await evaluate(original, original.traceId), await evaluate(replayed, original.traceId));
}
