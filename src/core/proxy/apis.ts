/**
 * The model APIs the proxy records: which paths are calls (OpenAI chat completions, responses,
 * embeddings; Anthropic messages), and each call's request and response (whole or as a
 * server-sent-event stream) described as OTel GenAI attributes (1.37+ message parts), so a
 * proxied call is an llm step like any instrumented one.
 */
import { createParser } from 'eventsource-parser';

/** A provider the proxy fronts. */
export type Provider = 'openai' | 'anthropic';

/**
 * The public API of each provider (the default upstream), spelled as its client's base URL
 * (`OPENAI_BASE_URL` includes `/v1`; `ANTHROPIC_BASE_URL` does not, the client adds `/v1/…`).
 */
export const DEFAULT_UPSTREAM: Record<Provider, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
};

/** The proxy's path prefix for each provider, the base URL its client is given (after any run token). */
export const PROXY_PREFIX: Record<Provider, string> = { openai: '/openai/v1', anthropic: '/anthropic' };

/** What a recorded path is. */
export interface ApiCall {
  provider: Provider;
  /** gen_ai.operation.name */
  operation: 'chat' | 'embeddings';
  /** Which request/response shape. */
  shape: 'openai-chat' | 'openai-responses' | 'openai-embeddings' | 'anthropic-messages';
}

const CALLS: Record<Provider, Record<string, ApiCall>> = {
  openai: {
    '/chat/completions': { provider: 'openai', operation: 'chat', shape: 'openai-chat' },
    '/responses': { provider: 'openai', operation: 'chat', shape: 'openai-responses' },
    '/embeddings': { provider: 'openai', operation: 'embeddings', shape: 'openai-embeddings' },
  },
  anthropic: {
    '/v1/messages': { provider: 'anthropic', operation: 'chat', shape: 'anthropic-messages' },
  },
};

/** The call a POST to `rest` (the path after the provider's prefix) is, or null when it only passes through. */
export function apiCall(provider: Provider, method: string, rest: string): ApiCall | null {
  if (method !== 'POST') return null;
  return CALLS[provider][rest.replace(/\/+$/, '')] ?? null;
}

type Obj = Record<string, unknown>;
type Part = Obj;
interface Message {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** OpenAI content (a string or parts) as message parts. */
function openaiContent(content: unknown): Part[] {
  if (typeof content === 'string') return content ? [{ type: 'text', content }] : [];
  return arr(content).map((p) => {
    const o = isObj(p) ? p : {};
    const text = str(o.text);
    return text !== undefined && (o.type === 'text' || o.type === 'input_text' || o.type === 'output_text') ? { type: 'text', content: text } : o;
  });
}

function openaiChatMessage(m: unknown, finish?: string): Message {
  const o = isObj(m) ? m : {};
  const role = str(o.role) ?? 'assistant';
  const parts: Part[] = role === 'tool' ? [{ type: 'tool_call_response', id: o.tool_call_id ?? null, response: o.content }] : openaiContent(o.content);
  for (const c of arr(o.tool_calls)) {
    const call = isObj(c) ? c : {};
    const fn = isObj(call.function) ? call.function : {};
    parts.push({ type: 'tool_call', id: call.id ?? null, name: fn.name ?? null, arguments: fn.arguments ?? null });
  }
  return { role, parts, ...(finish ? { finish_reason: finish } : {}) };
}

/** Responses API input (a string or items) as messages. */
function responsesInput(input: unknown): Message[] {
  if (typeof input === 'string') return [{ role: 'user', parts: [{ type: 'text', content: input }] }];
  const out: Message[] = [];
  for (const item of arr(input)) {
    const o = isObj(item) ? item : {};
    if (o.type === 'function_call')
      out.push({ role: 'assistant', parts: [{ type: 'tool_call', id: o.call_id ?? null, name: o.name ?? null, arguments: o.arguments ?? null }] });
    else if (o.type === 'function_call_output') out.push({ role: 'tool', parts: [{ type: 'tool_call_response', id: o.call_id ?? null, response: o.output }] });
    else out.push({ role: str(o.role) ?? 'user', parts: openaiContent(o.content) });
  }
  return out;
}

function responsesOutput(output: unknown): Message[] {
  const parts: Part[] = [];
  for (const item of arr(output)) {
    const o = isObj(item) ? item : {};
    if (o.type === 'message') parts.push(...openaiContent(o.content));
    else if (o.type === 'function_call') parts.push({ type: 'tool_call', id: o.call_id ?? null, name: o.name ?? null, arguments: o.arguments ?? null });
  }
  return parts.length ? [{ role: 'assistant', parts }] : [];
}

function anthropicContent(content: unknown): Part[] {
  if (typeof content === 'string') return content ? [{ type: 'text', content }] : [];
  return arr(content).map((b) => {
    const o = isObj(b) ? b : {};
    if (o.type === 'text') return { type: 'text', content: o.text ?? '' };
    if (o.type === 'tool_use') return { type: 'tool_call', id: o.id ?? null, name: o.name ?? null, arguments: o.input ?? null };
    if (o.type === 'tool_result') return { type: 'tool_call_response', id: o.tool_use_id ?? null, response: o.content ?? null };
    return o;
  });
}

/** The model a request names. */
export function requestModel(body: unknown): string {
  return (isObj(body) && str(body.model)) || 'unknown';
}

/** Whether the request asks for a stream. */
export function wantsStream(body: unknown): boolean {
  return isObj(body) && body.stream === true;
}

/** GenAI attributes of a request, before any answer. */
export function describeRequest(call: ApiCall, body: unknown): Obj {
  const b = isObj(body) ? body : {};
  const a: Obj = {
    'gen_ai.operation.name': call.operation,
    'gen_ai.provider.name': call.provider,
    'gen_ai.request.model': requestModel(b),
  };
  for (const [attr, field] of [
    ['gen_ai.request.temperature', 'temperature'],
    ['gen_ai.request.top_p', 'top_p'],
    ['gen_ai.request.max_tokens', 'max_tokens'],
  ] as const) {
    if (num(b[field]) !== undefined) a[attr] = b[field];
  }
  if (call.shape === 'openai-chat') {
    a['gen_ai.input.messages'] = JSON.stringify(arr(b.messages).map((m) => openaiChatMessage(m)));
  } else if (call.shape === 'openai-responses') {
    if (typeof b.instructions === 'string') a['gen_ai.system_instructions'] = JSON.stringify([{ type: 'text', content: b.instructions }]);
    a['gen_ai.input.messages'] = JSON.stringify(responsesInput(b.input));
    if (num(b.max_output_tokens) !== undefined) a['gen_ai.request.max_tokens'] = b.max_output_tokens;
  } else if (call.shape === 'anthropic-messages') {
    if (b.system !== undefined) a['gen_ai.system_instructions'] = JSON.stringify(anthropicContent(b.system));
    a['gen_ai.input.messages'] = JSON.stringify(
      arr(b.messages).map((m) => ({ role: str((m as Obj)?.role) ?? 'user', parts: anthropicContent((m as Obj)?.content) })),
    );
  }
  if (arr(b.tools).length) a['gen_ai.tool.definitions'] = JSON.stringify(b.tools);
  return a;
}

/** What the answer said, however it came (whole or streamed). */
interface Answer {
  id?: string;
  model?: string;
  messages: Message[];
  finishReasons: string[];
  inputTokens?: number;
  outputTokens?: number;
}

function describeAnswer(a: Answer): Obj {
  const out: Obj = { 'gen_ai.output.messages': JSON.stringify(a.messages), 'gen_ai.response.finish_reasons': a.finishReasons };
  if (a.id) out['gen_ai.response.id'] = a.id;
  if (a.model) out['gen_ai.response.model'] = a.model;
  if (a.inputTokens !== undefined) out['gen_ai.usage.input_tokens'] = a.inputTokens;
  if (a.outputTokens !== undefined) out['gen_ai.usage.output_tokens'] = a.outputTokens;
  return out;
}

/** A whole JSON answer's body. */
function wholeAnswer(call: ApiCall, body: Obj): Answer {
  const usage = isObj(body.usage) ? body.usage : {};
  const base = { id: str(body.id), model: str(body.model) };
  switch (call.shape) {
    case 'openai-chat': {
      const choices = arr(body.choices).map((c) => (isObj(c) ? c : {}));
      return {
        ...base,
        messages: choices.map((c) => openaiChatMessage(c.message, str(c.finish_reason))),
        finishReasons: choices.map((c) => str(c.finish_reason) ?? ''),
        inputTokens: num(usage.prompt_tokens),
        outputTokens: num(usage.completion_tokens),
      };
    }
    case 'openai-responses':
      return {
        ...base,
        messages: responsesOutput(body.output),
        finishReasons: [str(body.status) ?? ''],
        inputTokens: num(usage.input_tokens),
        outputTokens: num(usage.output_tokens),
      };
    case 'openai-embeddings':
      return { model: base.model, messages: [], finishReasons: [], inputTokens: num(usage.prompt_tokens) };
    case 'anthropic-messages': {
      const stop = str(body.stop_reason);
      return {
        ...base,
        messages: [{ role: 'assistant', parts: anthropicContent(body.content), ...(stop ? { finish_reason: stop } : {}) }],
        finishReasons: stop ? [stop] : [],
        inputTokens: num(usage.input_tokens),
        outputTokens: num(usage.output_tokens),
      };
    }
  }
}

/** The events of a server-sent-event stream, parsed with eventsource-parser. */
export function sseEvents(text: string): Array<{ event?: string; data: string }> {
  const events: Array<{ event?: string; data: string }> = [];
  const parser = createParser({ onEvent: (e) => events.push({ event: e.event, data: e.data }) });
  parser.feed(text);
  parser.feed('\n\n');
  return events;
}

function parseJson(s: string): Obj | null {
  try {
    const v = JSON.parse(s) as unknown;
    return isObj(v) ? v : null;
  } catch {
    return null;
  }
}

/** A streamed answer, folded back from its events. */
function streamedAnswer(call: ApiCall, text: string): Answer {
  const events = sseEvents(text)
    .map((e) => parseJson(e.data))
    .filter((d): d is Obj => d !== null);
  if (call.shape === 'openai-responses') {
    const done = events.find((e) => e.type === 'response.completed' || e.type === 'response.incomplete' || e.type === 'response.failed');
    if (done && isObj(done.response)) return wholeAnswer(call, done.response);
    const textOut = events
      .filter((e) => e.type === 'response.output_text.delta')
      .map((e) => str(e.delta) ?? '')
      .join('');
    return { messages: textOut ? [{ role: 'assistant', parts: [{ type: 'text', content: textOut }] }] : [], finishReasons: [] };
  }
  if (call.shape === 'anthropic-messages') {
    const a: Answer = { messages: [], finishReasons: [] };
    const blocks: Array<{ part: Part; json?: string }> = [];
    for (const e of events) {
      if (e.type === 'message_start' && isObj(e.message)) {
        a.id = str(e.message.id);
        a.model = str(e.message.model);
        const u = isObj(e.message.usage) ? e.message.usage : {};
        a.inputTokens = num(u.input_tokens);
        a.outputTokens = num(u.output_tokens);
      } else if (e.type === 'content_block_start' && isObj(e.content_block)) {
        const b = e.content_block;
        blocks[Number(e.index) || 0] =
          b.type === 'tool_use'
            ? { part: { type: 'tool_call', id: b.id ?? null, name: b.name ?? null, arguments: null }, json: '' }
            : { part: { type: 'text', content: str(b.text) ?? '' } };
      } else if (e.type === 'content_block_delta' && isObj(e.delta)) {
        const b = blocks[Number(e.index) || 0];
        if (!b) continue;
        if (e.delta.type === 'text_delta') b.part.content = `${str(b.part.content) ?? ''}${str(e.delta.text) ?? ''}`;
        else if (e.delta.type === 'input_json_delta') b.json = `${b.json ?? ''}${str(e.delta.partial_json) ?? ''}`;
      } else if (e.type === 'message_delta') {
        const stop = isObj(e.delta) ? str(e.delta.stop_reason) : undefined;
        if (stop) a.finishReasons = [stop];
        const u = isObj(e.usage) ? e.usage : {};
        if (num(u.output_tokens) !== undefined) a.outputTokens = num(u.output_tokens);
        if (num(u.input_tokens) !== undefined) a.inputTokens = num(u.input_tokens);
      }
    }
    for (const b of blocks) if (b?.json !== undefined) b.part.arguments = parseJson(b.json || '{}') ?? b.json;
    a.messages = [
      { role: 'assistant', parts: blocks.filter(Boolean).map((b) => b.part), ...(a.finishReasons[0] ? { finish_reason: a.finishReasons[0] } : {}) },
    ];
    return a;
  }
  // OpenAI chat completion chunks: deltas per choice index, tool calls per tool index.
  const a: Answer = { messages: [], finishReasons: [] };
  const choices: Array<{ text: string; tools: Array<{ id: unknown; name: string; args: string }>; finish?: string }> = [];
  for (const e of events) {
    a.id ??= str(e.id);
    a.model ??= str(e.model);
    if (isObj(e.usage)) {
      a.inputTokens = num(e.usage.prompt_tokens);
      a.outputTokens = num(e.usage.completion_tokens);
    }
    for (const c of arr(e.choices)) {
      const ch = isObj(c) ? c : {};
      const i = Number(ch.index) || 0;
      const slot = (choices[i] ??= { text: '', tools: [] });
      const d = isObj(ch.delta) ? ch.delta : {};
      if (typeof d.content === 'string') slot.text += d.content;
      for (const t of arr(d.tool_calls)) {
        const tc = isObj(t) ? t : {};
        const ti = Number(tc.index) || 0;
        const tool = (slot.tools[ti] ??= { id: null, name: '', args: '' });
        const fn = isObj(tc.function) ? tc.function : {};
        if (tc.id) tool.id = tc.id;
        if (typeof fn.name === 'string') tool.name += fn.name;
        if (typeof fn.arguments === 'string') tool.args += fn.arguments;
      }
      if (str(ch.finish_reason)) slot.finish = str(ch.finish_reason);
    }
  }
  a.messages = choices.filter(Boolean).map((c) => ({
    role: 'assistant',
    parts: [
      ...(c.text ? [{ type: 'text', content: c.text }] : []),
      ...c.tools.filter(Boolean).map((t) => ({ type: 'tool_call', id: t.id, name: t.name, arguments: t.args })),
    ],
    ...(c.finish ? { finish_reason: c.finish } : {}),
  }));
  a.finishReasons = choices.filter(Boolean).map((c) => c.finish ?? '');
  return a;
}

/** GenAI attributes of an answer (status and body as the upstream gave them). */
export function describeResponse(call: ApiCall, status: number, contentType: string, body: string): Obj {
  if (status >= 400) return {};
  if (contentType.includes('text/event-stream')) return describeAnswer(streamedAnswer(call, body));
  const json = parseJson(body);
  return json ? describeAnswer(wholeAnswer(call, json)) : {};
}
