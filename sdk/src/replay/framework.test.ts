import * as assert from 'node:assert/strict';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describesModelCall, describesTool, FrameworkSpans, RunGroup, SDK_TRACER } from './framework';
import { StepScopes } from './scope';
import { resetRuntime } from './runtime';
import { Replayer } from './replayer';
import { tool } from '../adapters/generic';
import { inputHash, type ReplayPlan } from '../contract';

/** A provider of its own (the global one belongs to register()), with the span tracking under test. */
function setUp() {
  const frameworks = new FrameworkSpans();
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [frameworks, new SimpleSpanProcessor(exporter)] });
  return { frameworks, exporter, framework: provider.getTracer('openinference-langchain'), sdk: provider.getTracer(SDK_TRACER), provider };
}

describe('sdk: joining a framework’s trace, grouping untraced calls', () => {
  it('tracks the open spans of other instrumentations, never its own, and forgets them when they end', () => {
    const { frameworks, framework, sdk } = setUp();
    const chain = framework.startSpan('RunnableSequence');
    const llm = framework.startSpan('ChatOpenAI', { attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-x' } });
    const own = sdk.startSpan('chat gpt-x');
    assert.equal(frameworks.innermost(), llm, 'the newest open framework span');
    assert.equal(
      frameworks.find(() => true),
      llm,
    );
    assert.equal(
      frameworks.find((s) => s === own),
      undefined,
      'the SDK’s own spans are not tracked',
    );
    llm.end();
    assert.equal(frameworks.innermost(), chain, 'an ended span is forgotten');
    chain.end();
    own.end();
    assert.equal(frameworks.innermost(), undefined);
  });

  it('finds the fitting span of the caller’s trace before one of another trace', () => {
    const { frameworks, framework } = setUp();
    const a = framework.startSpan('tool search', { attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'search' } });
    const b = framework.startSpan('tool search', { attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'search' } });
    const fits = (s: Parameters<typeof describesTool>[0]) => describesTool(s, 'search');
    assert.equal(frameworks.find(fits), b, 'no trace given: the newest');
    assert.equal(frameworks.find(fits, a.spanContext().traceId), a, 'the caller’s trace first');
    assert.equal(frameworks.find(fits, 'f'.repeat(32)), b, 'none in the caller’s trace: the newest of any');
    a.end();
    b.end();
  });

  it('recognises a span that describes the model call from its data: GenAI or OpenInference, same model', () => {
    const { framework } = setUp();
    const genai = framework.startSpan('chat gpt-x', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-x' } });
    const oi = framework.startSpan('ChatOpenAI', { attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-x' } });
    const unnamed = framework.startSpan('llm', { attributes: { 'openinference.span.kind': 'LLM' } });
    const chain = framework.startSpan('chain', { attributes: { 'openinference.span.kind': 'CHAIN' } });
    const tool = framework.startSpan('execute_tool', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'x' } });
    assert.ok(describesModelCall(genai, 'gpt-x'));
    assert.ok(!describesModelCall(genai, 'gpt-y'), 'another model is another call');
    assert.ok(describesModelCall(oi, 'gpt-x'));
    assert.ok(describesModelCall(unnamed, 'anything'), 'a model span that names no model yet fits');
    assert.ok(!describesModelCall(chain, 'gpt-x'));
    assert.ok(!describesModelCall(tool, 'gpt-x'));
  });

  it('recognises a tool span by the tool’s name, also one whose attributes come only at its end', () => {
    const { framework } = setUp();
    const oi = framework.startSpan('weather', { attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'weather' } });
    const genai = framework.startSpan('execute_tool weather', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'weather' } });
    const bare = framework.startSpan('weather');
    const llmNamedLikeTool = framework.startSpan('weather', { attributes: { 'openinference.span.kind': 'LLM' } });
    assert.ok(describesTool(oi, 'weather') && !describesTool(oi, 'search'));
    assert.ok(describesTool(genai, 'weather') && !describesTool(genai, 'search'));
    assert.ok(describesTool(bare, 'weather'), 'named after the tool, no convention attributes yet');
    assert.ok(!describesTool(bare, 'search'));
    assert.ok(!describesTool(llmNamedLikeTool, 'weather'), 'a span of another kind is not the tool’s');
  });

  it('a run group is one root span while calls follow each other, closed once idle, at the end of its last call', async () => {
    const { sdk, exporter } = setUp();
    const group = new RunGroup('agent', 30, sdk);
    const first = group.enter();
    const second = group.enter();
    assert.equal(first, second, 'overlapping calls share the run');
    group.leave();
    assert.equal(exporter.getFinishedSpans().length, 0, 'a call still in flight keeps it open');
    group.leave();
    const left = Date.now();
    const ended = await waitFor(() => exporter.getFinishedSpans()[0]);
    const endMs = ended.endTime[0] * 1000 + ended.endTime[1] / 1e6;
    assert.ok(endMs <= left + 1, `the run ends when its last call did (${endMs - left} ms after), not when the idle timer fired`);
    assert.equal(ended.name, 'agent');
    assert.equal(ended.parentSpanContext, undefined, 'a root span');
    assert.equal(ended.attributes['gen_ai.operation.name'], 'invoke_agent');
    assert.equal(ended.attributes['tracefork.run.grouped'], true);
    const next = group.enter();
    assert.notEqual(next.spanContext().traceId, first.spanContext().traceId, 'a call after the idle gap starts the next run');
    group.leave();
    group.close();
  });

  it('a process-wide group (idle Infinity) stays open until closed', async () => {
    const { sdk, exporter } = setUp();
    const group = new RunGroup('script', Infinity, sdk);
    const span = group.enter();
    group.leave();
    assert.equal(group.enter(), span);
    group.leave();
    assert.equal(exporter.getFinishedSpans().length, 0);
    group.close();
    assert.equal(exporter.getFinishedSpans().length, 1);
  });

  it('counts keys per run: a run joined later counts from 0 whatever ran before in the process', () => {
    const s = new StepScopes();
    const a = 'a'.repeat(32);
    const b = 'b'.repeat(32);
    assert.equal(s.nextKey('llm', 'm', a), '/llm:m#0');
    assert.equal(s.nextKey('llm', 'm', a), '/llm:m#1');
    assert.equal(s.nextKey('llm', 'm', b), '/llm:m#0', 'another run');
    assert.equal(s.nextKey('llm', 'm', a), '/llm:m#2');
    s.within('/step:x#0', () => assert.equal(s.nextKey('llm', 'm', b), '/step:x#0/llm:m#0', 'inside a step: the step’s own count'));
    s.reset();
    assert.equal(s.nextKey('llm', 'm', a), '/llm:m#0', 'reset forgets every run');
  });

  it('tool() records the arguments the function declares; what a framework passes beyond them goes through untouched', async () => {
    const weather = tool('weather', async (...args: unknown[]) => `live ${String(args[0])}`);
    const declared = tool('forecast', (city: string) => `live ${city}`);
    const plan: ReplayPlan = {
      version: 1,
      planId: 'p',
      original: { traceId: 't'.repeat(32), forkSpanId: 's'.repeat(16) },
      steps: [{ key: '/tool:forecast#0', op: 'tool', name: 'forecast', inputHash: inputHash('Paris', 'tool'), output: 'recorded Paris' }],
      fork: { key: '/tool:forecast#1', op: 'tool', name: 'forecast', input: 'Lyon' },
    };
    const lines: string[] = [];
    const r = new Replayer(plan, (l) => lines.push(l));
    resetRuntime(r);
    try {
      const config = { callbacks: [{ handler: 'x' }], runId: 'fresh-every-run' };
      const declaredWithConfig = declared as unknown as (city: string, cfg: unknown) => Promise<string>;
      assert.equal(await declaredWithConfig('Paris', config), 'recorded Paris', 'the config is not in the input: the recording still matches');
      assert.equal(await declaredWithConfig('Rome', config), 'live Lyon', 'the fork’s edit replaces the declared argument');
      assert.equal(lines.length, 0, lines.join('\n'));
      const all = new Replayer(
        {
          ...plan,
          fork: null,
          steps: [{ key: '/tool:weather#0', op: 'tool', name: 'weather', inputHash: inputHash(['Oslo', config], 'tool'), output: 'recorded Oslo' }],
        },
        (l: string) => lines.push(l),
      );
      resetRuntime(all);
      assert.equal(await weather('Oslo', config), 'recorded Oslo', 'a function that declares no parameter (rest): every argument is the input');
      assert.deepEqual(lines, []);
    } finally {
      resetRuntime();
    }
  });
});

async function waitFor<T>(get: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
