import * as assert from 'node:assert/strict';
import { playgroundRequest, sendChat } from './playground';
import { startMockOpenAI } from '../../../test/clients/mockOpenAI';
import type { Step } from '../model/step';

const step = (over: Partial<Step>): Step =>
  ({
    traceId: 't',
    spanId: 's',
    parentSpanId: null,
    name: 'chat',
    kind: 'llm',
    convention: 'gen_ai',
    model: 'gpt-4o-mini',
    provider: null,
    input: null,
    output: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    startTime: '',
    durationMs: 1,
    status: 'ok',
    error: null,
    code: null,
    scores: [],
    sessionId: null,
    toolName: null,
    toolCallId: null,
    agentName: null,
    finishReason: null,
    rollupTokens: null,
    depth: 0,
    attributes: {},
    events: [],
    ...over,
  }) as Step;

describe('single-call playground', () => {
  it("builds an OpenAI request from any step's messages, tool calls included", () => {
    const r = playgroundRequest(
      step({
        input: {
          messages: [
            { role: 'user', content: 'Weather?' },
            { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'get_weather', arguments: { city: 'Paris' } }] },
            { role: 'tool', content: 'sunny', toolCallId: 'c1' },
          ],
        },
      }),
    );
    assert.equal(r.model, 'gpt-4o-mini');
    assert.deepEqual(r.messages[1], {
      role: 'assistant',
      content: '',
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    });
    assert.deepEqual(r.messages[2], { role: 'tool', content: 'sunny', tool_call_id: 'c1' });
    assert.throws(() => playgroundRequest(step({})), /no input messages/);
  });

  it('re-sends an edited call to an OpenAI-compatible endpoint and returns its answer', async () => {
    const mock = await startMockOpenAI();
    try {
      const req = playgroundRequest(
        step({
          attributes: {
            'tracefork.step.adapter': 'openai',
            'tracefork.step.input': JSON.stringify({ model: 'm1', messages: [{ role: 'user', content: 'hi' }], temperature: 0 }),
          },
        }),
      );
      assert.equal(req.temperature, 0, 'the recorded OpenAI body is sent as it was');
      req.messages.push({ role: 'tool', tool_call_id: 'x', content: 'edited result' });
      const answer = await sendChat(mock.baseURL, req, 'sk-test');
      assert.deepEqual(answer.message, { role: 'assistant', content: 'The weather is: edited result' });
      assert.equal(mock.requests.length, 1);
      assert.equal(mock.requests[0]!.messages.length, 2);
      await assert.rejects(sendChat(mock.baseURL.replace('/v1', '/nope'), req), /answered 404: no route POST/);
    } finally {
      await mock.close();
    }
  });
});
