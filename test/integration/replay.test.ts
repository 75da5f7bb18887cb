// Fork and replay, with real agents: the Vercel AI SDK (mock model, multi-step tool loop) and the
// `openai` client against a local mock server, both recorded by the Tracefork SDK and exported
// to a real receiver; plans made from the stored runs (`tracefork plan`), the agents re-run under
// them (`tracefork replay`), and the runs compared step by step (`tracefork compare`).
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliAsync, cliOk, listJson, runCli, serveForSuite, showJson, eventually } from '../support/cli';
import { startMockOpenAI, type MockOpenAI } from '../clients/mockOpenAI';
import type { TraceSummary } from '../../src/core/store/queries';

const VERCEL = path.resolve(__dirname, '../clients/replayVercelAgent.ts');
const OPENAI = path.resolve(__dirname, '../clients/replayOpenAIAgent.ts');

interface Compared {
  firstDivergence: number;
  counts: Record<'same' | 'changed' | 'added' | 'removed', number>;
  pairs: Array<{
    status: string;
    differs: string[];
    source: string | null;
    left: { name: string; kind: string } | null;
    right: { spanId: string; name: string; kind: string } | null;
  }>;
}

/** Runs an agent to completion with the given env; resolves with its last JSON line. */
function runAgent(file: string, args: string[], env: Record<string, string>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '',
      err = '';
    child.stdout.on('data', (b: Buffer) => (out += b));
    child.stderr.on('data', (b: Buffer) => (err += b));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`agent exited ${code}: ${err}`))));
  });
}

/** The agent's JSON line among a replay's stderr (the CLI passes the agent's output through). */
function agentLine(stderr: string): Record<string, unknown> {
  const line = stderr
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  assert.ok(line, `no agent output in:\n${stderr}`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe('fork and replay with real agents', function () {
  this.timeout(120_000);
  const s = serveForSuite('tracefork-replay-');
  let endpointEnv: Record<string, string>;
  before(() => (endpointEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: s.serve.url }));

  async function record(file: string, args: string[], env: Record<string, string> = {}): Promise<{ run: TraceSummary; out: Record<string, unknown> }> {
    const before = new Set(listJson(s.db).map((t) => t.traceId));
    const out = await runAgent(file, args, { ...endpointEnv, ...env });
    const run = await eventually(() => {
      const fresh = listJson(s.db).filter((t) => !before.has(t.traceId));
      assert.equal(fresh.length, 1);
      return fresh[0]!;
    }, 5000);
    return { run, out };
  }

  async function replay(traceId: string, flags: string[], file: string, args: string[], env: Record<string, string> = {}) {
    const r = await cliAsync(['replay', traceId, '--db', s.db, '--json', ...flags, '--', process.execPath, '--import', 'tsx', file, ...args], {
      ...endpointEnv,
      ...env,
    });
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as { traceId: string; planId: string; firstDivergence: number };
    const compared = JSON.parse(runCli(['compare', traceId, res.traceId, '--db', s.db, '--json']).stdout) as Compared;
    return { ...res, agent: agentLine(r.stderr), compared, stderr: r.stderr };
  }

  const llmSpans = (traceId: string) => showJson(s.db, traceId).steps.filter((x) => x.kind === 'llm');

  describe('Vercel AI SDK (middleware + tools)', () => {
    let original: TraceSummary;
    before(async () => {
      const r = await record(VERCEL, ['Paris,Rome']);
      original = r.run;
      assert.deepEqual({ model: r.out.modelCalls, tool: r.out.toolCalls }, { model: 3, tool: 2 });
    });

    it('records full input, output and a step key on every model and tool call', () => {
      const steps = showJson(s.db, original.traceId).steps.filter((x) => x.kind === 'llm' || x.kind === 'tool');
      assert.deepEqual(
        steps.map((x) => x.attributes['tracefork.step.key']),
        ['/llm:mock-model-id#0', '/tool:getWeather#0', '/llm:mock-model-id#1', '/tool:getWeather#1', '/llm:mock-model-id#2'],
      );
      for (const x of steps) {
        assert.match(String(x.attributes['tracefork.step.input_hash']), /^[0-9a-f]{16}$/);
        assert.ok(JSON.parse(String(x.attributes['tracefork.step.output'])), `${x.name} has its output`);
      }
      const tool = JSON.parse(String(steps[1]!.attributes['tracefork.step.output']));
      assert.deepEqual(tool, { city: 'Paris', tempC: 15, sky: 'sunny' });
    });

    it('a no-edit replay of the whole run calls neither the model nor the tool and reproduces every step', async () => {
      const r = await replay(original.traceId, [], VERCEL, ['Paris,Rome']);
      assert.deepEqual({ model: r.agent.modelCalls, tool: r.agent.toolCalls }, { model: 0, tool: 0 });
      assert.equal(r.compared.firstDivergence, -1, JSON.stringify(r.compared.counts));
      assert.equal(r.compared.counts.same, 6);
      const run = listJson(s.db).find((t) => t.traceId === r.traceId)!;
      assert.equal(run.replayOf, original.traceId, 'the replayed run is linked to its original');
    });

    it('a no-edit fork at the second model call serves the steps before it and reproduces the rest live', async () => {
      const fork = llmSpans(original.traceId)[1]!;
      const r = await replay(original.traceId, ['--fork', fork.spanId], VERCEL, ['Paris,Rome']);
      assert.deepEqual({ model: r.agent.modelCalls, tool: r.agent.toolCalls }, { model: 2, tool: 1 }, 'call #0 and tool #0 came from the recording');
      assert.equal(r.compared.firstDivergence, -1);
      assert.deepEqual(
        r.compared.pairs.map((p) => p.source),
        [null, 'recording', 'recording', 'fork', 'live', 'live'],
      );
    });

    it('an edited fork changes exactly the fork step and what follows', async () => {
      const fork = llmSpans(original.traceId)[1]!;
      const plan = JSON.parse(cliOk(['plan', original.traceId, '--fork', fork.spanId, '--db', s.db])) as {
        fork: { input: { prompt: Array<{ role: string; content: Array<{ text: string }> }> } };
      };
      plan.fork.input.prompt[1]!.content[0]!.text = 'What is the weather in Paris,Oslo?';
      const input = path.join(path.dirname(s.db), 'edit.json');
      fs.writeFileSync(input, JSON.stringify(plan.fork.input));
      const r = await replay(original.traceId, ['--fork', fork.spanId, '--input', input], VERCEL, ['Paris,Rome']);
      assert.deepEqual({ model: r.agent.modelCalls, tool: r.agent.toolCalls }, { model: 2, tool: 1 });
      assert.match(String(r.agent.text), /Oslo/);
      const p = r.compared.pairs;
      assert.deepEqual(
        p.map((x) => x.status),
        ['changed', 'same', 'same', 'changed', 'changed', 'changed'],
      );
      assert.equal(r.compared.firstDivergence, 3, 'the first divergence is the fork step');
      assert.equal(p[3]!.right!.spanId.length, 16);
      assert.equal(p[3]!.source, 'fork');
    });

    it('reports the first call that no longer matches the recording, and runs live from there', async () => {
      const r = await replay(original.traceId, [], VERCEL, ['Paris,Lima']);
      assert.match(
        r.stderr,
        /\[tracefork\] replay: call \/llm:mock-model-id#0 differs from the recording at \$\.prompt\[1\]\.content\[0\]\.text: recorded "What is the weather in Paris,Rome\?", now "What is the weather in Paris,Lima\?"; the replay runs live from this call on/,
      );
      assert.deepEqual({ model: r.agent.modelCalls, tool: r.agent.toolCalls }, { model: 3, tool: 2 });
      const first = showJson(s.db, r.traceId).steps.find((x) => x.kind === 'llm')!;
      assert.match(String(first.attributes['tracefork.replay.divergence']), /differs from the recording/);
    });

    it('a tool with policy live runs for real even before the fork', async () => {
      const r = await replay(original.traceId, ['--tool', 'getWeather=live'], VERCEL, ['Paris,Rome']);
      assert.deepEqual({ model: r.agent.modelCalls, tool: r.agent.toolCalls }, { model: 0, tool: 2 });
      assert.equal(r.compared.firstDivergence, -1);
    });
  });

  describe('Vercel AI SDK streaming (doStream recorded as its parts)', () => {
    it('a no-edit replay of a streamed run serves every stream from the recording and reproduces every step', async () => {
      const { run, out } = await record(VERCEL, ['Paris,Rome', 'stream']);
      assert.deepEqual({ model: out.modelCalls, tool: out.toolCalls }, { model: 3, tool: 2 });
      const streamSteps = showJson(s.db, run.traceId).steps.filter((x) => x.kind === 'llm');
      assert.equal(streamSteps.length, 3);
      assert.match(String(streamSteps[2]!.attributes['tracefork.step.output']), /"text-delta"/, 'the stream is recorded as its parts');
      const r = await replay(run.traceId, [], VERCEL, ['Paris,Rome', 'stream']);
      assert.deepEqual({ model: r.agent.modelCalls, tool: r.agent.toolCalls }, { model: 0, tool: 0 });
      assert.equal(r.agent.text, out.text, 'the streamed answer is the same');
      assert.equal(r.compared.firstDivergence, -1, JSON.stringify(r.compared.pairs.map((p) => [p.left?.name, p.status, p.differs])));
    });
  });

  describe('openai client (fetch wrapper + generic tool and step)', () => {
    let mock: MockOpenAI;
    let original: TraceSummary;
    before(async () => {
      mock = await startMockOpenAI();
      const r = await record(OPENAI, [], { OPENAI_BASE_URL: mock.baseURL });
      original = r.run;
      assert.equal(mock.requests.length, 2);
      assert.equal(r.out.toolCalls, 1);
    });
    after(() => mock.close());

    it('records the chat calls as GenAI LLM steps under the agent step', () => {
      const steps = showJson(s.db, original.traceId).steps;
      assert.deepEqual(
        steps.map((x) => [x.kind, x.attributes['tracefork.step.key']]),
        [
          ['agent', '/step:weather-agent#0'],
          ['llm', '/step:weather-agent#0/llm:gpt-4o-mini#0'],
          ['tool', '/step:weather-agent#0/tool:get_weather#0'],
          ['llm', '/step:weather-agent#0/llm:gpt-4o-mini#1'],
        ],
      );
      assert.equal(steps[1]!.output?.messages?.[0]?.toolCalls?.[0]?.name, 'get_weather');
      assert.equal(steps[3]!.inputTokens, 70);
    });

    it('a no-edit replay sends nothing to the model and reproduces every step', async () => {
      const before = mock.requests.length;
      const r = await replay(original.traceId, [], OPENAI, [], { OPENAI_BASE_URL: mock.baseURL });
      assert.equal(mock.requests.length - before, 0);
      assert.equal(r.agent.toolCalls, 0);
      assert.equal(r.compared.firstDivergence, -1, JSON.stringify(r.compared.pairs.map((p) => [p.status, p.differs])));
    });

    it('an edited fork of the last call sends only that call, with the edit', async () => {
      const fork = llmSpans(original.traceId)[1]!;
      const plan = JSON.parse(cliOk(['plan', original.traceId, '--fork', fork.spanId, '--db', s.db])) as {
        fork: { input: { messages: Array<{ role: string; content: string }> } };
      };
      plan.fork.input.messages.find((m) => m.role === 'tool')!.content = 'Paris: 30°C, storm';
      const input = path.join(path.dirname(s.db), 'edit-openai.json');
      fs.writeFileSync(input, JSON.stringify(plan.fork.input));
      const before = mock.requests.length;
      const r = await replay(original.traceId, ['--fork', fork.spanId, '--input', input], OPENAI, [], { OPENAI_BASE_URL: mock.baseURL });
      assert.equal(mock.requests.length - before, 1, 'only the fork step reached the model');
      assert.equal(r.agent.toolCalls, 0, 'the tool before the fork came from the recording');
      assert.equal(r.agent.text, 'The weather is: Paris: 30°C, storm');
      assert.equal(r.compared.pairs[r.compared.firstDivergence]!.source, 'fork');
      assert.deepEqual(
        r.compared.pairs.map((p) => p.source),
        ['live', 'recording', 'recording', 'fork'],
      );
    });
  });
});
