import assert from 'node:assert/strict';
import { toStep } from '../model/normalize';
import { loadFixture, span } from '../../../test/support/testSpans';
import { entityValue } from './traceloop';

describe('traceloop adapter', () => {
  describe('@traceloop/instrumentation-openai 0.27 fixture', () => {
    const steps = loadFixture('openai-traceloop').map((s) => toStep(s));

    it('makes two llm steps for gpt-4o-mini by openai, read as gen_ai', () => {
      assert.equal(steps.length, 2);
      for (const s of steps) {
        assert.equal(s.kind, 'llm');
        assert.equal(s.convention, 'gen_ai');
        assert.equal(s.model, 'gpt-4o-mini');
        assert.equal(s.provider, 'openai');
        assert.equal(s.inputTokens, 12);
        assert.equal(s.outputTokens, 7);
      }
    });

    it('reads the tool call the first answer requests, and the tool result the second prompt carries', () => {
      const [first, second] = steps;
      assert.deepEqual(first?.output?.messages?.[0]?.toolCalls, [{ id: 'call_1', name: 'getWeather', arguments: { city: 'Paris' } }]);
      assert.equal(first?.finishReason, 'tool_call');
      const msgs = second?.input?.messages ?? [];
      assert.deepEqual(
        msgs.map((m) => m.role),
        ['system', 'user', 'assistant', 'tool'],
      );
      assert.equal(msgs[3]?.toolCallId, 'call_1');
      assert.equal(msgs[3]?.content, '{"tempC":21}');
      assert.equal(second?.output?.messages?.[0]?.content, 'It is 21C in Paris.');
      assert.equal(second?.finishReason, 'stop');
    });

    it('prices the calls from the table (12 in, 7 out at 0.15/0.60 per 1M)', () => {
      for (const s of steps) assert.ok(Math.abs((s.costUsd ?? 0) - 6e-6) < 1e-12);
    });
  });

  it('reads an OpenLLMetry chat span: llm.request.type with indexed gen_ai.prompt/completion', () => {
    const s = toStep({
      span: span(
        {
          'llm.request.type': 'chat',
          'gen_ai.system': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'gen_ai.prompt.0.role': 'user',
          'gen_ai.prompt.0.content': 'Book a table',
          'gen_ai.completion.0.role': 'assistant',
          'gen_ai.completion.0.finish_reason': 'tool_calls',
          'gen_ai.completion.0.tool_calls.0.id': 'call_9',
          'gen_ai.completion.0.tool_calls.0.name': 'book',
          'gen_ai.completion.0.tool_calls.0.arguments': '{"people":2}',
          'gen_ai.usage.prompt_tokens': 40,
          'gen_ai.usage.completion_tokens': 10,
          'llm.usage.total_tokens': 50,
          'traceloop.association.properties.session_id': 'conv-1',
        },
        { name: 'openai.chat' },
      ),
    });
    assert.equal(s.convention, 'traceloop');
    assert.equal(s.kind, 'llm');
    assert.equal(s.model, 'gpt-4o-2024-08-06');
    assert.equal(s.provider, 'openai');
    assert.deepEqual(s.input?.messages, [{ role: 'user', content: 'Book a table' }]);
    assert.deepEqual(s.output?.messages?.[0]?.toolCalls, [{ id: 'call_9', name: 'book', arguments: { people: 2 } }]);
    assert.equal(s.finishReason, 'tool_calls');
    assert.equal(s.inputTokens, 40);
    assert.equal(s.outputTokens, 10);
    assert.equal(s.sessionId, 'conv-1');
    assert.ok(Math.abs((s.costUsd ?? 0) - (40 * 2.5 + 10 * 10) / 1e6) < 1e-12);
  });

  it('makes workflow spans chains with their entity payloads', () => {
    const s = toStep({
      span: span(
        {
          'traceloop.span.kind': 'workflow',
          'traceloop.workflow.name': 'support',
          'traceloop.entity.name': 'support',
          'traceloop.entity.input': '{"args":[],"kwargs":{"question":"Where is my order?"}}',
          'traceloop.entity.output': '"It ships today."',
          'traceloop.association.properties.sessionId': 'web-7',
        },
        { name: 'support.workflow' },
      ),
    });
    assert.equal(s.convention, 'traceloop');
    assert.equal(s.kind, 'chain');
    assert.deepEqual(s.input, { value: { question: 'Where is my order?' } });
    assert.deepEqual(s.output, { value: 'It ships today.' });
    assert.equal(s.sessionId, 'web-7');
  });

  it('makes tool and agent spans with their names, and reports a failed tool', () => {
    const tool = toStep({
      span: span(
        {
          'traceloop.span.kind': 'tool',
          'traceloop.entity.name': 'lookup_order',
          'traceloop.entity.input': '{"args":["A-17"],"kwargs":{}}',
          'traceloop.entity.output': '{"error":"order not found"}',
        },
        { status: { code: 2 } },
      ),
    });
    assert.equal(tool.kind, 'tool');
    assert.equal(tool.toolName, 'lookup_order');
    assert.deepEqual(tool.input, { value: 'A-17' });
    assert.equal(tool.status, 'error');
    assert.equal(tool.error, 'order not found');
    const agent = toStep({ span: span({ 'traceloop.span.kind': 'agent', 'traceloop.entity.name': 'router' }) });
    assert.equal(agent.kind, 'agent');
    assert.equal(agent.agentName, 'router');
    assert.equal(agent.toolName, null);
  });

  it('makes embedding requests embedding steps', () => {
    const s = toStep({
      span: span({
        'llm.request.type': 'embedding',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'text-embedding-3-large',
        'gen_ai.usage.prompt_tokens': 8,
      }),
    });
    assert.equal(s.kind, 'embedding');
    assert.equal(s.model, 'text-embedding-3-large');
    assert.equal(s.inputTokens, 8);
  });

  it('reduces {args, kwargs} payloads only when one side is empty', () => {
    assert.deepEqual(entityValue('{"args":[],"kwargs":{"a":1}}'), { a: 1 });
    assert.deepEqual(entityValue('{"args":[[1,2]],"kwargs":{}}'), [1, 2]);
    assert.deepEqual(entityValue('{"args":[1],"kwargs":{"b":2}}'), { args: [1], kwargs: { b: 2 } });
    assert.deepEqual(entityValue('{"args":[1],"other":2}'), { args: [1], other: 2 });
    assert.equal(entityValue('plain text'), 'plain text');
  });
});
