/**
 * Real agent frameworks, offline, against a real `tracefork serve`: the Vercel AI SDK on a mock model,
 * and the OpenAI client on a mock server instrumented by Traceloop (in process) or OpenInference (in a
 * child process: both patch the same OpenAI class, so only one may be installed per process).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { runOpenAIAgent, type OpenAIAgentResult } from '../clients/openaiAgent';
import { runVercelAgent, type AgentMode } from '../clients/vercelAgent';
import prices from '../../src/core/model/prices.json';
import type { Step } from '../../src/core/model/step';
import { listJson, ROOT, showJson, eventually, serveForSuite } from '../support/cli';

const ONE_SECOND = 1000; // what serve acknowledged is readable by list/show within this
const PROMPT = 'What is the weather in Paris?';
const roleAndText = (msgs: Step['input']) => (msgs?.messages ?? []).map((m) => ({ role: m.role, content: m.content }));
const byKind = (steps: Step[], kind: Step['kind']) => steps.filter((s) => s.kind === kind);

describe('agent frameworks → tracefork serve', function () {
  this.timeout(60_000);
  const suite = serveForSuite('tracefork-frameworks-');

  /** Steps of `traceId` once `spans` of them are readable, polled for at most one second. */
  const stepsOf = (traceId: string, spans: number) =>
    eventually(() => {
      const { steps } = showJson(suite.db, traceId);
      assert.equal(steps.length, spans);
      return steps;
    }, ONE_SECOND);

  describe('Vercel AI SDK (MockLanguageModelV3, experimental_telemetry)', () => {
    async function run(mode: AgentMode): Promise<{ traceId: string; steps: Step[] }> {
      const r = await runVercelAgent({ endpoint: suite.serve.url, mode });
      assert.deepEqual(r.exportErrors, []);
      assert.equal(r.traceIds.length, 1);
      return { traceId: r.traceIds[0], steps: await stepsOf(r.traceIds[0], r.exported.length) };
    }

    it('ok: an outer chain over llm and tool steps, tokens counted once', async () => {
      const { steps } = await run('ok');
      const [outer] = steps;
      assert.equal(outer.name, 'ai.generateText');
      assert.ok(outer.kind === 'chain' || outer.kind === 'agent', outer.kind);
      assert.deepEqual([outer.convention, outer.depth, outer.parentSpanId], ['vercel_ai', 0, null]);
      const llms = byKind(steps, 'llm');
      assert.equal(llms.length, 2);
      for (const s of llms) {
        assert.deepEqual(
          [s.name, s.model, s.provider, s.depth, s.parentSpanId],
          ['ai.generateText.doGenerate', 'mock-model', 'mock-provider', 1, outer.spanId],
        );
        assert.ok(
          roleAndText(s.input).some((m) => m.role === 'user' && m.content === PROMPT),
          JSON.stringify(s.input),
        );
      }
      // The mock model returns usage (30 in, 12 out) for the tool-call step and (60, 9) for the answer.
      assert.deepEqual(
        llms.map((s) => [s.inputTokens, s.outputTokens]),
        [
          [30, 12],
          [60, 9],
        ],
      );
      assert.deepEqual(llms[0].output?.messages?.[0]?.toolCalls, [{ id: 'call_1', name: 'getWeather', arguments: { city: 'Paris' } }]);
      assert.deepEqual([outer.inputTokens, outer.outputTokens], [null, null]);
      assert.deepEqual(outer.rollupTokens, { input: 90, output: 21 });
      const summed = steps.reduce((n, s) => n + (s.inputTokens ?? 0), 0);
      assert.equal(summed, 90, 'input tokens summed over the steps count each model call once');

      const [tool] = byKind(steps, 'tool');
      assert.deepEqual(
        [tool.name, tool.toolName, tool.toolCallId, tool.status, tool.parentSpanId],
        ['ai.toolCall', 'getWeather', 'call_1', 'unset', outer.spanId],
      );
      assert.deepEqual(tool.input, { value: { city: 'Paris' } });
      assert.deepEqual(tool.output, { value: { city: 'Paris', temperatureC: 21, condition: 'sunny' } });
    });

    it('tool-error: the tool step is an error and the trace is listed as failed', async () => {
      const { traceId, steps } = await run('tool-error');
      const tools = byKind(steps, 'tool');
      assert.equal(tools.length, 1);
      assert.equal(tools[0].status, 'error');
      assert.match(tools[0].error ?? '', /weather service unavailable/);
      assert.ok(steps.filter((s) => s.kind !== 'tool').every((s) => s.status !== 'error'));
      const row = listJson(suite.db).find((t) => t.traceId === traceId);
      assert.ok(row, 'trace missing from list --json');
      assert.equal(row.status, 'error');
      assert.ok(row.errorCount >= 1, `errorCount ${row.errorCount}`);
    });

    it('loop: three tool steps with identical arguments', async () => {
      const { steps } = await run('loop');
      const tools = byKind(steps, 'tool');
      assert.equal(tools.length, 3);
      for (const t of tools) assert.deepEqual([t.toolName, t.input], ['getWeather', { value: { city: 'Paris' } }]);
      assert.deepEqual(
        tools.map((t) => t.toolCallId),
        ['call_1', 'call_2', 'call_3'],
      );
      assert.equal(byKind(steps, 'llm').length, 4);
    });
  });

  describe('OpenAI client on a mock server', () => {
    /** Usage the mock answers its n-th request with (test/clients/mockOpenAI.ts). */
    const mockUsage = (n: number) => ({ input: 50 + 10 * n, output: 12 });
    const price = prices.models['gpt-4o-mini'];
    const WEATHER = { city: 'Paris', temperatureC: 21, condition: 'sunny' };

    function checkTurn(steps: Step[], convention: Step['convention']): void {
      const root = steps[0];
      assert.deepEqual([root.name, root.depth], ['invoke_agent weather-agent', 0]);
      const llms = byKind(steps, 'llm');
      assert.equal(llms.length, 2);
      llms.forEach((s, i) => {
        assert.deepEqual([s.convention, s.model, s.provider, s.depth, s.parentSpanId], [convention, 'gpt-4o-mini', 'openai', 1, root.spanId]);
        const usage = mockUsage(i + 1);
        assert.deepEqual([s.inputTokens, s.outputTokens], [usage.input, usage.output]);
        const expected = (usage.input * price.input + usage.output * price.output) / 1e6;
        assert.ok(s.costUsd !== null && Math.abs(s.costUsd - expected) < 1e-12, `costUsd ${s.costUsd}, expected ${expected}`);
      });
      const [first, second] = llms;
      assert.deepEqual(roleAndText(first.input), [
        { role: 'system', content: 'You are a weather assistant.' },
        { role: 'user', content: PROMPT },
      ]);
      assert.deepEqual(first.output?.messages?.[0]?.toolCalls, [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }]);
      const secondIn = second.input?.messages ?? [];
      assert.deepEqual(roleAndText(second.input).slice(0, 2), roleAndText(first.input));
      assert.deepEqual(
        secondIn[2]?.toolCalls?.map((c) => [c.name, c.arguments]),
        [['get_weather', { city: 'Paris' }]],
      );
      const toolMsg = secondIn[3];
      assert.deepEqual([secondIn.length, toolMsg?.role, toolMsg?.toolCallId], [4, 'tool', 'call_1']);
      assert.deepEqual(JSON.parse(toolMsg?.content ?? 'null'), WEATHER);
      assert.equal(second.output?.messages?.[0]?.content, `The weather is: ${JSON.stringify(WEATHER)}`);
      assert.deepEqual([first.finishReason, second.finishReason], [convention === 'gen_ai' ? 'tool_call' : 'tool_calls', 'stop']); // as each instrumentation reports it
      const [tool] = byKind(steps, 'tool');
      assert.deepEqual([tool?.toolName, tool?.toolCallId, tool?.convention], ['get_weather', 'call_1', 'gen_ai']);
    }

    it('Traceloop instrumentation (in process): gen_ai.* semconv model calls', async () => {
      const r = await runOpenAIAgent({ endpoint: suite.serve.url, instrumentation: 'traceloop' });
      assert.deepEqual([r.exportErrors, r.llmRequests], [[], 2]);
      // @traceloop/instrumentation-openai 0.27 emits only gen_ai.* (no llm.request.type / traceloop.*).
      checkTurn(await stepsOf(r.traceId, 4), 'gen_ai');
    });

    it('OpenInference instrumentation (child process): llm.* flattened messages', async () => {
      const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/clients/openaiAgent.ts', 'openinference'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 45_000,
        env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: suite.serve.url },
      });
      assert.equal(child.status, 0, `openaiAgent.ts openinference failed:\n${child.stderr}`);
      const r = JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as OpenAIAgentResult;
      assert.deepEqual([r.exportErrors, r.llmRequests], [[], 2]);
      checkTurn(await stepsOf(r.traceId, 4), 'openinference');
    });
  });
});
