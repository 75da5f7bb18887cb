/**
 * Vercel AI SDK telemetry (v4–v6), recognised by `ai.operationId`. Outer spans (`ai.generateText`…)
 * repeat the sum of their inner model calls' usage, so theirs goes to `rollupTokens` only.
 */
import type { Step, StepKind } from '../model/step';
import type { Adapter, Attrs } from './types';
import { firstNum, firstStr, parseJson, present, resultError } from './parse';
import { promptInput, responseOutput } from './vercelMessages';

/** Step kind for an `ai.operationId`. */
export function vercelKind(op: string): StepKind {
  if (op === 'ai.toolCall') return 'tool';
  if (/\.doEmbed$/.test(op)) return 'embedding';
  if (/\.do(Generate|Stream)$/.test(op)) return 'llm';
  return 'chain';
}

/** `openai.chat` → `openai`: the SDK names the provider and its API. */
function providerOf(v: unknown): string | null {
  return typeof v === 'string' && v ? (v.split('.')[0] ?? v) : null;
}

function fillTool(a: Attrs, step: Step): void {
  step.toolName = firstStr(a, 'ai.toolCall.name');
  step.toolCallId = firstStr(a, 'ai.toolCall.id');
  const args = a['ai.toolCall.args'] ?? a['ai.toolCall.input'];
  const result = a['ai.toolCall.result'] ?? a['ai.toolCall.output'];
  if (present(args)) step.input = { value: parseJson(args) };
  if (present(result)) step.output = { value: parseJson(result) };
  if (step.status === 'error' && !step.error) step.error = resultError(result);
}

function fillEmbed(a: Attrs, step: Step): void {
  if (present(a['ai.value'])) step.input = { value: parseJson(a['ai.value']) };
  else if (Array.isArray(a['ai.values'])) step.input = { value: a['ai.values'].map(parseJson) };
}

function fillUsage(a: Attrs, step: Step): void {
  const input = firstNum(a, 'ai.usage.inputTokens', 'ai.usage.promptTokens', 'ai.usage.tokens');
  const output = firstNum(a, 'ai.usage.outputTokens', 'ai.usage.completionTokens');
  if (step.kind !== 'chain') {
    step.inputTokens = input;
    step.outputTokens = output;
  } else if (input !== null || output !== null) {
    step.rollupTokens = { input, output };
  }
}

/** The Vercel AI SDK adapter. */
export const vercelAi: Adapter = {
  convention: 'vercel_ai',
  matches: ({ attrs }) => typeof attrs['ai.operationId'] === 'string',
  apply({ attrs: a }, step) {
    const op = String(a['ai.operationId']);
    step.kind = vercelKind(op);
    step.sessionId = firstStr(a, 'ai.telemetry.metadata.sessionId', 'ai.telemetry.metadata.session_id', 'ai.telemetry.metadata.sessionID');
    if (step.kind === 'tool') return fillTool(a, step);
    step.model = firstStr(a, 'ai.response.model', 'ai.model.id');
    step.provider = providerOf(a['ai.model.provider']);
    step.finishReason = firstStr(a, 'ai.response.finishReason', 'ai.finishReason');
    if (op.startsWith('ai.embed')) fillEmbed(a, step);
    else {
      const input = promptInput(a);
      if (input.length) step.input = { messages: input };
      step.output = responseOutput(a, step.finishReason);
    }
    fillUsage(a, step);
  },
};
