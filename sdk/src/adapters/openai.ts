/**
 * OpenAI-compatible clients: a `fetch` wrapper (`new OpenAI({ fetch: traceforkFetch() })`) that
 * records every chat completion as an OTel GenAI `chat` span with full input and output, and in
 * a replay serves recorded responses byte for byte or sends the fork's edited request.
 */
import type { Attributes } from '@opentelemetry/api';
import { activeSpanNamed, callThrough } from '../replay/runtime';
import { describesModelCall } from '../replay/framework';
import { callSite } from '../callSite';

type Fetch = typeof fetch;
type Msg = { role?: string; content?: unknown; tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: string } }>; tool_call_id?: string };

/** What a recorded response keeps: enough to rebuild it exactly. */
interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const CHAT = /\/chat\/completions\/?$/;

/** OTel GenAI (1.37+) message parts of an OpenAI chat message. */
function semconv(m: Msg, finishReason?: string): Record<string, unknown> {
  const parts: unknown[] = [];
  if (m.role === 'tool') parts.push({ type: 'tool_call_response', id: m.tool_call_id ?? null, response: m.content });
  else if (typeof m.content === 'string' && m.content) parts.push({ type: 'text', content: m.content });
  else if (Array.isArray(m.content))
    for (const p of m.content as Array<{ type?: string; text?: string }>) parts.push(p.type === 'text' ? { type: 'text', content: p.text } : p);
  for (const c of m.tool_calls ?? []) parts.push({ type: 'tool_call', id: c.id, name: c.function?.name, arguments: c.function?.arguments });
  return { role: m.role ?? 'user', parts, ...(finishReason ? { finish_reason: finishReason } : {}) };
}

function describe(request: Record<string, unknown>, res: RecordedResponse): Attributes {
  const a: Attributes = { 'gen_ai.input.messages': JSON.stringify(((request.messages as Msg[]) ?? []).map((m) => semconv(m))) };
  if (!res.headers['content-type']?.includes('json')) return a;
  try {
    const body = JSON.parse(res.body) as {
      model?: string;
      id?: string;
      choices?: Array<{ message?: Msg; finish_reason?: string }>;
      usage?: { prompt_tokens?: number; completion_tokens?: number };
    };
    const choices = body.choices ?? [];
    a['gen_ai.output.messages'] = JSON.stringify(choices.map((c) => semconv(c.message ?? {}, c.finish_reason)));
    a['gen_ai.response.finish_reasons'] = choices.map((c) => c.finish_reason ?? '');
    if (body.model) a['gen_ai.response.model'] = body.model;
    if (body.id) a['gen_ai.response.id'] = body.id;
    if (body.usage?.prompt_tokens !== undefined) a['gen_ai.usage.input_tokens'] = body.usage.prompt_tokens;
    if (body.usage?.completion_tokens !== undefined) a['gen_ai.usage.output_tokens'] = body.usage.completion_tokens;
  } catch {
    /* not JSON after all: the raw body is recorded anyway */
  }
  return a;
}

/** A fetch that records chat completions (and replays them under a plan); other requests pass through. */
export function traceforkFetch(base: Fetch = globalThis.fetch): Fetch {
  const defSite = callSite();
  return async (resource, init) => {
    const url = typeof resource === 'string' ? resource : resource instanceof URL ? resource.href : resource.url;
    if (!CHAT.test(new URL(url).pathname) || (init?.method ?? 'GET').toUpperCase() !== 'POST' || typeof init?.body !== 'string') return base(resource, init);
    const request = JSON.parse(init.body) as Record<string, unknown>;
    const model = String(request.model ?? 'unknown');
    return callThrough<Response>(
      {
        op: 'llm',
        name: model,
        adapter: 'openai',
        input: request,
        ownSpan: activeSpanNamed((n) => n === 'openai.chat' || n === 'ChatCompletion'),
        adopt: (span) => describesModelCall(span, model),
        defSite,
        spanName: `chat ${model}`,
        spanAttributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': model },
        describeOutput: (out) => describe(request, out as RecordedResponse),
      },
      async (edited) => {
        const res = await base(resource, { ...init, body: JSON.stringify(edited) });
        const headers: Record<string, string> = {};
        res.headers.forEach((v, k) => (headers[k] = v));
        delete headers['content-encoding'];
        delete headers['content-length'];
        if (!res.body || !headers['content-type']?.includes('text/event-stream')) {
          const rec: RecordedResponse = { status: res.status, headers, body: await res.text() };
          return { value: new Response(rec.body, { status: rec.status, headers }), output: Promise.resolve(rec) };
        }
        // Server-sent events pass through as they arrive; the text is recorded when the stream ends.
        const decoder = new TextDecoder();
        let text = '';
        let done!: (v: unknown) => void;
        const output = new Promise<unknown>((r) => (done = r));
        const tee = new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, ctl) {
            text += decoder.decode(chunk, { stream: true });
            ctl.enqueue(chunk);
          },
          flush() {
            text += decoder.decode();
            done({ status: res.status, headers, body: text } satisfies RecordedResponse);
          },
        });
        return { value: new Response(res.body.pipeThrough(tee), { status: res.status, headers }), output };
      },
      (out) => {
        const rec = out as RecordedResponse;
        return new Response(rec.body, { status: rec.status, headers: rec.headers });
      },
    );
  };
}
