import * as assert from 'node:assert/strict';
import type { StepEvent } from '../../model/step';
import { ctxOf, llm, mkStep } from '../../../../test/support/evalTesting';
import { external, passedFromLabel } from './external';

const evalEvent = (attrs: Record<string, unknown>, source: StepEvent['source'] = 'span'): StepEvent => ({
  name: 'gen_ai.evaluation.result',
  time: '',
  attributes: attrs,
  source,
});

describe('eval: external scores (source agent)', () => {
  it('labels decide passed when they are pass/fail words', () => {
    assert.deepEqual(['pass', 'Relevant', 'FAIL', 'hallucinated', 'maybe', null].map(passedFromLabel), [true, true, false, false, null, null]);
  });

  it('gen_ai.evaluation.result span events and log records, moved to the step of their response id', () => {
    const answer = llm('Paris', 'q', { attributes: { 'gen_ai.response.id': 'resp_1' } });
    const judge = mkStep({
      kind: 'evaluator',
      events: [
        evalEvent(
          {
            'gen_ai.evaluation.name': 'relevance',
            'gen_ai.evaluation.score.value': 0.2,
            'gen_ai.evaluation.score.label': 'irrelevant',
            'gen_ai.evaluation.explanation': 'off topic',
            'gen_ai.response.id': 'resp_1',
          },
          'log',
        ),
        evalEvent({ 'gen_ai.evaluation.name': 'tone', 'gen_ai.evaluation.score.value': 0.9 }),
      ],
    });
    const run = [answer, judge];
    const placed = external.evaluateRun(run, ctxOf(run));
    assert.deepEqual(placed, [
      { spanId: answer.spanId, score: { name: 'relevance', value: 0.2, label: 'irrelevant', passed: false, source: 'agent', explanation: 'off topic' } },
      { spanId: judge.spanId, score: { name: 'tone', value: 0.9, label: null, passed: null, source: 'agent', explanation: null } },
    ]);
  });

  it('OpenInference evaluations, flat evaluation.*, and eval.<name>.* attributes', () => {
    const s = mkStep({
      attributes: {
        'evaluations.0.evaluation.name': 'faithfulness',
        'evaluations.0.evaluation.score': 1,
        'evaluations.0.evaluation.label': 'faithful',
        'evaluation.name': 'qa',
        'evaluation.label': 'incorrect',
        'evaluation.explanation': 'wrong city',
        'eval.toxicity.score': 0.01,
        'eval.toxicity.label': 'safe',
      },
    });
    const got = external.evaluateRun([s], ctxOf([s])).map((p) => [p.score.name, p.score.value, p.score.passed]);
    assert.deepEqual(got, [
      ['faithfulness', 1, true],
      ['qa', null, false],
      ['toxicity', 0.01, true],
    ]);
  });

  it('user-mapped *.score attributes with passAbove / passBelow', () => {
    const s = mkStep({ attributes: { 'app.relevance.score': 0.4, 'app.risk.score': '0.1', 'app.other.score': 3 } });
    const ctx = ctxOf([s], {
      scoreMappings: [
        { attribute: 'app.relevance.score', name: 'relevance', passAbove: 0.5 },
        { attribute: 'app.risk.score', passBelow: 0.2 },
        { attribute: 'app.other.score' },
        { attribute: 'absent.score' },
      ],
    });
    const got = external.evaluateRun([s], ctx).map((p) => [p.score.name, p.score.value, p.score.passed, p.score.source]);
    assert.deepEqual(got, [
      ['relevance', 0.4, false, 'agent'],
      ['app.risk.score', 0.1, true, 'agent'],
      ['app.other.score', 3, null, 'agent'],
    ]);
  });

  it('nothing from steps without such data', () => {
    const s = llm('hi');
    assert.deepEqual(external.evaluateRun([s], ctxOf([s])), []);
  });
});
