import assert from 'node:assert/strict';
import { toStep } from '../model/normalize';
import { DETAILS_EVENT } from './genAi';
import { logEvent, span, spanEvent } from '../../../test/support/testSpans';

describe('gen_ai adapter (semconv 1.37+)', () => {
  it('reads structured messages, system instructions, reasoning and finish reasons', () => {
    const s = toStep({
      span: span({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-0',
        'gen_ai.response.model': 'claude-sonnet-4-20250514',
        'gen_ai.conversation.id': 'conv-9',
        'gen_ai.system_instructions': [{ type: 'text', content: 'You plan trips.' }],
        'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'Plan Rome' }] }],
        'gen_ai.output.messages': [
          {
            role: 'assistant',
            finish_reason: 'tool_call',
            parts: [
              { type: 'reasoning', content: 'Need flights first.' },
              { type: 'text', content: 'Checking flights.' },
              { type: 'tool_call', id: 'toolu_1', name: 'flights', arguments: '{"to":"FCO"}' },
            ],
          },
        ],
        'gen_ai.response.finish_reasons': ['tool_call'],
        'gen_ai.usage.input_tokens': 2000,
        'gen_ai.usage.output_tokens': 100,
      }),
    });
    assert.equal(s.convention, 'gen_ai');
    assert.equal(s.kind, 'llm');
    assert.equal(s.model, 'claude-sonnet-4-20250514');
    assert.equal(s.provider, 'anthropic');
    assert.equal(s.sessionId, 'conv-9');
    assert.deepEqual(s.input?.messages, [
      { role: 'system', content: 'You plan trips.' },
      { role: 'user', content: 'Plan Rome' },
    ]);
    assert.deepEqual(s.output?.messages, [
      {
        role: 'assistant',
        content: 'Checking flights.',
        toolCalls: [{ id: 'toolu_1', name: 'flights', arguments: { to: 'FCO' } }],
        parts: [{ type: 'reasoning', content: 'Need flights first.' }],
        finishReason: 'tool_call',
      },
    ]);
    assert.equal(s.finishReason, 'tool_call');
    assert.ok(Math.abs((s.costUsd ?? 0) - (2000 * 3 + 100 * 15) / 1e6) < 1e-12);
  });

  it('splits a tool message holding several tool responses', () => {
    const s = toStep({
      span: span({
        'gen_ai.operation.name': 'chat',
        'gen_ai.input.messages': JSON.stringify([
          {
            role: 'tool',
            parts: [
              { type: 'tool_call_response', id: 'a', response: { temp: 3 } },
              { type: 'tool_call_response', id: 'b', response: 'rain' },
            ],
          },
        ]),
      }),
    });
    assert.deepEqual(s.input?.messages, [
      { role: 'tool', content: '{"temp":3}', toolCallId: 'a' },
      { role: 'tool', content: 'rain', toolCallId: 'b' },
    ]);
  });

  it("reads a tool response's value from `result` too (Pydantic AI's instrumentation)", () => {
    const s = toStep({
      span: span({
        'gen_ai.operation.name': 'chat',
        'gen_ai.input.messages': JSON.stringify([
          { role: 'user', parts: [{ type: 'tool_call_response', id: 'call_5', name: 'get_weather', result: 'sunny in Paris, 21C' }] },
        ]),
      }),
    });
    assert.deepEqual(s.input?.messages, [{ role: 'user', content: 'sunny in Paris, 21C', toolCallId: 'call_5' }]);
  });

  it('makes execute_tool spans tool steps with parsed arguments and result', () => {
    const s = toStep({
      span: span(
        {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'get_weather',
          'gen_ai.tool.call.id': 'call_1',
          'gen_ai.tool.type': 'function',
          'gen_ai.tool.call.arguments': '{"city":"Paris"}',
          'gen_ai.tool.call.result': '{"tempC":21}',
        },
        { name: 'execute_tool get_weather' },
      ),
    });
    assert.equal(s.kind, 'tool');
    assert.equal(s.toolName, 'get_weather');
    assert.equal(s.toolCallId, 'call_1');
    assert.deepEqual(s.input, { value: { city: 'Paris' } });
    assert.deepEqual(s.output, { value: { tempC: 21 } });
  });

  it('maps agent and embedding operations', () => {
    const agent = toStep({ span: span({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Planner' }) });
    assert.equal(agent.kind, 'agent');
    assert.equal(agent.agentName, 'Planner');
    const created = toStep({ span: span({ 'gen_ai.operation.name': 'create_agent', 'gen_ai.agent.name': 'x' }) });
    assert.equal(created.kind, 'agent');
    const emb = toStep({
      span: span({
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'text-embedding-3-small',
        'gen_ai.usage.input_tokens': 500,
      }),
    });
    assert.equal(emb.kind, 'embedding');
    assert.equal(emb.costUsd, 0.00001);
    const content = toStep({ span: span({ 'gen_ai.operation.name': 'generate_content', 'gen_ai.provider.name': 'gcp.gemini' }) });
    assert.equal(content.kind, 'llm');
  });

  it('takes messages from a gen_ai.client.inference.operation.details log when the span has none', () => {
    const s = toStep({
      span: span({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4.1-mini' }),
      logs: [
        logEvent(DETAILS_EVENT, null, {
          'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }],
          'gen_ai.output.messages': [{ role: 'assistant', parts: [{ type: 'text', content: 'hello' }], finish_reason: 'stop' }],
        }),
      ],
    });
    assert.deepEqual(s.input?.messages, [{ role: 'user', content: 'hi' }]);
    assert.deepEqual(s.output?.messages, [{ role: 'assistant', content: 'hello', finishReason: 'stop' }]);
    assert.equal(s.finishReason, 'stop');
  });

  it('also reads the details event as a span event', () => {
    const s = toStep({
      span: span(
        { 'gen_ai.operation.name': 'chat' },
        { events: [spanEvent(DETAILS_EVENT, { 'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"yo"}]}]' })] },
      ),
    });
    assert.deepEqual(s.input?.messages, [{ role: 'user', content: 'yo' }]);
  });

  it('reports error.type when the span failed without a message', () => {
    const s = toStep({
      span: span({ 'gen_ai.operation.name': 'chat', 'error.type': 'RateLimitError' }, { status: { code: 2 } }),
    });
    assert.equal(s.status, 'error');
    assert.equal(s.error, 'RateLimitError');
    const ok = toStep({ span: span({ 'gen_ai.operation.name': 'chat', 'error.type': 'x' }, { status: { code: 1 } }) });
    assert.equal(ok.status, 'ok');
    assert.equal(ok.error, null);
  });
});
