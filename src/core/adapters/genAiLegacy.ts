/**
 * OpenTelemetry GenAI conventions before 1.37, as OpenLLMetry and the first GenAI instrumentations
 * emit them: indexed `gen_ai.prompt.N.*`/`gen_ai.completion.N.*` attributes, or message events.
 */
import type { Message } from '../model/step';
import type { Adapter, Attrs } from './types';
import { fillGenAiCommon } from './genAi';
import { contentText, eventMessages, MESSAGE_EVENTS } from './genAiEvents';
import { hasPrefix, indexed, present, str, toolCall } from './parse';

/** One `prefix.N.*` group (`role`, `content`, `tool_call_id`, `finish_reason`, `tool_calls.M.*`) as a message. */
function indexedMessage(g: Attrs, defaultRole: string): Message {
  const msg: Message = { role: str(g.role) ?? defaultRole, content: contentText(g.content ?? null) };
  const calls = indexed(g, 'tool_calls').map((c) => toolCall(c.id, c.name, c.arguments));
  if (present(g['function_call.name'])) {
    calls.push(toolCall(null, g['function_call.name'], g['function_call.arguments']));
  }
  if (calls.length) msg.toolCalls = calls;
  const callId = str(g.tool_call_id);
  if (callId) msg.toolCallId = callId;
  const reason = str(g.finish_reason);
  if (reason) msg.finishReason = reason;
  return msg;
}

/** Messages under the first of `prefixes` that has any. */
function indexedMessages(a: Attrs, prefixes: string[], defaultRole: string): Message[] {
  for (const prefix of prefixes) {
    const groups = indexed(a, prefix);
    if (groups.length) return groups.map((g) => indexedMessage(g, defaultRole));
  }
  return [];
}

/** Indexed prompt messages of `gen_ai.prompt.N.*` (or OpenLLMetry's older `llm.prompts.N.*`). */
export function legacyPrompt(a: Attrs): Message[] {
  return indexedMessages(a, ['gen_ai.prompt', 'llm.prompts'], 'user');
}

/** Indexed completion messages of `gen_ai.completion.N.*` (or `llm.completions.N.*`). */
export function legacyCompletion(a: Attrs): Message[] {
  return indexedMessages(a, ['gen_ai.completion', 'llm.completions'], 'assistant');
}

/** The legacy GenAI adapter. */
export const genAiLegacy: Adapter = {
  convention: 'gen_ai_legacy',
  matches: ({ attrs, events }) =>
    attrs['gen_ai.system'] !== undefined ||
    attrs['gen_ai.usage.prompt_tokens'] !== undefined ||
    attrs['gen_ai.usage.completion_tokens'] !== undefined ||
    hasPrefix(attrs, 'gen_ai.prompt.') ||
    hasPrefix(attrs, 'gen_ai.completion.') ||
    events.some((e) => MESSAGE_EVENTS.has(e.name)),
  apply({ attrs, events }, step) {
    fillGenAiCommon(attrs, step);
    const fromEvents = eventMessages(events);
    const input = legacyPrompt(attrs);
    const output = legacyCompletion(attrs);
    const inMsgs = input.length ? input : fromEvents.input;
    const outMsgs = output.length ? output : fromEvents.output;
    if (inMsgs.length) step.input = { messages: inMsgs };
    if (outMsgs.length) step.output = { messages: outMsgs };
    if (!step.finishReason) step.finishReason = outMsgs.find((m) => m.finishReason)?.finishReason ?? null;
    const known = inMsgs.length || outMsgs.length || step.model || step.inputTokens !== null;
    step.kind = known ? 'llm' : 'other';
  },
};
