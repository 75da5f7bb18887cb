import assert from 'node:assert/strict';
import { toStep } from '../model/normalize';
import type { Step } from '../model/step';
import { loadFixture, span, spanEvent } from '../../../test/support/testSpans';
import { vercelKind } from './vercelAi';

describe('vercel_ai adapter', () => {
  describe('AI SDK 6 fixture (generateText with one tool round)', () => {
    const steps: Step[] = loadFixture('vercel-ai-sdk').map((s) => toStep(s));
    const byId = (id: string): Step => steps.find((s) => s.spanId === id) ?? assert.fail(`no step ${id}`);
    const first = byId('2432984e843b7888');
    const tool = byId('e5212363ec01b4f0');
    const second = byId('3a48b266ee8e4871');
    const outer = byId('98c40f8f47f88aed');

    it('makes four vercel_ai steps', () => {
      assert.equal(steps.length, 4);
      assert.deepEqual(
        steps.map((s) => s.convention),
        ['vercel_ai', 'vercel_ai', 'vercel_ai', 'vercel_ai'],
      );
      assert.deepEqual(
        steps.map((s) => s.kind),
        ['llm', 'tool', 'llm', 'chain'],
      );
    });

    it('gives the doGenerate steps their own model, provider and usage', () => {
      for (const s of [first, second]) {
        assert.equal(s.model, 'mock-model-1');
        assert.equal(s.provider, 'mock-provider');
        assert.equal(s.inputTokens, 10);
        assert.equal(s.outputTokens, 5);
        assert.equal(s.rollupTokens, null);
        assert.equal(s.sessionId, 's-1');
      }
      assert.equal(first.finishReason, 'tool-calls');
      assert.equal(second.finishReason, 'stop');
    });

    it('reads prompt messages and the requested tool call with parsed arguments', () => {
      assert.deepEqual(first.input?.messages, [
        { role: 'system', content: 'You are a weather agent.' },
        { role: 'user', content: 'What is the weather in Paris?' },
      ]);
      const out = first.output?.messages?.[0];
      assert.equal(out?.role, 'assistant');
      assert.equal(out?.content, null);
      assert.deepEqual(out?.toolCalls, [{ id: 'call-1', name: 'getWeather', arguments: { city: 'Paris' } }]);
    });

    it('reads the tool result message of the second model call and its answer', () => {
      const msgs = second.input?.messages ?? [];
      assert.equal(msgs.length, 4);
      assert.deepEqual(msgs[2]?.toolCalls, [{ id: 'call-1', name: 'getWeather', arguments: { city: 'Paris' } }]);
      assert.equal(msgs[3]?.role, 'tool');
      assert.equal(msgs[3]?.toolCallId, 'call-1');
      assert.equal(msgs[3]?.name, 'getWeather');
      assert.deepEqual(JSON.parse(msgs[3]?.content ?? ''), { city: 'Paris', tempC: 21, sky: 'sunny' });
      assert.equal(second.output?.messages?.[0]?.content, 'It is 21C and sunny in Paris.');
    });

    it('makes the toolCall a tool step with parsed args and result', () => {
      assert.equal(tool.toolName, 'getWeather');
      assert.equal(tool.toolCallId, 'call-1');
      assert.deepEqual(tool.input, { value: { city: 'Paris' } });
      assert.deepEqual(tool.output, { value: { city: 'Paris', tempC: 21, sky: 'sunny' } });
      assert.equal(tool.model, null);
    });

    it('puts the outer span usage on rollupTokens only', () => {
      assert.equal(outer.inputTokens, null);
      assert.equal(outer.outputTokens, null);
      assert.equal(outer.costUsd, null);
      assert.deepEqual(outer.rollupTokens, { input: 20, output: 10 });
      assert.equal(outer.parentSpanId, null);
      assert.deepEqual(outer.input?.messages, [
        { role: 'system', content: 'You are a weather agent.' },
        { role: 'user', content: 'What is the weather in Paris?' },
      ]);
      assert.equal(outer.output?.messages?.[0]?.content, 'It is 21C and sunny in Paris.');
    });
  });

  it('maps operation ids to kinds', () => {
    assert.equal(vercelKind('ai.streamText.doStream'), 'llm');
    assert.equal(vercelKind('ai.generateObject.doGenerate'), 'llm');
    assert.equal(vercelKind('ai.streamObject'), 'chain');
    assert.equal(vercelKind('ai.embedMany.doEmbed'), 'embedding');
    assert.equal(vercelKind('ai.embed'), 'chain');
    assert.equal(vercelKind('ai.toolCall'), 'tool');
  });

  it('reads AI SDK 4 names: promptTokens, args, result, and a real model price', () => {
    const s = toStep({
      span: span({
        'ai.operationId': 'ai.streamText.doStream',
        'ai.model.provider': 'openai.chat',
        'ai.model.id': 'gpt-4o-mini',
        'ai.response.model': 'gpt-4o-mini-2024-07-18',
        'ai.prompt.messages': JSON.stringify([
          { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
          { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 't1', toolName: 'w', args: { c: 'Oslo' } }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 't1', toolName: 'w', result: 'cold' }] },
        ]),
        'ai.response.toolCalls': JSON.stringify([{ toolCallId: 't2', toolName: 'w', args: '{"c":"Rome"}' }]),
        'ai.finishReason': 'tool-calls',
        'ai.usage.promptTokens': 1000,
        'ai.usage.completionTokens': 500,
      }),
    });
    assert.equal(s.kind, 'llm');
    assert.equal(s.provider, 'openai');
    assert.equal(s.model, 'gpt-4o-mini-2024-07-18');
    assert.deepEqual(s.input?.messages?.[1]?.toolCalls, [{ id: 't1', name: 'w', arguments: { c: 'Oslo' } }]);
    assert.deepEqual(s.input?.messages?.[2], { role: 'tool', content: 'cold', toolCallId: 't1', name: 'w' });
    assert.deepEqual(s.output?.messages?.[0]?.toolCalls, [{ id: 't2', name: 'w', arguments: { c: 'Rome' } }]);
    assert.equal(s.finishReason, 'tool-calls');
    assert.equal(s.inputTokens, 1000);
    assert.equal(s.outputTokens, 500);
    assert.ok(Math.abs((s.costUsd ?? 0) - (1000 * 0.15 + 500 * 0.6) / 1e6) < 1e-12);
  });

  it('reads ai.prompt with messages, and generateObject output as a parsed value', () => {
    const s = toStep({
      span: span({
        'ai.operationId': 'ai.generateObject',
        'ai.model.id': 'gpt-4.1',
        'ai.prompt': JSON.stringify({ system: 'Be terse.', messages: [{ role: 'user', content: 'Name a city' }] }),
        'ai.response.object': '{"city":"Lyon"}',
        'ai.usage.inputTokens': 30,
        'ai.usage.outputTokens': 4,
      }),
    });
    assert.equal(s.kind, 'chain');
    assert.deepEqual(s.input?.messages, [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Name a city' },
    ]);
    assert.deepEqual(s.output?.value, { city: 'Lyon' });
    assert.equal(s.output?.messages?.[0]?.content, '{"city":"Lyon"}');
    assert.deepEqual(s.rollupTokens, { input: 30, output: 4 });
    assert.equal(s.costUsd, null);
  });

  it('reports a failed tool call from the exception event, keeping the span status', () => {
    const s = toStep({
      span: span(
        { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'getWeather', 'ai.toolCall.id': 'c9', 'ai.toolCall.args': '{"city":"Atlantis"}' },
        {
          status: { code: 2 },
          events: [spanEvent('exception', { 'exception.type': 'Error', 'exception.message': 'unknown city' })],
        },
      ),
    });
    assert.equal(s.status, 'error');
    assert.equal(s.error, 'Error: unknown city');
    assert.deepEqual(s.input?.value, { city: 'Atlantis' });
    assert.equal(s.output, null);
  });

  it('falls back to the error field of an errored tool result', () => {
    const s = toStep({
      span: span({ 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'db', 'ai.toolCall.result': '{"error":"timeout after 5s"}' }, { status: { code: 2 } }),
    });
    assert.equal(s.error, 'timeout after 5s');
    const ok = toStep({
      span: span({ 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'db', 'ai.toolCall.result': '{"error":"x"}' }),
    });
    assert.equal(ok.status, 'unset');
    assert.equal(ok.error, null);
  });

  it('makes doEmbed an embedding step with input-only usage and a cost', () => {
    const s = toStep({
      span: span({
        'ai.operationId': 'ai.embedMany.doEmbed',
        'ai.model.provider': 'openai.embedding',
        'ai.model.id': 'text-embedding-3-small',
        'ai.values': ['"sunny day"', '"rainy day"'],
        'ai.usage.tokens': 1_000_000,
      }),
    });
    assert.equal(s.kind, 'embedding');
    assert.deepEqual(s.input?.value, ['sunny day', 'rainy day']);
    assert.equal(s.inputTokens, 1_000_000);
    assert.equal(s.outputTokens, null);
    assert.equal(s.costUsd, 0.02);
  });
});
