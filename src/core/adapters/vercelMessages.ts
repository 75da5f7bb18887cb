/**
 * Vercel AI SDK (v4–v6) message bodies: `ai.prompt.messages`, `ai.prompt`, and the
 * `ai.response.*` attributes of generate/stream spans.
 */
import type { Message, StepIO, ToolCall } from '../model/step';
import type { Attrs } from './types';
import { asArray, asRecord, parseJson, present, str, text, toolCall } from './parse';

/** A tool result's value: v5+ wraps it as `{type:'json'|'text'|'error-text'…, value}`, v4 sends it bare. */
function unwrapOutput(o: unknown): unknown {
  const r = asRecord(o);
  return r && typeof r.type === 'string' && 'value' in r ? r.value : o;
}

/** One message whose content is a part array; a message of tool results becomes one message per result. */
function partsMessages(role: string, parts: unknown[]): Message[] {
  const texts: string[] = [];
  const calls: ToolCall[] = [];
  const results: Message[] = [];
  const other: unknown[] = [];
  for (const raw of parts) {
    const p = asRecord(raw);
    if (!p) continue;
    if (p.type === 'text') texts.push(str(p.text) ?? '');
    else if (p.type === 'tool-call') calls.push(toolCall(p.toolCallId, p.toolName, p.input ?? p.args));
    else if (p.type === 'tool-result') {
      const value = unwrapOutput(p.output ?? p.result);
      results.push({ role, content: text(value), toolCallId: str(p.toolCallId), name: str(p.toolName) });
    } else other.push(p);
  }
  if (results.length && !texts.length && !calls.length && !other.length) return results;
  const msg: Message = { role, content: texts.length ? texts.join('\n') : null };
  if (calls.length) msg.toolCalls = calls;
  if (other.length) msg.parts = other;
  return [msg, ...results];
}

/** Messages of an `ai.prompt.messages` value (content as a string or as parts). */
export function promptMessages(raw: unknown): Message[] {
  return asArray(raw).flatMap((item) => {
    const m = asRecord(item);
    if (!m) return [];
    const role = str(m.role) ?? 'user';
    return Array.isArray(m.content) ? partsMessages(role, m.content) : [{ role, content: text(m.content) }];
  });
}

/** Input messages: `ai.prompt.messages` on model calls, else `ai.prompt` (`{system?, prompt?, messages?}`). */
export function promptInput(a: Attrs): Message[] {
  if (present(a['ai.prompt.messages'])) return promptMessages(a['ai.prompt.messages']);
  const raw = a['ai.prompt'];
  const p = asRecord(raw);
  if (!p) return typeof raw === 'string' && raw ? [{ role: 'user', content: raw }] : [];
  const out: Message[] = [];
  if (present(p.system)) out.push({ role: 'system', content: text(p.system) });
  if (typeof p.prompt === 'string') out.push({ role: 'user', content: p.prompt });
  else if (Array.isArray(p.prompt)) out.push(...promptMessages(p.prompt));
  if (Array.isArray(p.messages)) out.push(...promptMessages(p.messages));
  return out;
}

/** The assistant's answer from `ai.response.text`/`toolCalls`/`object`/`reasoning`, or null when absent. */
export function responseOutput(a: Attrs, finishReason: string | null): StepIO | null {
  const calls = asArray(a['ai.response.toolCalls']).flatMap((c) => {
    const r = asRecord(c);
    return r ? [toolCall(r.toolCallId, r.toolName, r.input ?? r.args)] : [];
  });
  const object = a['ai.response.object'];
  const content = str(a['ai.response.text']) ?? text(object ?? null);
  const reasoning = str(a['ai.response.reasoning']);
  if (content === null && !calls.length && !reasoning) return null;
  const msg: Message = { role: 'assistant', content };
  if (calls.length) msg.toolCalls = calls;
  if (reasoning) msg.parts = [{ type: 'reasoning', text: reasoning }];
  if (finishReason) msg.finishReason = finishReason;
  const io: StepIO = { messages: [msg] };
  if (present(object)) io.value = parseJson(object);
  return io;
}
