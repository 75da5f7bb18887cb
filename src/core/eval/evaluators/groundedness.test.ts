import * as assert from 'node:assert/strict';
import { ctxOf, llm, mkStep } from '../../../../test/support/evalTesting';
import { contentWords, groundedness } from './groundedness';

const DOC = 'The Eiffel Tower is 330 metres tall. It was completed in 1889 for the World Fair in Paris.';
const retrieval = () => mkStep({ kind: 'retrieval', name: 'retrieve', output: { documents: [{ id: '1', content: DOC, score: 0.9 }] } });

describe('eval: groundedness (lexical overlap heuristic)', () => {
  it('content words drop stop words, short words and plural s', () => {
    assert.deepEqual(contentWords('The towers are 330 metres in Paris'), ['tower', '330', 'metre', 'pari']);
  });

  it('an answer taken from retrieved documents earlier in the run passes', () => {
    const run = [retrieval(), llm('The Eiffel Tower was completed in 1889. It is 330 metres tall.')];
    assert.equal(groundedness.appliesTo(run[1], ctxOf(run)), true);
    const [s] = groundedness.evaluate(run[1], ctxOf(run));
    assert.deepEqual([s.passed, s.value, s.label], [true, 1, 'grounded']);
    assert.match(s.explanation ?? '', /^lexical overlap heuristic: 2 of 2/);
  });

  it('an answer the documents do not support fails', () => {
    const run = [retrieval(), llm('The Louvre houses the Mona Lisa painting. Tickets cost twenty euros online.')];
    const [s] = groundedness.evaluate(run[1], ctxOf(run));
    assert.deepEqual([s.passed, s.value, s.label], [false, 0, 'ungrounded']);
    assert.match(s.explanation ?? '', /least supported: "The Louvre/);
  });

  it('documents in the input count; no retrieved context means not applicable', () => {
    const s = llm('The Eiffel Tower is 330 metres tall.', 'q', { input: { messages: [], documents: [{ id: null, content: DOC, score: null }] } });
    assert.equal(groundedness.evaluate(s, ctxOf([s]))[0].passed, true);
    const alone = llm('The Louvre houses the Mona Lisa painting.');
    assert.equal(groundedness.appliesTo(alone, ctxOf([alone])), false);
  });
});
