/**
 * The single-call playground: one LLM step re-sent, edited, to an OpenAI-compatible endpoint,
 * for when the agent cannot be re-run. Works from any convention's step (its normalized
 * messages), or from the SDK's recording of an OpenAI request, which is sent as it was.
 */
import type { Message, Step } from '../model/step';
import { ATTR } from '../../../sdk/src/contract';

/** An OpenAI chat request body. */
export interface ChatRequest {
  model: string;
  messages: Array<Record<string, unknown>>;
  [param: string]: unknown;
}

function openAiMessage(m: Message): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role === 'ai' ? 'assistant' : m.role, content: m.content ?? '' };
  if (m.toolCalls?.length)
    out.tool_calls = m.toolCalls.map((c, i) => ({
      id: c.id ?? `call_${i}`,
      type: 'function',
      function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) },
    }));
  if (m.toolCallId) out.tool_call_id = m.toolCallId;
  return out;
}

/** The request to start the playground from: the recorded OpenAI body when there is one, else built from the step (`defaultModel` when the step names none). */
export function playgroundRequest(step: Step, defaultModel?: string): ChatRequest {
  const recorded = step.attributes[ATTR.input];
  if (step.attributes[ATTR.adapter] === 'openai' && typeof recorded === 'string') {
    try {
      const body = JSON.parse(recorded) as ChatRequest;
      if (Array.isArray(body.messages)) return body;
    } catch {
      /* fall back to the normalized messages */
    }
  }
  const messages = (step.input?.messages ?? []).map(openAiMessage);
  if (!messages.length) throw new Error(`Step "${step.name}" has no input messages to re-send.`);
  return { model: step.model || defaultModel || 'gpt-4o-mini', messages };
}

/** What the endpoint answered. */
export interface ChatAnswer {
  status: number;
  /** The first choice's message, when the answer is a chat completion. */
  message: unknown;
  body: unknown;
}

/** Sends the request to `<baseUrl>/chat/completions`; throws with the endpoint's own message on failure. */
export async function sendChat(baseUrl: string, request: ChatRequest, apiKey?: string, timeoutMs = 60_000): Promise<ChatAnswer> {
  const url = `${baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify({ ...request, stream: false, stream_options: undefined }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: reported as text */
  }
  if (!res.ok) {
    const msg = (body as { error?: { message?: string } })?.error?.message ?? text.slice(0, 300);
    throw new Error(`${url} answered ${res.status}: ${msg}`);
  }
  const message = (body as { choices?: Array<{ message?: unknown }> })?.choices?.[0]?.message ?? null;
  return { status: res.status, message, body };
}
