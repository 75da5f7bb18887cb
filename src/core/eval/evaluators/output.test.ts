import * as assert from 'node:assert/strict';
import type { Step } from '../../model/step';
import type { StepEvaluator } from '../types';
import { ctxOf, llm, mkStep } from '../../../../test/support/evalTesting';
import { emptyOutput, refusal, truncated } from './output';

const judge = (ev: StepEvaluator, s: Step) => (ev.appliesTo(s, ctxOf([s])) ? ev.evaluate(s, ctxOf([s]))[0].passed : 'n/a');

describe('eval: truncated, empty and refused answers', () => {
  it('truncated: finish reason length / max_tokens / MAX_TOKENS fail, stop passes', () => {
    for (const r of ['length', 'max_tokens', 'MAX_TOKENS']) assert.equal(judge(truncated, llm('abc', 'q', { finishReason: r })), false, r);
    assert.equal(judge(truncated, llm('abc')), true);
    assert.equal(judge(truncated, llm('abc', 'q', { finishReason: null })), 'n/a');
  });

  it('empty: blank answer or zero output tokens fail; a tool call or text passes; unrecorded output is not judged', () => {
    assert.equal(judge(emptyOutput, llm('  ')), false);
    assert.equal(judge(emptyOutput, mkStep({ outputTokens: 0 })), false);
    assert.equal(judge(emptyOutput, llm('Paris.')), true);
    const call = mkStep({ output: { messages: [{ role: 'assistant', content: null, toolCalls: [{ id: '1', name: 't', arguments: {} }] }] } });
    assert.equal(judge(emptyOutput, call), true);
    assert.equal(judge(emptyOutput, mkStep({ outputTokens: 12 })), 'n/a');
  });

  it('refusal: common phrasings and refusal parts fail; apologies that are not refusals pass', () => {
    for (const t of [
      "I'm sorry, but I can't help with that.",
      'I cannot assist with this request.',
      'Let me think. I will not provide that information.',
      'As an AI language model, I cannot browse.',
    ]) {
      assert.equal(judge(refusal, llm(t)), false, t);
    }
    const part = mkStep({ output: { messages: [{ role: 'assistant', content: null, parts: [{ type: 'refusal', refusal: 'no' }] }] } });
    assert.equal(judge(refusal, part), false);
    for (const t of ['Sorry, the weather service is unavailable right now.', 'It is sunny in Paris, 21°C.', 'You cannot park there after 6pm.']) {
      assert.equal(judge(refusal, llm(t)), true, t);
    }
  });
});
