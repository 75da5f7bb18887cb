import * as assert from 'node:assert/strict';
import { apiCall, describeRequest, describeResponse, sseEvents } from './apis';

const sse = (events: Array<[string | null, unknown]>) =>
  events.map(([e, d]) => `${e ? `event: ${e}\n` : ''}data: ${typeof d === 'string' ? d : JSON.stringify(d)}\n\n`).join('');
const messagesOf = (a: Record<string, unknown>) =>
  JSON.parse(a['gen_ai.output.messages'] as string) as Array<{ role: string; parts: Array<Record<string, unknown>>; finish_reason?: string }>;

describe('proxy: model APIs as GenAI attributes', () => {
  it('knows which paths are recorded calls and lets the rest pass', () => {
    assert.equal(apiCall('openai', 'POST', '/chat/completions')?.shape, 'openai-chat');
    assert.equal(apiCall('openai', 'POST', '/responses/')?.shape, 'openai-responses');
    assert.equal(apiCall('openai', 'POST', '/embeddings')?.operation, 'embeddings');
    assert.equal(apiCall('anthropic', 'POST', '/v1/messages')?.shape, 'anthropic-messages');
    assert.equal(apiCall('openai', 'GET', '/models'), null);
    assert.equal(apiCall('anthropic', 'POST', '/v1/messages/count_tokens'), null);
  });

  it('describes requests: messages, system instructions, tools and parameters', () => {
    const chat = describeRequest(apiCall('openai', 'POST', '/chat/completions')!, {
      model: 'm',
      temperature: 0.2,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
      tools: [{ type: 'function' }],
    });
    assert.equal(chat['gen_ai.request.temperature'], 0.2);
    assert.deepEqual(JSON.parse(chat['gen_ai.input.messages'] as string), [
      { role: 'user', parts: [{ type: 'text', content: 'hi' }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'sunny' }] },
    ]);
    assert.ok(chat['gen_ai.tool.definitions']);
    const claude = describeRequest(apiCall('anthropic', 'POST', '/v1/messages')!, {
      model: 'c',
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] }],
    });
    assert.deepEqual(JSON.parse(claude['gen_ai.system_instructions'] as string), [{ type: 'text', content: 'Be brief.' }]);
    assert.deepEqual(JSON.parse(claude['gen_ai.input.messages'] as string)[0].parts[0], { type: 'tool_call_response', id: 't1', response: 'ok' });
    const resp = describeRequest(apiCall('openai', 'POST', '/responses')!, { model: 'm', instructions: 'sys', input: 'Summarize' });
    assert.deepEqual(JSON.parse(resp['gen_ai.input.messages'] as string), [{ role: 'user', parts: [{ type: 'text', content: 'Summarize' }] }]);
  });

  it('folds an OpenAI chat stream back into its message: text, tool calls by index, usage', () => {
    const base = { id: 'x', model: 'gpt' };
    const body = sse([
      [
        null,
        { ...base, choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'c1', function: { name: 'get_', arguments: '' } }] } }] },
      ],
      [null, { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'weather', arguments: '{"city":' } }] } }] }],
      [null, { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] } }] }],
      [null, { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 5, completion_tokens: 3 } }],
      [null, '[DONE]'],
    ]);
    const a = describeResponse(apiCall('openai', 'POST', '/chat/completions')!, 200, 'text/event-stream; charset=utf-8', body);
    assert.deepEqual(messagesOf(a), [
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }], finish_reason: 'tool_calls' },
    ]);
    assert.equal(a['gen_ai.usage.input_tokens'], 5);
    assert.equal(a['gen_ai.usage.output_tokens'], 3);
    assert.equal(a['gen_ai.response.model'], 'gpt');
  });

  it('folds an Anthropic stream: text and tool_use blocks, input JSON from its deltas, usage from start and delta', () => {
    const body = sse([
      ['message_start', { type: 'message_start', message: { id: 'm1', model: 'claude', usage: { input_tokens: 11, output_tokens: 1 } } }],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me check.' } }],
      ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 't1', name: 'get_weather', input: {} } }],
      ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city": "Pa' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: 'ris"}' } }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 20 } }],
    ]);
    const a = describeResponse(apiCall('anthropic', 'POST', '/v1/messages')!, 200, 'text/event-stream', body);
    assert.deepEqual(messagesOf(a)[0]!.parts, [
      { type: 'text', content: 'Let me check.' },
      { type: 'tool_call', id: 't1', name: 'get_weather', arguments: { city: 'Paris' } },
    ]);
    assert.equal(a['gen_ai.usage.input_tokens'], 11);
    assert.equal(a['gen_ai.usage.output_tokens'], 20);
    assert.deepEqual(a['gen_ai.response.finish_reasons'], ['tool_use']);
  });

  it("takes a Responses stream's completed response whole", () => {
    const response = {
      id: 'r1',
      model: 'gpt',
      status: 'completed',
      output: [{ type: 'message', content: [{ type: 'output_text', text: 'Done.' }] }],
      usage: { input_tokens: 4, output_tokens: 2 },
    };
    const a = describeResponse(
      apiCall('openai', 'POST', '/responses')!,
      200,
      'text/event-stream',
      sse([
        ['response.created', { type: 'response.created', response: { ...response, output: [] } }],
        ['response.completed', { type: 'response.completed', response }],
      ]),
    );
    assert.deepEqual(messagesOf(a), [{ role: 'assistant', parts: [{ type: 'text', content: 'Done.' }] }]);
    assert.equal(a['gen_ai.usage.output_tokens'], 2);
  });

  it('describes nothing for error answers and bodies that are not JSON, and parses events split across lines', () => {
    assert.deepEqual(describeResponse(apiCall('openai', 'POST', '/chat/completions')!, 500, 'application/json', '{"error":{}}'), {});
    assert.deepEqual(describeResponse(apiCall('openai', 'POST', '/chat/completions')!, 200, 'text/plain', 'not json'), {});
    assert.deepEqual(sseEvents('event: a\ndata: 1\ndata: 2\n\n: comment\ndata: 3'), [
      { event: 'a', data: '1\n2' },
      { event: undefined, data: '3' },
    ]);
  });
});
