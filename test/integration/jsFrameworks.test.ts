// JS agent frameworks through the whole loop, each real and offline, each traced the way its docs
// recommend, each recorded by the Tracefork SDK (traceforkFetch / traceforkMiddleware for the
// model, tool() / traceforkTools / traceforkMcp for the tools), none with a step() of its own:
// LangGraph.js and LangChain.js (agent and chain) under OpenInference's LangChain instrumentation,
// the OpenAI Agents SDK under OpenInference's processor, the AI SDK's ToolLoopAgent with
// experimental_telemetry, an agent with no tracing at all, and the official MCP client.
// For each: one invocation is one run in `list`; every llm and tool step is recorded (step key) and
// located in the agent's file; a no-edit replay makes 0 model and 0 tool calls and compares
// identical (compare exits 0); a fork at the tool step with an edited input changes exactly the
// fork step and what follows.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliAsync, cliOk, listJson, ROOT, runAsync, runCli, serveForSuite, showJson, eventually } from '../support/cli';
import { startMockOpenAI, type MockOpenAI } from '../clients/mockOpenAI';
import type { Step } from '../../src/core/model/step';

const DIR = path.resolve(__dirname, '../clients/frameworks');
const EVERYTHING = path.join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

interface Compared {
  firstDivergence: number;
  pairs: Array<{
    status: string;
    differs: string[];
    source: string | null;
    left: { name: string; kind: string; depth: number } | null;
    right: { name: string; kind: string; depth: number } | null;
  }>;
}

interface Framework {
  title: string;
  file: string;
  /** Arguments before the edited value (the city or message is the last argument). */
  args: string[];
  /** The tool step forked, by its recorded name, and its edited input. */
  tool: string;
  edit: Record<string, unknown>;
  /** Real tool (or server) calls the agent reports, and its model calls (from the mock, or the agent's own count). */
  toolCalls: (out: Record<string, unknown>) => number;
  modelCalls?: (out: Record<string, unknown>) => number;
  /** What the forked run's answer (or, with no model after the tool, its output) shows of the edit. */
  forked: (out: Record<string, unknown>, steps: Step[]) => void;
}

const toolCount = (o: Record<string, unknown>) => o.toolCalls as number;
const answerSays = (text: string) => (o: Record<string, unknown>) => assert.match(String(o.text), new RegExp(text));
const CITY = { city: 'Lyon' };

const FRAMEWORKS: Framework[] = [
  {
    title: 'LangGraph.js prebuilt ReAct agent + OpenInference',
    file: 'langgraphAgent.ts',
    args: [],
    tool: 'get_weather',
    edit: CITY,
    toolCalls: toolCount,
    forked: answerSays('Lyon'),
  },
  {
    title: 'LangChain.js createAgent + OpenInference',
    file: 'langchainAgent.ts',
    args: ['agent'],
    tool: 'get_weather',
    edit: CITY,
    toolCalls: toolCount,
    forked: answerSays('Lyon'),
  },
  {
    title: 'LangChain.js runnable chain (tool → prompt → model → parser) + OpenInference',
    file: 'langchainAgent.ts',
    args: ['chain'],
    tool: 'get_weather',
    edit: CITY,
    toolCalls: toolCount,
    // The mock answers a chain's prompt without quoting it: the edit shows in the model's input.
    forked: (_o, steps) => assert.match(JSON.stringify(steps.find((s) => s.kind === 'llm')?.input), /Lyon: 18°C/),
  },
  {
    title: 'OpenAI Agents SDK + OpenInference',
    file: 'openaiAgentsAgent.ts',
    args: [],
    tool: 'get_weather',
    edit: CITY,
    toolCalls: toolCount,
    forked: answerSays('Lyon'),
  },
  {
    title: 'AI SDK ToolLoopAgent + experimental_telemetry',
    file: 'aiSdkAgent.ts',
    args: [],
    tool: 'ai.toolCall',
    edit: CITY,
    toolCalls: toolCount,
    modelCalls: (o) => o.modelCalls as number,
    forked: answerSays('Lyon'),
  },
  {
    title: 'no tracing, no step() (openai client, tool())',
    file: 'untracedAgent.ts',
    args: [],
    tool: 'execute_tool get_weather',
    edit: CITY,
    toolCalls: toolCount,
    forked: answerSays('Lyon'),
  },
  {
    title: 'official MCP client (traceforkMcp) + the everything server',
    file: 'mcpClientAgent.ts',
    args: [],
    tool: 'execute_tool echo',
    edit: { message: 'edited' },
    toolCalls: (o) => o.sent as number,
    forked: (o) => assert.equal(o.echo, 'Echo: edited'),
  },
];

describe('JS agent frameworks: one run per invocation, located, replayed and forked', function () {
  this.timeout(120_000);
  const s = serveForSuite('tracefork-jsframeworks-');
  let mock: MockOpenAI;
  before(async () => (mock = await startMockOpenAI()));
  after(() => mock?.close());
  const env = () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: s.serve.url, OPENAI_BASE_URL: mock.baseURL, EVERYTHING });

  const lastJson = (text: string): Record<string, unknown> => {
    const line = text
      .trim()
      .split('\n')
      .reverse()
      .find((l) => l.startsWith('{'));
    assert.ok(line, `no JSON line in:\n${text}`);
    return JSON.parse(line) as Record<string, unknown>;
  };

  for (const fw of FRAMEWORKS) {
    describe(fw.title, () => {
      const agent = [process.execPath, '--import', 'tsx', path.join(DIR, fw.file), ...fw.args];
      let traceId = '';
      let recorded: Step[] = [];

      before(async () => {
        const before = new Set(listJson(s.db).map((t) => t.traceId));
        const r = await runAsync(agent, env());
        assert.equal(r.status, 0, r.stderr);
        assert.ok(fw.toolCalls(lastJson(r.stdout)) >= 1, r.stdout);
        // Every span the agent exported is in before it exits: one run, whole, within a second.
        const run = await eventually(() => {
          const fresh = listJson(s.db).filter((t) => !before.has(t.traceId));
          assert.equal(fresh.length, 1, `runs: ${fresh.map((t) => t.name).join(', ')}`);
          return fresh[0]!;
        }, 3000);
        traceId = run.traceId;
        recorded = showJson(s.db, traceId).steps;
      });

      it('is one run in which every model and tool call is recorded and located in the agent file', () => {
        const calls = recorded.filter((x) => x.kind === 'llm' || x.kind === 'tool');
        assert.ok(calls.some((x) => x.kind === 'tool'));
        if (fw.file !== 'mcpClientAgent.ts') assert.ok(calls.some((x) => x.kind === 'llm'));
        for (const x of calls) {
          assert.ok(x.attributes['tracefork.step.key'], `${x.name}: not recorded`);
          assert.equal(x.code?.file, path.join(DIR, fw.file), `${x.kind} ${x.name}: ${JSON.stringify(x.code)}`);
        }
        // One call, one step: no recorded call nested in another step describing the same call.
        const byId = new Map(recorded.map((x) => [x.spanId, x]));
        for (const x of calls) assert.notEqual(byId.get(x.parentSpanId ?? '')?.kind, x.kind, `${x.name} nested in a ${x.kind} step`);
      });

      it('a no-edit replay makes no model or tool call and compares identical', async () => {
        const requests = mock.requests.length;
        const r = await cliAsync(['replay', traceId, '--db', s.db, '--json', '--', ...agent], env());
        assert.equal(r.status, 0, r.stderr);
        const res = lastJson(r.stdout) as { traceId: string; firstDivergence: number };
        const out = lastJson(r.stderr);
        assert.equal(fw.toolCalls(out), 0, 'no tool ran');
        assert.equal(fw.modelCalls ? fw.modelCalls(out) : mock.requests.length - requests, 0, 'no model call');
        assert.equal(res.firstDivergence, -1);
        const c = runCli(['compare', traceId, res.traceId, '--db', s.db, '--json']);
        assert.equal(c.status, 0, c.stdout);
        const compared = JSON.parse(c.stdout) as Compared;
        assert.ok(
          compared.pairs.every((p) => p.status === 'same'),
          JSON.stringify(compared.pairs.map((p) => [p.left?.name, p.status, p.differs])),
        );
      });

      it('a fork at the tool step with an edited input changes exactly that step and what follows', async () => {
        const fork = recorded.find((x) => x.kind === 'tool' && x.name === fw.tool);
        assert.ok(fork, recorded.map((x) => `${x.kind} ${x.name}`).join(', '));
        const plan = JSON.parse(cliOk(['plan', traceId, '--fork', fork.spanId, '--db', s.db])) as { fork: { input: unknown } };
        assert.deepEqual(Object.keys(plan.fork.input as object), Object.keys(fw.edit));
        const input = path.join(path.dirname(s.db), `edit-${fw.file}-${fw.args.join('-')}.json`);
        fs.writeFileSync(input, JSON.stringify(fw.edit));
        const r = await cliAsync(['replay', traceId, '--db', s.db, '--json', '--fork', fork.spanId, '--input', input, '--', ...agent], env());
        assert.equal(r.status, 0, r.stderr);
        const res = lastJson(r.stdout) as { traceId: string };
        const out = lastJson(r.stderr);
        assert.ok(fw.toolCalls(out) >= 1, 'the fork step ran live');
        const compared = JSON.parse(runCli(['compare', traceId, res.traceId, '--db', s.db, '--json']).stdout) as Compared;
        const shape = JSON.stringify(compared.pairs.map((p) => [p.left?.name, p.status, p.source]));
        const forkPair = compared.pairs.findIndex((p) => p.source === 'fork');
        assert.ok(forkPair >= 0, shape);
        assert.equal(compared.pairs[forkPair]!.left?.name, fw.tool);
        assert.ok(compared.pairs[forkPair]!.differs.includes('input'), shape);
        assert.equal(compared.firstDivergence <= forkPair, true, shape);
        // Before the fork, only the spans that enclose it differ (their output holds what it changed).
        const depth = (i: number) => (compared.pairs[i]!.left ?? compared.pairs[i]!.right)!.depth;
        let enclosing = depth(forkPair);
        for (let i = forkPair - 1; i >= 0; i--) {
          if (depth(i) < enclosing) enclosing = depth(i);
          else assert.equal(compared.pairs[i]!.status, 'same', `pair ${i} before the fork: ${shape}`);
        }
        assert.ok(
          compared.pairs.slice(forkPair + 1).every((p) => p.source !== 'recording'),
          `nothing after the fork is served: ${shape}`,
        );
        fw.forked(out, showJson(s.db, res.traceId).steps);
      });
    });
  }
});
