// A minimal OpenAI-compatible /v1/chat/completions server (non-streaming) on 127.0.0.1:0.
// If the request offers tools and no tool result is present yet, it answers with a get_weather tool call;
// once a tool message is present, it answers with text that quotes the tool result.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface ChatMessage {
  role: string;
  content?: unknown;
}
interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: unknown[];
}

export interface MockOpenAI {
  /** Base URL to give the client, including /v1 */
  baseURL: string;
  requests: ChatRequest[];
  close(): Promise<void>;
}

function completion(req: ChatRequest, n: number): object {
  const toolResult = req.messages.find((m) => m.role === 'tool');
  const wantsTool = (req.tools?.length ?? 0) > 0 && !toolResult;
  const message = wantsTool
    ? {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: `call_${n}`, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      }
    : { role: 'assistant', content: `The weather is: ${String(toolResult?.content ?? 'unknown')}` };
  return {
    id: `chatcmpl-mock-${n}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: req.model,
    choices: [{ index: 0, message, finish_reason: wantsTool ? 'tool_calls' : 'stop', logprobs: null }],
    usage: { prompt_tokens: 50 + 10 * n, completion_tokens: 12, total_tokens: 62 + 10 * n },
  };
}

export async function startMockOpenAI(): Promise<MockOpenAI> {
  const requests: ChatRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}`, type: 'not_found' } }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
      requests.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(completion(body, requests.length)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections(); // the client keeps sockets alive
      }),
  };
}
