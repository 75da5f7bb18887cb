/** Tool failure: an errored tool step, an `exception` event, or a result that reports an error. Also errored model calls. */
import type { Step } from '../../model/step';
import { resultError, str } from '../../adapters/parse';
import { clip, pass, score } from '../score';
import type { StepEvaluator } from '../types';

/** Why the step failed, or null. */
function failure(step: Step): string | null {
  if (step.status === 'error') return `status error: ${step.error ?? 'no message'}`;
  const ex = step.events.find((e) => e.name === 'exception');
  if (ex) {
    const type = str(ex.attributes['exception.type']);
    const msg = str(ex.attributes['exception.message']);
    return `exception event: ${[type, msg].filter(Boolean).join(': ') || 'no message'}`;
  }
  const reported = resultError(step.output?.value);
  return reported ? `the result reports an error: ${reported}` : null;
}

/** Tool steps: fail on error status, exception event or an error result (`{error: …}`, text starting "Error"). */
export const toolFailure: StepEvaluator = {
  name: 'tool-failure',
  version: '1',
  appliesTo: (step) => step.kind === 'tool',
  evaluate(step) {
    const why = failure(step);
    if (!why) return [pass(this)];
    return [score(this, { passed: false, label: 'tool error', explanation: clip(`${step.toolName ?? step.name}: ${why}`, 300) })];
  },
};

/** Model, retrieval and embedding calls that ended in error (chains and agents only propagate their children's). */
export const stepError: StepEvaluator = {
  name: 'step-error',
  version: '1',
  appliesTo: (step) => step.kind === 'llm' || step.kind === 'retrieval' || step.kind === 'embedding',
  evaluate(step) {
    if (step.status !== 'error') return [pass(this)];
    return [score(this, { passed: false, label: 'error', explanation: clip(step.error ?? 'status error', 300) })];
  },
};
