/** The texts evaluators read from a step: the model's answer, its new input, tool results. */
import type { Message, Step } from '../model/step';

/** Texts longer than this are read only up to it (regex scans stay linear and bounded). */
export const MAX_SCAN = 64 * 1024;

/** A value as text: strings as they are, other values as JSON, clipped to MAX_SCAN. */
export function valueText(v: unknown): string {
  if (v === undefined || v === null) return '';
  let s: string;
  if (typeof v === 'string') s = v;
  else {
    try {
      s = JSON.stringify(v) ?? '';
    } catch {
      s = String(v);
    }
  }
  return s.length > MAX_SCAN ? s.slice(0, MAX_SCAN) : s;
}

/** Per-step memo of the answer: several evaluators read it (steps are not mutated while evaluated). */
const answers = new WeakMap<Step, { messages: Message[]; text: string }>();

function answer(step: Step): { messages: Message[]; text: string } {
  let a = answers.get(step);
  if (!a) {
    const messages = (step.output?.messages ?? []).filter((m) => m.role !== 'tool');
    const text = messages.length ? messages.map((m) => m.content ?? '').join('\n') : typeof step.output?.value === 'string' ? step.output.value : '';
    answers.set(step, (a = { messages, text }));
  }
  return a;
}

/** The assistant messages of the step's output. */
export function outputMessages(step: Step): Message[] {
  return answer(step).messages;
}

/** The model's answer text (all output messages' text joined), '' when there is none. */
export function answerText(step: Step): string {
  return answer(step).text;
}

/** True when the output requests tool calls. */
export function hasToolCalls(step: Step): boolean {
  return outputMessages(step).some((m) => (m.toolCalls?.length ?? 0) > 0);
}

/**
 * The input that is new in this model call: the messages after the last assistant message (the
 * user's turn and tool results), so history repeated in later calls is judged once. System
 * messages are the developer's and are never part of it.
 */
export function newInput(step: Step): Message[] {
  const msgs = step.input?.messages ?? [];
  let start = 0;
  for (let i = msgs.length - 1; i >= 0; i--) {
    if (msgs[i].role === 'assistant') {
      start = i + 1;
      break;
    }
  }
  return msgs.slice(start).filter((m) => m.role !== 'system');
}

/** A tool step's result as text (its output value, or output messages). */
export function toolResultText(step: Step): string {
  if (step.output?.value !== undefined) return valueText(step.output.value);
  return (step.output?.messages ?? []).map((m) => m.content ?? '').join('\n');
}
