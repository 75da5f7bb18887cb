/**
 * `tracefork mcp [--db FILE] [--replay-command CMD] [--cases DIR]`: the Tracefork tools as an MCP
 * server over stdio (the official MCP TypeScript SDK), over the CLI's store, for coding agents
 * (Claude Code, Cursor, …). stdout carries only the protocol: the agent's output during a replay is
 * kept and reported in the answer. A tool's bad argument or a missing run is a tool error
 * (`isError`), never a crash; the server keeps serving.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { TraceStore } from '../core/store/store';
import { buildPlan, PlanError } from '../core/replay/plan';
import { findReplayRun, startReplay, writePlan } from '../core/replay/run';
import { words } from '../core/replay/launchCommand';
import { callTool } from '../core/tools/dispatch';
import { TOOL_SCHEMAS, type ToolName } from '../core/tools/schemas';
import { ToolInputError, type ReplayRunner, type ToolEnv } from '../core/tools/tools';
import { defaultDb, parse } from './args';
import { CliError } from './commands';

const VERSION = '0.1.0';

/** The replay runner of the CLI: the agent started with `command` in `cwd`, the run awaited in the store. */
function replayRunner(store: TraceStore, command: string, cwd: string, waitMs: number): ReplayRunner {
  return async ({ traceId, forkSpanId, input, tools }) => {
    const original = store.get(traceId)!;
    let plan;
    try {
      plan = buildPlan(original, { forkSpanId, input, tools });
    } catch (e) {
      if (e instanceof PlanError) throw new ToolInputError(e.message);
      throw e;
    }
    const written = writePlan(os.tmpdir(), plan);
    const [exe, ...args] = words(command);
    let output = '';
    const child = startReplay({ command: exe!, args, cwd }, written.file, (t) => (output = (output + t).slice(-4000)));
    const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
    written.remove();
    const deadline = Date.now() + waitMs;
    for (;;) {
      store.poll();
      const run = findReplayRun(store, plan);
      if (run) return { traceId: run.traceId, planId: plan.planId, agentExitCode: code };
      if (Date.now() > deadline)
        throw new Error(
          `the replayed run did not reach the store within ${waitMs} ms (agent exit code ${code}); is a receiver writing this store running at the agent's OTEL_EXPORTER_OTLP_ENDPOINT? The agent said:\n${output}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  };
}

/** `tracefork.replay.command` from the workspace's `.vscode/settings.json` (JSON with comments), if any. */
export function workspaceReplayCommand(cwd: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(cwd, '.vscode', 'settings.json'), 'utf8');
  } catch {
    return undefined;
  }
  // Comments and trailing commas out, strings left whole.
  const json = text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (m, str: string | undefined) => str ?? '').replace(/,(\s*[}\]])/g, '$1');
  try {
    const v = (JSON.parse(json) as Record<string, unknown>)['tracefork.replay.command'];
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the server until stdin closes. */
export async function mcpCommand(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    { db: { type: 'string' }, 'replay-command': { type: 'string' }, cases: { type: 'string' }, cwd: { type: 'string' }, 'wait-ms': { type: 'string' } },
    { min: 0, max: 0, name: '' },
  );
  const db = values.db ?? defaultDb();
  if (!fs.existsSync(`${db}.journal`))
    throw new CliError(`no Tracefork database at ${db}; pass --db (the store \`tracefork serve\` writes), or run \`tracefork serve --db ${db}\` first`);
  const store = await TraceStore.open(db, { readOnly: true, onWarning: (m) => process.stderr.write(`tracefork: warning: ${m}\n`) });
  const cwd = path.resolve(values.cwd ?? process.cwd());
  const command = values['replay-command'] ?? workspaceReplayCommand(cwd);
  const env: ToolEnv = {
    store,
    casesDir: path.resolve(values.cases ?? path.join(cwd, '.tracefork', 'cases')),
    replay: command ? replayRunner(store, command, cwd, Number(values['wait-ms'] ?? 15_000)) : undefined,
    replayUnavailable:
      'fork_replay and replay need the agent\'s command: start the server with --replay-command "CMD" (e.g. --replay-command "npx tsx agent.ts") or set tracefork.replay.command in the workspace\'s .vscode/settings.json, in the agent\'s folder with OTEL_EXPORTER_OTLP_ENDPOINT pointing at the receiver that writes this store',
  };
  const server = new McpServer(
    { name: 'tracefork', version: VERSION },
    {
      instructions:
        'Tracefork records LLM agent runs. Start with list_runs (failing first), read a failing run with get_run and a step with get_step, then fork_replay the step with an edited input to try a fix; the answer says whether the new run succeeds.',
    },
  );
  for (const [name, t] of Object.entries(TOOL_SCHEMAS) as Array<[ToolName, (typeof TOOL_SCHEMAS)[ToolName]]>) {
    server.registerTool(
      name,
      {
        title: t.title,
        description: t.description,
        inputSchema: t.input,
        annotations: { readOnlyHint: !t.runsCode && name !== 'save_regression_case', openWorldHint: t.runsCode },
      },
      async (args: unknown) => {
        try {
          store.poll(); // the receiver may have written since
          const answer = await callTool(env, name, args);
          return { content: [{ type: 'text' as const, text: answer.text }], structuredContent: answer.structured };
        } catch (e) {
          const message = e instanceof ToolInputError ? e.message : `${name} failed: ${(e as Error).message}`;
          return { content: [{ type: 'text' as const, text: message }], isError: true };
        }
      },
    );
  }
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  process.stderr.write(`tracefork: MCP server on stdio over ${db}${command ? `; replays run: ${command}` : ''}\n`);
  await closed;
  await server.close();
  store.close();
  return 0;
}
