/**
 * OpenInference flattened lists: `llm.{input,output}_messages.N.message.*` and
 * `retrieval.documents.N.document.*` (also reranker documents).
 */
import type { Document, Message } from '../model/step';
import type { Attrs } from './types';
import { indexed, num, parseJson, present, str, text, toolCall } from './parse';

const CONTENT = 'message_content.';

/** A non-text content part (`message_content.type` image, audio…) as a plain object. */
function otherPart(c: Attrs): Record<string, unknown> {
  const part: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) part[k.startsWith(CONTENT) ? k.slice(CONTENT.length) : k] = v;
  return part;
}

/** One `message.*` group as a message. */
function message(g: Attrs, defaultRole: string): Message {
  const texts: string[] = [];
  const other: unknown[] = [];
  for (const c of indexed(g, 'message.contents')) {
    const type = str(c['message_content.type']) ?? 'text';
    if (type === 'text') texts.push(text(c['message_content.text']) ?? '');
    else other.push(otherPart(c));
  }
  const content = present(g['message.content']) ? text(g['message.content']) : null;
  const msg: Message = { role: str(g['message.role']) ?? defaultRole, content };
  if (content === null && texts.length) msg.content = texts.join('\n');
  const calls = indexed(g, 'message.tool_calls').map((c) => toolCall(c['tool_call.id'], c['tool_call.function.name'], c['tool_call.function.arguments']));
  if (calls.length) msg.toolCalls = calls;
  if (other.length) msg.parts = other;
  const callId = str(g['message.tool_call_id']);
  if (callId) msg.toolCallId = callId;
  const name = str(g['message.name']);
  if (name) msg.name = name;
  return msg;
}

/** The messages under `prefix` (`llm.input_messages` or `llm.output_messages`). */
export function oiMessages(a: Attrs, prefix: string, defaultRole: string): Message[] {
  return indexed(a, prefix).map((g) => message(g, defaultRole));
}

/** The documents under `prefix` (`retrieval.documents`, `reranker.output_documents`…). */
export function oiDocuments(a: Attrs, prefix: string): Document[] {
  return indexed(a, prefix).map((g) => {
    const doc: Document = {
      id: str(g['document.id']),
      content: text(g['document.content'] ?? null),
      score: num(g['document.score']),
    };
    if (present(g['document.metadata'])) doc.metadata = parseJson(g['document.metadata']);
    return doc;
  });
}
