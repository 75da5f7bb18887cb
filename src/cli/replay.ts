/** `plan`, `replay` and `compare`: fork-and-replay without the editor (scripts, CI, other editors). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { buildSteps } from '../core/model/steps';
import { buildPlan, PlanError } from '../core/replay/plan';
import { compareRuns, type Comparison } from '../core/replay/compare';
import { findReplayRun, startReplay, writePlan } from '../core/replay/run';
import { isProxyRecorded, recordedCommand } from '../core/replay/recorded';
import { proxyEnv } from '../core/proxy/env';
import { openProxyReceiver, runAgent } from './run';
import { proxyFlags, proxyOptions } from './proxyOptions';
import { portOption } from './args';
import type { ReplayPlan, ToolPolicy } from '../../sdk/src/contract';
import { defaultDb, parse, UsageError } from './args';
import { CliError, getTrace, openReader } from './commands';

const planOpts = {
  db: { type: 'string' as const },
  fork: { type: 'string' as const },
  input: { type: 'string' as const },
  tool: { type: 'string' as const, multiple: true as const },
};

function policies(specs: string[] | undefined): Record<string, ToolPolicy> | undefined {
  if (!specs?.length) return undefined;
  const out: Record<string, ToolPolicy> = {};
  for (const s of specs) {
    const [name, policy] = s.split('=');
    if (!name || (policy !== 'replay' && policy !== 'live')) throw new UsageError(`--tool takes NAME=replay or NAME=live, got "${s}"`);
    out[name] = policy;
  }
  return out;
}

async function makePlan(traceId: string, values: { db?: string; fork?: string; input?: string; tool?: string[] }): Promise<ReplayPlan> {
  return (await planFor(traceId, values)).plan;
}

/** The plan, and how the run was recorded (by the proxies: then the command it was run with, if known). */
async function planFor(
  traceId: string,
  values: { db?: string; fork?: string; input?: string; tool?: string[] },
): Promise<{ plan: ReplayPlan; proxy: boolean }> {
  const store = await openReader(values.db ?? defaultDb());
  try {
    const input = values.input === undefined ? undefined : JSON.parse(fs.readFileSync(values.input, 'utf8'));
    const trace = getTrace(store, traceId);
    const plan = buildPlan(trace, { forkSpanId: values.fork ?? null, input, tools: policies(values.tool) });
    return { plan, proxy: isProxyRecorded(trace) };
  } catch (e) {
    if (e instanceof PlanError || e instanceof SyntaxError) throw new CliError(e.message);
    throw e;
  } finally {
    store.close();
  }
}

/** `plan TRACE_ID [--fork SPAN_ID] [--input FILE] [--tool NAME=live]... [--out FILE]`: the replay plan as JSON. */
export async function planCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...planOpts, out: { type: 'string' } }, { min: 1, max: 1, name: 'TRACE_ID' });
  const plan = await makePlan(positionals[0], values);
  const text = JSON.stringify(plan, null, 2) + '\n';
  if (values.out) fs.writeFileSync(values.out, text);
  else process.stdout.write(text);
  return 0;
}

/** `compare TRACE_A TRACE_B [--json]`: step-by-step comparison; exit 1 when they differ. */
export async function compareCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { db: { type: 'string' }, json: { type: 'boolean' } }, { min: 2, max: 2, name: 'TRACE_A TRACE_B' });
  const store = await openReader(values.db ?? defaultDb());
  let c: Comparison;
  try {
    c = compareRuns(buildSteps(getTrace(store, positionals[0])), buildSteps(getTrace(store, positionals[1])));
  } finally {
    store.close();
  }
  printComparison(c, !!values.json);
  return c.firstDivergence >= 0 ? 1 : 0;
}

function printComparison(c: Comparison, json: boolean): void {
  if (json) {
    const rows = c.pairs.map((p) => ({
      status: p.status,
      differs: p.differs,
      ignored: p.ignored,
      source: p.source,
      left: p.left && { spanId: p.left.spanId, name: p.left.name, kind: p.left.kind, depth: p.left.depth },
      right: p.right && { spanId: p.right.spanId, name: p.right.name, kind: p.right.kind, depth: p.right.depth },
    }));
    process.stdout.write(JSON.stringify({ firstDivergence: c.firstDivergence, counts: c.counts, pairs: rows }, null, 2) + '\n');
    return;
  }
  const mark = { same: '=', changed: '~', added: '+', removed: '-' } as const;
  c.pairs.forEach((p, i) => {
    const s = p.right ?? p.left!;
    const note = [
      p.differs.length ? `differs: ${p.differs.join(', ')}` : '',
      p.ignored.length ? `(ignored: ${p.ignored.length} generated value${p.ignored.length === 1 ? '' : 's'})` : '',
      p.source ? `(${p.source})` : '',
      i === c.firstDivergence ? '  ← first divergence' : '',
    ]
      .filter(Boolean)
      .join(' ');
    process.stdout.write(`${mark[p.status]} ${'  '.repeat(s.depth)}${s.kind} ${s.name} ${note}\n`);
  });
  process.stdout.write(
    c.firstDivergence < 0 ? 'the runs match step for step\n' : `${c.counts.changed} changed, ${c.counts.added} added, ${c.counts.removed} removed\n`,
  );
}

/** `replay TRACE_ID [--fork SPAN_ID] [--input FILE] [--tool NAME=live] [--json] -- COMMAND...`: run the agent under a plan, then compare. */
export async function replayCommand(argv: string[]): Promise<number> {
  const dash = argv.indexOf('--');
  if (dash === argv.length - 1) throw new UsageError('replay needs the agent command after "--", e.g. tracefork replay ID -- node agent.js');
  const { values, positionals } = parse(
    dash < 0 ? argv : argv.slice(0, dash),
    { ...planOpts, json: { type: 'boolean' }, 'wait-ms': { type: 'string' }, port: { type: 'string' }, ...proxyFlags },
    { min: 1, max: 1, name: 'TRACE_ID' },
  );
  const db = values.db ?? defaultDb();
  // Without "--", only a run `tracefork run` recorded names its command; anything else is a usage error (2).
  const recorded = dash < 0 ? await recordedAgent(positionals[0], db) : null;
  const { plan, proxy } = await planFor(positionals[0], values);
  const agent = dash >= 0 ? { command: argv.slice(dash + 1), cwd: null } : recorded!;
  if (proxy) return replayThroughProxy(plan, agent, db, values);
  const written = writePlan(os.tmpdir(), plan);
  const [command, ...args] = agent.command;
  const child = startReplay({ command: command!, args }, written.file, (t) => process.stderr.write(t));
  const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  written.remove();
  if (code !== 0) process.stderr.write(`tracefork: the agent exited with code ${code}\n`);
  const deadline = Date.now() + Number(values['wait-ms'] ?? 10_000);
  for (;;) {
    const store = await openReader(db);
    try {
      const run = findReplayRun(store, plan);
      if (run) {
        const c = compareRuns(buildSteps(getTrace(store, plan.original.traceId)), buildSteps(getTrace(store, run.traceId)));
        if (!values.json) process.stdout.write(`replayed run ${run.traceId} (plan ${plan.planId})\n`);
        else process.stdout.write(JSON.stringify({ traceId: run.traceId, planId: plan.planId, firstDivergence: c.firstDivergence, counts: c.counts }) + '\n');
        if (!values.json) printComparison(c, false);
        return code === 0 ? 0 : 1;
      }
    } finally {
      store.close();
    }
    if (Date.now() > deadline)
      throw new CliError(
        `the replayed run (plan ${plan.planId}) did not reach ${db}; is a receiver (\`tracefork serve --db ${db}\` or the extension) running at the agent's OTEL_EXPORTER_OTLP_ENDPOINT?`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The command a proxy-recorded run was started with, or a usage error saying to give one. */
async function recordedAgent(traceId: string, db: string): Promise<{ command: string[]; cwd: string | null }> {
  const store = await openReader(db);
  let found: ReturnType<typeof recordedCommand> = null;
  let proxy = false;
  try {
    const trace = getTrace(store, traceId);
    proxy = isProxyRecorded(trace);
    found = proxy ? recordedCommand(trace) : null;
  } finally {
    store.close();
  }
  if (!found)
    throw new UsageError(
      proxy
        ? 'replay needs the agent command after "--" (this run was not started by `tracefork run`, so its command is not known)'
        : 'replay needs the agent command after "--", e.g. tracefork replay ID -- node agent.js',
    );
  if (found.command.some((w) => w.includes('[masked]')))
    throw new UsageError(
      `the command this run was recorded with held a secret, which is masked in the store (${found.command.join(' ')}); give the command after "--"`,
    );
  return found;
}

/**
 * A run recorded by the proxies replays through them: the receiver on --port (the extension's or
 * serve's, else one started here over the database) serves the calls before the fork from the
 * plan, the fork goes out edited, the rest live; the agent is started with the proxy's variables.
 */
async function replayThroughProxy(
  plan: ReplayPlan,
  agent: { command: string[]; cwd: string | null },
  db: string,
  values: { json?: boolean; port?: string; 'upstream-openai'?: string; 'upstream-anthropic'?: string; mcp?: string[] },
): Promise<number> {
  const rx = await openProxyReceiver(portOption(values.port, 4318), db, proxyOptions(values));
  try {
    const { token } = await rx.create({ name: agent.command.join(' '), command: agent.command, cwd: agent.cwd ?? process.cwd(), plan });
    let code: number;
    try {
      code = await runAgent(agent.command, proxyEnv(rx.url, token), { stdoutToStderr: true, cwd: agent.cwd ?? undefined });
    } catch (e) {
      await rx.end(token, 127);
      throw e;
    }
    const s = await rx.end(token, code);
    if (code !== 0) process.stderr.write(`tracefork: the agent exited with code ${code}\n`);
    const [original, replayed] = await Promise.all([rx.trace(plan.original.traceId), rx.trace(s.traceId)]);
    if (!original || !replayed) throw new CliError(`the replayed run ${s.traceId} is not in ${rx.db}`);
    const c = compareRuns(buildSteps(original), buildSteps(replayed));
    if (values.json)
      process.stdout.write(
        JSON.stringify({
          traceId: s.traceId,
          planId: plan.planId,
          firstDivergence: c.firstDivergence,
          counts: c.counts,
          calls: s.counts,
          divergences: s.divergences,
        }) + '\n',
      );
    else {
      process.stdout.write(
        `replayed run ${s.traceId} (plan ${plan.planId}): ${s.counts.recording} call(s) served from the recording, ${s.counts.fork} forked, ${s.counts.live} live\n`,
      );
      for (const d of s.divergences) process.stdout.write(`  ${d}\n`);
      printComparison(c, false);
    }
    return code === 0 ? 0 : 1;
  } finally {
    await rx.close();
  }
}
