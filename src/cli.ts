#!/usr/bin/env node
/** Headless entry: `tracefork serve|import|list|show|export|eval|plan|replay|compare` over the same core as the extension. */
import { setFlagsFromString } from 'node:v8';
import { StoreBusyError } from './core/store/lock';
import { CliError, exportTrace, importFiles, list, serve, show, UsageError } from './cli/commands';
import { evalCommand } from './cli/eval';
import { compareCommand, planCommand, replayCommand } from './cli/replay';
import { pullCommand } from './cli/pull';
import { mcpCommand } from './cli/mcp';
import { mcpProxyCommand, runCommand } from './cli/run';
import { testCommand } from './cli/test';
import { abCommand } from './cli/ab';
import { RunsApiError } from './core/proxy/client';

const USAGE = `usage: tracefork <command> [options]

  serve  [--port 4318] [--host 127.0.0.1] [--db FILE]   run the OTLP/HTTP receiver (0 picks a free port)
         [--grpc-port 4317]                            and the OTLP/gRPC one (0 turns it off)
         [--max-traces 5000] [--max-mb 2048]           retention: the oldest runs go first
         [--forward URL [--forward-header K=V]...]     also send every accepted request on to an OTLP/HTTP backend
         [--upstream-openai URL] [--upstream-anthropic URL] [--mcp NAME=URL]...
                                                       where the model-API and MCP proxies (/proxy/…) send calls
  run    [--port 4318] [--db FILE] [--name N] [--json] -- COMMAND...
                                                       run any agent with its model clients (OPENAI_BASE_URL,
                                                       ANTHROPIC_BASE_URL) and traces pointed at Tracefork: one run,
                                                       recorded with no SDK; prints the run's trace id
  mcp-proxy [--name N] [--receiver URL] -- SERVER_COMMAND...  an MCP server on stdio whose tool calls are recorded
  import FILE... [--db FILE]                           read OTLP/JSON files
  list   [--db FILE] [--json]                          traces, newest first
  show   TRACE_ID [--db FILE] [--json]                 a trace as steps
  export TRACE_ID [--db FILE] [--unmasked]             a trace as OTLP/JSON (API keys masked unless --unmasked)
  eval   [--db FILE | FILE.otlp.json ...] [--json]     run every evaluator; exit 1 when a step fails
         [--all] [--evaluators DIR] [--trace ID]
         [--judge-url URL --judge-model M [--judge-criteria TEXT]]  LLM judge (key: $TRACEFORK_JUDGE_API_KEY)
  plan   TRACE_ID [--fork SPAN_ID] [--input FILE]      a replay plan (sdk/REPLAY.md) as JSON
         [--tool NAME=replay|live]... [--out FILE]
  replay TRACE_ID [--fork SPAN_ID] [--input FILE]      re-run the agent under a plan, then compare
         [--tool NAME=live]... [--json] [-- COMMAND...] (the Tracefork SDK, or the proxy: a run made by
                                                       "tracefork run" replays its own command when none is given)
  compare TRACE_A TRACE_B [--json]                     step by step; exit 1 when they differ
  test   [--cases DIR] [--json] [--evaluators DIR] [-- COMMAND...]
                                                       re-run every regression case against the agent's current
                                                       code; exit 1 when one still fails or fails elsewhere
  ab     --runs IDS|last:N|failing:N|name:T|model:T [--edit-system FILE | --edit-step NAME=FILE]
         [--concurrency 2] [--json] -- COMMAND...     re-run recorded runs with one change (none: the current
                                                       code), before vs after; exit 1 when worse on an evaluator
  mcp    [--db FILE] [--replay-command CMD] [--cases DIR]  the Tracefork tools as an MCP server on stdio
  pull   --from jaeger|tempo|phoenix|otlp URL TRACE_ID  one trace from a backend's query API into the store
         [--header K=V]... [--project P] [--json]      (Phoenix project, default "default")

--db defaults to $TRACEFORK_DB, else ./.tracefork/traces.db`;

// Node 20 can deadlock when its event loop drains while an optimizing compile on a background
// thread waits for the main thread to collect garbage (nodejs/node#54918): seen here as a `list`
// after a crash, or a SIGTERMed `serve`, that never exits. The CLI compiles on its main thread.
setFlagsFromString('--no-concurrent-recompilation');

/** Each command resolves to its exit code: 0 done, 1 a failure the user acts on (a CI gate's "no"); usage errors throw (2). */
const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  serve,
  import: importFiles,
  list,
  show,
  export: exportTrace,
  eval: evalCommand,
  plan: planCommand,
  replay: replayCommand,
  compare: compareCommand,
  pull: pullCommand,
  mcp: mcpCommand,
  run: runCommand,
  'mcp-proxy': mcpProxyCommand,
  test: testCommand,
  ab: abCommand,
};

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const run = COMMANDS[cmd];
  try {
    if (!run) throw new UsageError(`unknown command "${cmd}"`);
    return await run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tracefork: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    const msg = e instanceof CliError || e instanceof StoreBusyError || e instanceof RunsApiError ? e.message : ((e as Error).stack ?? String(e));
    process.stderr.write(`tracefork: ${msg}\n`);
    return 1;
  }
}

// Exit explicitly once the command is done (after stdout and stderr are flushed), rather than
// letting the event loop drain (see the deadlock above).
void main(process.argv.slice(2)).then((code) => {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
