// Local mocks of the model APIs on 127.0.0.1:0, offline: OpenAI chat completions, Responses and
// embeddings, Anthropic messages; JSON or server-sent events (each event a write of its own, a few
// ms apart, so a proxy that buffers is seen). The scripted agent behaviour is the other mocks':
// while tools are offered and no tool result is in the conversation, call get_weather for Paris;
// then answer with text quoting the result. `failNext` makes the next call fail: an HTTP error,
// a stream that drops after its first event, or no answer at all.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Body = Record<string, any>;
type Events = Array<[string | null, unknown]>;

export interface MockModels {
  /** http://127.0.0.1:PORT (OpenAI clients take `${url}/v1`, Anthropic clients `url`). */
  url: string;
  /** Every model call: path, body and the headers it came with. */
  requests: Array<{ path: string; body: Body; headers: http.IncomingHttpHeaders }>;
  /** The next call fails this way. */
  failNext: null | { kind: 'status'; status: number } | { kind: 'drop' } | { kind: 'hang' };
  /** Requests left hanging that the caller then gave up on (their connection closed). */
  abandoned: number;
  /** Milliseconds between stream events. */
  eventGapMs: number;
  close(): Promise<void>;
}

function toolResult(body: Body): string | null {
  let found: string | null = null;
  for (const m of body.messages ?? []) {
    if (m?.role === 'tool') found = String(m.content);
    if (Array.isArray(m?.content))
      for (const p of m.content) if (p?.type === 'tool_result') found = typeof p.content === 'string' ? p.content : JSON.stringify(p.content);
  }
  for (const item of Array.isArray(body.input) ? body.input : []) if (item?.type === 'function_call_output') found = String(item.output);
  return found;
}

const toolName = (body: Body): string => body.tools?.[0]?.function?.name ?? body.tools?.[0]?.name ?? 'get_weather';

function chat(body: Body, n: number): [Body, Events] {
  const result = toolResult(body);
  const wantsTool = !!body.tools?.length && result === null;
  const call = { id: `call_${n}`, type: 'function', function: { name: toolName(body), arguments: '{"city":"Paris"}' } };
  const text = `The weather is: ${result}`;
  const finish = wantsTool ? 'tool_calls' : 'stop';
  const usage = { prompt_tokens: 50 + 10 * n, completion_tokens: 12, total_tokens: 62 + 10 * n };
  const message = wantsTool ? { role: 'assistant', content: null, tool_calls: [call] } : { role: 'assistant', content: text };
  const whole = {
    id: `chatcmpl-mock-${n}`,
    object: 'chat.completion',
    created: 1_700_000_000,
    model: body.model,
    choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
    usage,
  };
  const base = { id: `chatcmpl-mock-${n}`, object: 'chat.completion.chunk', created: 1_700_000_000, model: body.model };
  const deltas = wantsTool
    ? [
        { role: 'assistant', content: null, tool_calls: [{ index: 0, ...call, function: { name: call.function.name, arguments: '' } }] },
        { tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] },
      ]
    : [{ role: 'assistant', content: '' }, ...text.split(' ').map((w, i) => ({ content: i ? ` ${w}` : w }))];
  const events: Events = deltas.map((d) => [null, { ...base, choices: [{ index: 0, delta: d, finish_reason: null }] }]);
  events.push(
    [null, { ...base, choices: [{ index: 0, delta: {}, finish_reason: finish }], usage: body.stream_options?.include_usage ? usage : null }],
    [null, '[DONE]'],
  );
  return [whole, events];
}

function responses(body: Body, n: number): [Body, Events] {
  const result = toolResult(body);
  const wantsTool = !!body.tools?.length && result === null;
  const item = wantsTool
    ? { type: 'function_call', id: `fc_${n}`, call_id: `call_${n}`, name: toolName(body), arguments: '{"city":"Paris"}', status: 'completed' }
    : {
        type: 'message',
        id: `msg_${n}`,
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: `The weather is: ${result}`, annotations: [] }],
      };
  const usage = {
    input_tokens: 40 + n,
    output_tokens: 9,
    total_tokens: 49 + n,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens_details: { reasoning_tokens: 0 },
  };
  const whole = {
    id: `resp_${n}`,
    object: 'response',
    created_at: 1_700_000_000,
    model: body.model,
    status: 'completed',
    output: [item],
    usage,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: body.tools ?? [],
  };
  return [
    whole,
    [
      ['response.created', { type: 'response.created', sequence_number: 0, response: { ...whole, status: 'in_progress', output: [], usage: null } }],
      ['response.output_item.added', { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { ...item, status: 'in_progress' } }],
      ['response.output_item.done', { type: 'response.output_item.done', sequence_number: 2, output_index: 0, item }],
      ['response.completed', { type: 'response.completed', sequence_number: 3, response: whole }],
    ],
  ];
}

function messages(body: Body, n: number): [Body, Events] {
  const result = toolResult(body);
  const wantsTool = !!body.tools?.length && result === null;
  const block: Body = wantsTool
    ? { type: 'tool_use', id: `toolu_${n}`, name: toolName(body), input: { city: 'Paris' } }
    : { type: 'text', text: `The weather is: ${result}` };
  const stop = wantsTool ? 'tool_use' : 'end_turn';
  const usage = { input_tokens: 30 + n, output_tokens: 7 };
  const whole = { id: `msg_mock_${n}`, type: 'message', role: 'assistant', model: body.model, content: [block], stop_reason: stop, stop_sequence: null, usage };
  return [
    whole,
    [
      [
        'message_start',
        { type: 'message_start', message: { ...whole, content: [], stop_reason: null, usage: { input_tokens: usage.input_tokens, output_tokens: 1 } } },
      ],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: wantsTool ? { ...block, input: {} } : { type: 'text', text: '' } }],
      [
        'content_block_delta',
        {
          type: 'content_block_delta',
          index: 0,
          delta: wantsTool ? { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } : { type: 'text_delta', text: block.text },
        },
      ],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }],
      ['message_stop', { type: 'message_stop' }],
    ],
  ];
}

function embeddings(body: Body): [Body, Events] {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const vector = [0.1, 0.2, 0.3];
  const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
  return [
    {
      object: 'list',
      model: body.model,
      data: inputs.map((_: unknown, index: number) => ({ object: 'embedding', index, embedding })),
      usage: { prompt_tokens: 4 * inputs.length, total_tokens: 4 * inputs.length },
    },
    [],
  ];
}

const ROUTES: Record<string, (b: Body, n: number) => [Body, Events]> = {
  '/v1/chat/completions': chat,
  '/v1/responses': responses,
  '/v1/messages': messages,
  '/v1/embeddings': embeddings,
};

export async function startMockModels(port = 0): Promise<MockModels> {
  const sockets = new Set<import('node:net').Socket>();
  const mock: MockModels = { url: '', requests: [], failNext: null, abandoned: 0, eventGapMs: 5, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void answer(req, res, Buffer.concat(chunks)));
  });
  async function answer(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): Promise<void> {
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method === 'GET' && path === '/__requests') {
      // for tests in another process
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(mock.requests.map((r) => ({ path: r.path, body: r.body }))));
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'mock-model', object: 'model' }] }));
      return;
    }
    const route = ROUTES[path];
    if (req.method !== 'POST' || !route) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}`, type: 'not_found' } }));
      return;
    }
    const body = JSON.parse(raw.toString('utf8')) as Body;
    mock.requests.push({ path, body, headers: req.headers });
    const fail = mock.failNext;
    mock.failNext = null;
    if (fail?.kind === 'hang') {
      res.on('close', () => mock.abandoned++); // never answers
      return;
    }
    if (fail?.kind === 'status') {
      res.writeHead(fail.status, { 'content-type': 'application/json', 'x-mock': 'failure' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: `mock upstream failure ${fail.status}` } }));
      return;
    }
    const [whole, events] = route(body, mock.requests.length);
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_${mock.requests.length}` });
      res.end(JSON.stringify(whole));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    for (const [i, [name, data]] of events.entries()) {
      res.write(`${name ? `event: ${name}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
      if (fail?.kind === 'drop' && i === 0) {
        await new Promise((r) => setTimeout(r, mock.eventGapMs));
        res.socket?.destroy();
        return;
      }
      await new Promise((r) => setTimeout(r, mock.eventGapMs));
    }
    res.end();
  }
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  mock.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mock.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return mock;
}
