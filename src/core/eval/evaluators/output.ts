/** The model's answer itself: cut off by the token limit, empty, or a refusal. */
import type { Step } from '../../model/step';
import { REFUSAL } from '../patterns';
import { answerText, hasToolCalls, outputMessages } from '../text';
import { clip, pass, score } from '../score';
import type { StepEvaluator } from '../types';

/** Finish reasons that mean "stopped at the token limit", as providers and SDKs spell them. */
const TRUNCATED = /^(?:length|max_tokens|max[-_]output[-_]tokens|model_length|token_limit)$/i;

/** Truncated output: finish reason `length` / `max_tokens` (any provider's spelling). */
export const truncated: StepEvaluator = {
  name: 'truncated',
  version: '1',
  appliesTo: (step) => step.kind === 'llm' && step.finishReason !== null,
  evaluate(step) {
    if (!TRUNCATED.test(step.finishReason ?? '')) return [pass(this)];
    const tokens = step.outputTokens !== null ? ` after ${step.outputTokens} output tokens` : '';
    return [
      score(this, {
        passed: false,
        label: 'truncated',
        explanation: `finish reason "${step.finishReason}": the answer was cut off at the token limit${tokens}`,
      }),
    ];
  },
};

/** An answer was recorded, or the model reported zero output tokens. Unrecorded content (capture off) is not judged. */
function judgeable(step: Step): boolean {
  return step.kind === 'llm' && step.status !== 'error' && (outputMessages(step).length > 0 || step.outputTokens === 0);
}

/** Empty output: no text, no tool call and no other part in the answer. */
export const emptyOutput: StepEvaluator = {
  name: 'empty-output',
  version: '1',
  appliesTo: judgeable,
  evaluate(step) {
    const msgs = outputMessages(step);
    const something = answerText(step).trim() !== '' || hasToolCalls(step) || msgs.some((m) => m.parts?.length);
    if (something) return [pass(this)];
    return [
      score(this, {
        passed: false,
        label: 'empty',
        explanation: `the model answered nothing (finish reason ${step.finishReason ?? 'unknown'}, ${step.outputTokens ?? '?'} output tokens)`,
      }),
    ];
  },
};

/** Refusal: a refusal part, or an answer opening a sentence with a common refusal phrasing. */
export const refusal: StepEvaluator = {
  name: 'refusal',
  version: '1',
  appliesTo: (step) => judgeable(step) && (answerText(step).trim() !== '' || outputMessages(step).some((m) => m.parts?.some(isRefusalPart))),
  evaluate(step) {
    const part = outputMessages(step)
      .flatMap((m) => m.parts ?? [])
      .find(isRefusalPart);
    if (part)
      return [score(this, { passed: false, label: 'refusal', explanation: `the provider marked the answer as a refusal: ${clip(JSON.stringify(part), 160)}` })];
    const m = REFUSAL.exec(answerText(step));
    if (!m) return [pass(this)];
    return [score(this, { passed: false, label: 'refusal', explanation: `the answer refuses: "${clip(m[0], 100)}"` })];
  },
};

function isRefusalPart(p: unknown): boolean {
  return typeof p === 'object' && p !== null && (p as Record<string, unknown>).type === 'refusal';
}
