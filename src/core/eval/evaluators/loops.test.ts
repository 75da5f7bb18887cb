import * as assert from 'node:assert/strict';
import type { Step } from '../../model/step';
import { ctxOf, llm, mkStep, toolStep } from '../../../../test/support/evalTesting';
import { canonical, loops, runaway } from './loops';

const verdicts = (run: Step[], opts = {}) => loops.evaluateRun(run, ctxOf(run, opts)).map((p) => [p.spanId, p.score.passed, p.score.value]);

describe('eval: loops and runaway runs', () => {
  it('canonical JSON ignores key order', () => {
    assert.equal(canonical({ b: 1, a: [{ d: 2, c: 3 }] }), canonical({ a: [{ c: 3, d: 2 }], b: 1 }));
  });

  it('three identical calls pass (limit 3); the fourth and later fail', () => {
    const run = [1, 2, 3, 4, 5].map((i) => toolStep('getWeather', { city: 'Paris' }, { tempC: 21 }, { toolCallId: `c${i}` }));
    assert.deepEqual(
      verdicts(run),
      run.map((s, i) => [s.spanId, i < 3, i + 1]),
    );
    const fourth = loops.evaluateRun(run, ctxOf(run))[3].score;
    assert.match(fourth.explanation ?? '', /getWeather\(\{"city":"Paris"\}\) called 4 times .*limit 3/);
  });

  it('different arguments are not a loop; the limit is an option', () => {
    const run = ['Paris', 'Rome', 'Oslo', 'Lima'].map((c) => toolStep('getWeather', { city: c }, {}));
    assert.ok(verdicts(run).every(([, passed]) => passed === true));
    const same = [1, 2].map(() => toolStep('t', { a: 1 }, {}));
    assert.deepEqual(
      verdicts(same, { loopMaxRepeats: 1 }).map((v) => v[1]),
      [true, false],
    );
  });

  it('counts calls requested by models when no tool span executed them', () => {
    const asks = (id: string) =>
      mkStep({ output: { messages: [{ role: 'assistant', content: null, toolCalls: [{ id, name: 'search', arguments: { q: 'x' } }] }] } });
    const run = ['a', 'b', 'c', 'd'].map(asks);
    assert.deepEqual(
      verdicts(run).map((v) => v[1]),
      [true, true, true, false],
    );
    // …but a call a tool span executed is counted once, on the tool step.
    const withTools = [asks('a'), toolStep('search', { q: 'x' }, {}, { toolCallId: 'a' })];
    assert.deepEqual(
      verdicts(withTools).map((v) => v[0]),
      [withTools[1].spanId],
    );
  });

  it('runaway: more than maxSteps llm + tool steps fails the root', () => {
    const run = [mkStep({ kind: 'chain' }), ...Array.from({ length: 6 }, () => llm('ok'))];
    const [small] = runaway.evaluateRun(run, ctxOf(run, { maxSteps: 5 }));
    assert.deepEqual([small.spanId, small.score.passed, small.score.value], [run[0].spanId, false, 6]);
    assert.equal(runaway.evaluateRun(run, ctxOf(run))[0].score.passed, true);
  });
});
