/**
 * GenAI semconv 1.37+ message bodies: `gen_ai.input.messages`, `gen_ai.output.messages` and
 * `gen_ai.system_instructions`, as JSON text or as structured (array/kvlist) attributes.
 */
import type { Message, ToolCall } from '../model/step';
import { asArray, asRecord, parseJson, str, text, toolCall } from './parse';

/** The parts of one message sorted by type. */
interface Sorted {
  texts: string[];
  calls: ToolCall[];
  responses: Array<{ id: string | null; response: unknown }>;
  other: unknown[];
}

function sortParts(parts: unknown[]): Sorted {
  const s: Sorted = { texts: [], calls: [], responses: [], other: [] };
  for (const raw of parts) {
    const p = asRecord(raw);
    if (!p) continue;
    if (p.type === 'text') s.texts.push(text(p.content) ?? '');
    else if (p.type === 'tool_call') s.calls.push(toolCall(p.id, p.name, p.arguments));
    // The semconv names the value `response`; Pydantic AI's instrumentation (2.x) writes `result`.
    else if (p.type === 'tool_call_response') s.responses.push({ id: str(p.id), response: p.response ?? p.result });
    else s.other.push(p);
  }
  return s;
}

/** One semconv message; a message holding several tool responses becomes one message per response. */
function convert(m: Record<string, unknown>): Message[] {
  const role = str(m.role) ?? 'user';
  const finishReason = str(m.finish_reason);
  const parts = m.parts === undefined ? null : asArray(m.parts);
  if (!parts) return [{ role, content: text(m.content), ...(finishReason ? { finishReason } : {}) }];
  const s = sortParts(parts);
  if (s.responses.length > 0 && s.texts.length === 0 && s.calls.length === 0) {
    return s.responses.map((r) => ({ role, content: text(r.response), toolCallId: r.id }));
  }
  const msg: Message = { role, content: s.texts.length ? s.texts.join('\n') : null };
  if (s.calls.length) msg.toolCalls = s.calls;
  if (s.other.length) msg.parts = s.other;
  if (finishReason) msg.finishReason = finishReason;
  const extra = s.responses.map((r) => ({ role, content: text(r.response), toolCallId: r.id }));
  return [msg, ...extra];
}

/** Messages from a `gen_ai.input.messages`/`gen_ai.output.messages` value; [] when absent or unreadable. */
export function semconvMessages(raw: unknown): Message[] {
  const out: Message[] = [];
  for (const item of asArray(raw)) {
    const m = asRecord(item);
    if (m) out.push(...convert(m));
  }
  return out;
}

/** The system message for `gen_ai.system_instructions` (parts array, JSON text or plain text), else null. */
export function systemInstructions(raw: unknown): Message | null {
  const v = parseJson(raw);
  if (typeof v === 'string') return v ? { role: 'system', content: v } : null;
  if (!Array.isArray(v)) return null;
  const texts: string[] = [];
  for (const p of v) {
    const part = asRecord(p);
    if (typeof p === 'string') texts.push(p);
    else if (part && part.type === 'text') texts.push(text(part.content) ?? '');
  }
  return texts.length ? { role: 'system', content: texts.join('\n') } : null;
}
