import assert from 'node:assert/strict';
import { toStep } from '../model/normalize';
import { logEvent, span, spanEvent } from '../../../test/support/testSpans';

describe('gen_ai_legacy adapter (semconv before 1.37)', () => {
  it('reads indexed prompts and completions with tool calls and tool results', () => {
    const s = toStep({
      span: span({
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.prompt.0.role': 'user',
        'gen_ai.prompt.0.content': 'Weather in Paris?',
        'gen_ai.prompt.1.role': 'assistant',
        'gen_ai.prompt.1.tool_calls.0.id': 'call_1',
        'gen_ai.prompt.1.tool_calls.0.name': 'get_weather',
        'gen_ai.prompt.1.tool_calls.0.arguments': '{"city":"Paris"}',
        'gen_ai.prompt.2.role': 'tool',
        'gen_ai.prompt.2.tool_call_id': 'call_1',
        'gen_ai.prompt.2.content': '{"tempC":21}',
        'gen_ai.completion.0.role': 'assistant',
        'gen_ai.completion.0.content': 'It is 21C.',
        'gen_ai.completion.0.finish_reason': 'stop',
        'gen_ai.usage.prompt_tokens': 55,
        'gen_ai.usage.completion_tokens': 6,
      }),
    });
    assert.equal(s.convention, 'gen_ai_legacy');
    assert.equal(s.kind, 'llm');
    assert.equal(s.provider, 'openai');
    assert.deepEqual(s.input?.messages, [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', content: '{"tempC":21}', toolCallId: 'call_1' },
    ]);
    assert.deepEqual(s.output?.messages, [{ role: 'assistant', content: 'It is 21C.', finishReason: 'stop' }]);
    assert.equal(s.finishReason, 'stop');
    assert.equal(s.inputTokens, 55);
    assert.equal(s.outputTokens, 6);
    assert.ok(s.costUsd !== null && s.costUsd > 0);
  });

  it('joins content given as a JSON array of text parts', () => {
    const s = toStep({
      span: span({
        'gen_ai.system': 'Anthropic',
        'gen_ai.prompt.0.role': 'user',
        'gen_ai.prompt.0.content': '[{"type":"text","text":"line 1"},{"type":"text","text":"line 2"}]',
      }),
    });
    assert.equal(s.input?.messages?.[0]?.content, 'line 1\nline 2');
  });

  /** What opentelemetry-instrumentation-openai-v2 emits: a chat span plus message events as log records. */
  const eventLogs = [
    logEvent('gen_ai.system.message', { content: 'Be brief.' }, { 'gen_ai.system': 'openai' }, 1),
    logEvent('gen_ai.user.message', { content: 'Weather in Oslo?' }, { 'gen_ai.system': 'openai' }, 2),
    logEvent(
      'gen_ai.assistant.message',
      {
        tool_calls: [{ id: 'call_7', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }],
      },
      {},
      3,
    ),
    logEvent('gen_ai.tool.message', { content: 'cold', id: 'call_7' }, {}, 4),
    logEvent('gen_ai.choice', { index: 0, finish_reason: 'stop', message: { content: 'It is cold.' } }, {}, 50),
  ];

  it('reads message and choice events (log records) when the span has no markers of 1.37', () => {
    const s = toStep({
      span: span({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 30 }),
      logs: eventLogs,
    });
    assert.equal(s.convention, 'gen_ai_legacy');
    assert.deepEqual(s.input?.messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Oslo?' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'call_7', name: 'weather', arguments: { city: 'Oslo' } }] },
      { role: 'tool', content: 'cold', toolCallId: 'call_7' },
    ]);
    assert.deepEqual(s.output?.messages, [{ role: 'assistant', content: 'It is cold.', finishReason: 'stop' }]);
    assert.equal(s.finishReason, 'stop');
    assert.equal(s.inputTokens, 30);
  });

  it('fills messages under a gen_ai primary when the span has gen_ai.operation.name (semconv 1.28–1.36)', () => {
    const s = toStep({
      span: span({ 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' }),
      logs: eventLogs,
    });
    assert.equal(s.convention, 'gen_ai');
    assert.equal(s.provider, 'openai');
    assert.equal(s.input?.messages?.length, 4);
    assert.equal(s.output?.messages?.[0]?.content, 'It is cold.');
  });

  it('reads the older gen_ai.content.prompt/completion span events', () => {
    const s = toStep({
      span: span(
        { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-3.5-turbo' },
        {
          events: [
            spanEvent('gen_ai.content.prompt', { 'gen_ai.prompt': '[{"role":"user","content":"Say hi"}]' }, 1),
            spanEvent('gen_ai.content.completion', { 'gen_ai.completion': 'hi' }, 9),
          ],
        },
      ),
    });
    assert.deepEqual(s.input?.messages, [{ role: 'user', content: 'Say hi' }]);
    assert.deepEqual(s.output?.messages, [{ role: 'assistant', content: 'hi' }]);
  });
});
