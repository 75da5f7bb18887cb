/**
 * Invalid structured output: JSON was requested (JSON mode / a response schema / generateObject /
 * `gen_ai.output.type` json) or declared (`output.mime_type` application/json) but the output does not parse.
 */
import type { Step } from '../../model/step';
import { asRecord, str } from '../../adapters/parse';
import { answerText } from '../text';
import { clip, pass, score } from '../score';
import type { StepEvaluator } from '../types';

const JSON_FORMAT = /json/i;

/** Why the step's answer must be JSON, or null when it need not. */
export function jsonRequested(step: Step): string | null {
  const a = step.attributes;
  if (str(a['gen_ai.output.type'])?.toLowerCase() === 'json') return 'gen_ai.output.type is json';
  for (const key of ['gen_ai.openai.request.response_format', 'gen_ai.request.response_format', 'llm.request.response_format']) {
    const v = a[key];
    const type = str(asRecord(v)?.type) ?? str(v);
    if (type && JSON_FORMAT.test(type)) return `${key} is ${type}`;
  }
  const params = asRecord(a['llm.invocation_parameters']);
  const rf = params && (asRecord(params.response_format) ?? asRecord(params.responseFormat));
  const rfType = str(rf?.type);
  if (rfType && JSON_FORMAT.test(rfType)) return `response_format ${rfType}`;
  const op = str(a['ai.operationId']);
  if (op && /^ai\.(?:generate|stream)Object\./.test(op)) return `${op} (structured output)`;
  return null;
}

/** The raw `output.value` when the span declares a JSON mime type, else undefined. */
function declaredJson(step: Step): string | undefined {
  const mime = str(step.attributes['output.mime_type']);
  const raw = step.attributes['output.value'];
  return mime && JSON_FORMAT.test(mime) && typeof raw === 'string' ? raw : undefined;
}

function parseError(text: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    const fenced = /^\s*```/.test(text) ? ' (the answer is wrapped in a markdown code fence)' : '';
    return `${(e as Error).message}${fenced}`;
  }
}

/** Model calls whose JSON answer does not parse; any step whose declared-JSON output does not. */
export const structuredOutput: StepEvaluator = {
  name: 'structured-output',
  version: '1',
  appliesTo: (step) => declaredJson(step) !== undefined || (step.kind === 'llm' && jsonRequested(step) !== null && answerText(step).trim() !== ''),
  evaluate(step) {
    const declared = declaredJson(step);
    const [text, why] = declared !== undefined ? [declared, 'output.mime_type is JSON'] : [answerText(step), jsonRequested(step)];
    const err = parseError(text);
    if (!err) return [pass(this)];
    return [
      score(this, {
        passed: false,
        label: 'invalid JSON',
        explanation: `JSON expected (${why}) but the output does not parse: ${err}; output starts "${clip(text, 60)}"`,
      }),
    ];
  },
};
