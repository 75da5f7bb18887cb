/**
 * Messages carried by GenAI events (semconv 1.28–1.36): `gen_ai.{system,user,assistant,tool}.message`
 * and `gen_ai.choice` with JSON bodies, and the older `gen_ai.content.prompt`/`completion` span events.
 */
import type { Message, StepEvent } from '../model/step';
import { asArray, asRecord, parseJson, str, text, toolCallsFrom } from './parse';

/** Event names that carry one input message, with the role they imply. */
export const ROLE_EVENTS: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

/** All event names this module reads. */
export const MESSAGE_EVENTS = new Set([...Object.keys(ROLE_EVENTS), 'gen_ai.choice', 'gen_ai.content.prompt', 'gen_ai.content.completion']);

/** Message text from a string, or from a content-part array (`{type:'text', text}`) joined by newlines. */
export function contentText(v: unknown): string | null {
  const p = parseJson(v);
  if (!Array.isArray(p)) return typeof v === 'string' ? v : text(p);
  if (p.length === 0) return null;
  const texts = p.map((part) => asRecord(part)).filter((r) => r && r.type === 'text');
  if (texts.length !== p.length) return text(p);
  return texts.map((r) => str(r?.text) ?? str(r?.content) ?? '').join('\n');
}

/** A `{role?, content?, tool_calls?, id?}` body as a message. */
function bodyMessage(b: Record<string, unknown>, defaultRole: string): Message {
  const role = str(b.role) ?? defaultRole;
  const msg: Message = { role, content: contentText(b.content) };
  const calls = toolCallsFrom(b.tool_calls);
  if (calls.length) msg.toolCalls = calls;
  if (role === 'tool') msg.toolCallId = str(b.id) ?? str(b.tool_call_id);
  return msg;
}

/** The body of an event: log bodies as objects, text bodies as `{content}`, span events' attributes. */
function eventBody(e: StepEvent): Record<string, unknown> {
  if (typeof e.body === 'string') return asRecord(e.body) ?? { content: e.body };
  return asRecord(e.body) ?? e.attributes;
}

/** `gen_ai.prompt`/`gen_ai.completion` event attributes: a JSON message list or plain text. */
function looseMessages(v: unknown, role: string): Message[] {
  const p = parseJson(v);
  if (typeof p === 'string') return [{ role, content: p }];
  return asArray(p).flatMap((m) => {
    const r = asRecord(m);
    return r ? [bodyMessage(r, role)] : [];
  });
}

/** Input and output messages found in the step's events, in event order. */
export function eventMessages(events: StepEvent[]): { input: Message[]; output: Message[] } {
  const input: Message[] = [];
  const output: Message[] = [];
  for (const e of events) {
    const role = ROLE_EVENTS[e.name];
    if (role) input.push(bodyMessage(eventBody(e), role));
    else if (e.name === 'gen_ai.choice') {
      const b = eventBody(e);
      const msg = bodyMessage(asRecord(b.message) ?? {}, 'assistant');
      const reason = str(b.finish_reason);
      output.push(reason ? { ...msg, finishReason: reason } : msg);
    } else if (e.name === 'gen_ai.content.prompt') input.push(...looseMessages(e.attributes['gen_ai.prompt'], 'user'));
    else if (e.name === 'gen_ai.content.completion') {
      output.push(...looseMessages(e.attributes['gen_ai.completion'], 'assistant'));
    }
  }
  return { input, output };
}
