import * as assert from 'node:assert/strict';
import { caseDiff, failsGate, judgeCase } from './caseRun';
import { regressionCase, type RegressionCase } from './cases';
import type { EvalScore } from './types';
import type { Step } from '../model/step';
import type { StoredTrace } from '../store/queries';
import { llm, toolStep } from '../../../test/support/evalTesting';

const KEY = '/llm:m#1';

/** A run as the store keeps it: one span per step, the recorded ones carrying their step key. */
function stored(traceId: string, steps: Array<{ step: Step; key?: string }>): StoredTrace {
  return {
    traceId,
    logs: [],
    spans: steps.map(({ step, key }) => ({
      resource: { attributes: [] },
      scope: { name: 'tracefork-sdk' },
      span: {
        traceId,
        spanId: step.spanId,
        parentSpanId: '',
        name: step.name,
        startTimeUnixNano: '1000000',
        endTimeUnixNano: '2000000',
        attributes: key
          ? [
              { key: 'tracefork.step.key', value: { stringValue: key } },
              { key: 'tracefork.step.op', value: { stringValue: 'llm' } },
            ]
          : [],
      },
    })),
  } as unknown as StoredTrace;
}

const score = (name: string, passed: boolean, explanation: string | null = null, source = 'builtin'): EvalScore => ({
  name,
  value: passed ? 1 : 0,
  label: null,
  passed,
  source,
  explanation,
});

describe('eval: a regression case judged on its new run', () => {
  const tool = toolStep('getWeather', { city: 'Paris' }, { tempC: 21 });
  const refused = llm("I'm sorry, but I can't help with that.", 'Weather in Paris?');
  const original = {
    steps: [tool, refused],
    scores: new Map([[refused.spanId, [score('refusal', false, 'the model refused')]]]),
    trace: stored('a'.repeat(32), [{ step: tool }, { step: refused, key: KEY }]),
  };
  const saved: RegressionCase = regressionCase(refused, original.steps, original.scores.get(refused.spanId)!);

  /** The new run: the case's step again (same key), its scores, and the tool step's. */
  function replay(stepScores: EvalScore[], toolScores: EvalScore[] = [], key = KEY) {
    const t = toolStep('getWeather', { city: 'Paris' }, { tempC: 21 });
    const answer = llm('It is 21 °C in Paris.', 'Weather in Paris?');
    return {
      steps: [t, answer],
      scores: new Map([
        [t.spanId, toolScores],
        [answer.spanId, stepScores],
      ]),
      trace: stored('b'.repeat(32), [{ step: t }, { step: answer, key }]),
    };
  }

  it('fixed: the evaluator that failed passes and nothing new fails; the new output is kept for a diff', () => {
    const r = judgeCase(saved, KEY, original, replay([score('refusal', true)]));
    assert.equal(r.outcome, 'fixed');
    assert.equal(r.reason, 'refusal passes now');
    assert.deepEqual(r.evaluators, [{ name: 'refusal', passed: true, explanation: null }]);
    assert.deepEqual(r.output, { messages: [{ role: 'assistant', content: 'It is 21 °C in Paris.', finishReason: 'stop' }] });
    assert.equal(r.traceId, 'b'.repeat(32));
    assert.equal(failsGate(r), false);
  });

  it('a built-in that does not score the new step (it no longer applies) counts as passing', () => {
    assert.equal(judgeCase(saved, KEY, original, replay([])).outcome, 'fixed');
  });

  it('failing: the evaluator still fails, with its explanation and a diff of the rejected output against the new one', () => {
    const r = judgeCase(saved, KEY, original, replay([score('refusal', false, 'still refuses')]));
    assert.equal(r.outcome, 'failing');
    assert.equal(r.reason, 'refusal: still refuses');
    assert.ok(failsGate(r));
    const diff = caseDiff(saved, r)!;
    assert.match(diff.expected, /"content": "I'm sorry, but I can't help with that\."/);
    assert.match(diff.actual, /"content": "It is 21 °C in Paris\."/);
    assert.equal(caseDiff(saved, { ...r, output: null }), null, 'no output now: a plain message');
    assert.equal(caseDiff(saved, judgeCase(saved, KEY, original, replay([score('refusal', true)]))), null, 'a fixed case has no diff');
  });

  it('regressed: fixed, but another evaluator now fails on another step', () => {
    const r = judgeCase(saved, KEY, original, replay([score('refusal', true)], [score('tool-failure', false, 'getWeather threw')]));
    assert.equal(r.outcome, 'regressed');
    assert.deepEqual(r.newFailures, [{ step: 'tool', evaluator: 'tool-failure', explanation: 'getWeather threw' }]);
    assert.match(r.reason, /^fixed, but tool-failure now fails on tool \(getWeather threw\)$/);
    assert.ok(failsGate(r));
  });

  it('under the debugger a new latency failure is reported, not gated (paused time is in the durations); any other still is', () => {
    const slow = [score('latency', false, '40x the baseline')];
    const debugged = judgeCase(saved, KEY, original, replay([score('refusal', true)], slow), { untimed: true });
    assert.equal(debugged.outcome, 'fixed');
    assert.match(debugged.reason, /not gated, a run under the debugger counts its paused time: latency on tool/);
    assert.equal(judgeCase(saved, KEY, original, replay([score('refusal', true)], slow)).outcome, 'regressed', 'without the debugger it regresses');
    const other = judgeCase(saved, KEY, original, replay([score('refusal', true)], [...slow, score('tool-failure', false)]), { untimed: true });
    assert.equal(other.outcome, 'regressed');
    assert.doesNotMatch(other.reason, /latency/);
  });

  it('a failure the original run had too is not new', () => {
    const withToolFailure = { ...original, scores: new Map([...original.scores, [tool.spanId, [score('tool-failure', false)]]]) };
    const r = judgeCase(saved, KEY, withToolFailure, replay([score('refusal', true)], [score('tool-failure', false)]));
    assert.equal(r.outcome, 'fixed');
  });

  it('unreached: the current code never makes the call', () => {
    const r = judgeCase(saved, KEY, original, replay([score('refusal', true)], [], '/llm:m#7'));
    assert.equal(r.outcome, 'unreached');
    assert.match(r.reason, /never made the call \/llm:m#1/);
    assert.deepEqual(r.evaluators, [{ name: 'refusal', passed: null, explanation: null }]);
    assert.ok(failsGate(r));
  });

  it('error: a custom evaluator the case needs did not run (not a pass)', () => {
    const custom: RegressionCase = {
      ...saved,
      failedEvaluators: [{ name: 'token-budget', value: 0, label: null, explanation: 'over budget', source: 'custom', evaluatorVersion: null }],
      expect: { passes: ['token-budget'], noNewFailures: true },
    };
    const r = judgeCase(custom, KEY, original, replay([]));
    assert.equal(r.outcome, 'error');
    assert.match(r.reason, /the custom evaluator token-budget did not run on the new run \(custom evaluators: pass their folder\)/);
    assert.ok(failsGate(r));
  });

  it('expect.passes widens the gate: an evaluator named there must pass too', () => {
    const wider: RegressionCase = { ...saved, expect: { passes: ['refusal', 'answer-relevance'], noNewFailures: true } };
    const r = judgeCase(wider, KEY, original, replay([score('refusal', true), score('answer-relevance', false, 'off topic')]));
    assert.equal(r.outcome, 'failing');
    assert.equal(r.reason, 'answer-relevance: off topic');
    assert.equal(judgeCase(wider, KEY, original, replay([score('refusal', true), score('answer-relevance', true)])).outcome, 'fixed');
  });

  it('expect.noNewFailures false: new failures elsewhere are reported but do not fail the case', () => {
    const loose: RegressionCase = { ...saved, expect: { passes: ['refusal'], noNewFailures: false } };
    const r = judgeCase(loose, KEY, original, replay([score('refusal', true)], [score('tool-failure', false)]));
    assert.equal(r.outcome, 'fixed');
    assert.equal(r.newFailures.length, 1);
    assert.match(r.reason, /not gated, expect\.noNewFailures is false: tool-failure on tool/);
  });

  it('a version-1 case (no expect) is judged by its failed evaluators', () => {
    const v1 = { ...saved, format: 'tracefork.case/1' as const, expect: undefined, key: undefined, agent: undefined };
    assert.equal(judgeCase(v1, KEY, original, replay([score('refusal', false)])).outcome, 'failing');
    assert.equal(judgeCase(v1, KEY, original, replay([score('refusal', true)])).outcome, 'fixed');
  });
});
