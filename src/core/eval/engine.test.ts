import * as assert from 'node:assert/strict';
import { Baseline } from './baseline';
import { mergeScores, runEvaluators, scoreSteps, STEP_EVALUATORS } from './engine';
import { fixtureRuns, llm, mkStep, toolStep } from '../../../test/support/evalTesting';
import type { StepEvaluator } from './types';

describe('eval: engine', () => {
  it('no failed score on the clean shared fixtures', function () {
    const runs = fixtureRuns();
    if (!runs.length) this.skip();
    for (const { file, steps } of runs) {
      const { scores, scorecard } = runEvaluators(steps);
      const failed = [...scores.values()].flat().filter((s) => s.passed === false);
      assert.deepEqual(failed, [], `${file}: ${JSON.stringify(failed)}`);
      assert.ok(scorecard.passed > 0, file);
    }
  });

  it('a run with a failing tool and a loop: scores on the right steps, scorecard per evaluator', () => {
    const root = mkStep({ kind: 'chain', name: 'agent' });
    const tools = [1, 2, 3, 4].map((i) => toolStep('getWeather', { city: 'Paris' }, i === 1 ? { error: 'timeout' } : { tempC: 21 }, { depth: 1 }));
    const answer = llm('It is 21C in Paris.');
    const run = [root, ...tools, answer];
    const { scores, scorecard } = runEvaluators(run);
    const failedOn = (id: string) => (scores.get(id) ?? []).filter((s) => s.passed === false).map((s) => s.name);
    assert.deepEqual(
      run.map((s) => failedOn(s.spanId)),
      [[], ['tool-failure'], [], [], ['loop'], []],
    );
    assert.deepEqual(
      [scorecard.failed, scorecard.byEvaluator['tool-failure'], scorecard.byEvaluator.loop],
      [2, { passed: 3, failed: 1 }, { passed: 3, failed: 1 }],
    );
    assert.deepEqual(scorecard.byEvaluator['runaway-steps'], { passed: 1, failed: 0 });
  });

  it('a throwing evaluator becomes an error score and the others still run', () => {
    const broken: StepEvaluator = {
      name: 'broken',
      version: '9',
      appliesTo: () => true,
      evaluate: () => {
        throw new Error('bug');
      },
    };
    const s = llm('hi');
    const { scores, scorecard } = runEvaluators([s], { stepEvaluators: [broken, ...STEP_EVALUATORS] });
    const [first, ...rest] = scores.get(s.spanId) ?? [];
    assert.deepEqual(
      [first.name, first.passed, first.label, first.explanation, first.evaluatorVersion],
      ['broken', null, 'error', 'evaluator threw: bug', '9'],
    );
    assert.ok(rest.length > 3 && scorecard.failed === 0);
  });

  it('disabled evaluators do not run; options reach them', () => {
    const run = [1, 2].map(() => toolStep('t', { a: 1 }, {}));
    const names = (o = {}) => [...runEvaluators(run, { options: o }).scores.values()].flat().map((s) => `${s.name}:${s.passed}`);
    assert.ok(names().includes('loop:true'));
    assert.ok(names({ loopMaxRepeats: 1 }).includes('loop:false'));
    assert.ok(!names({ disabled: ['loop', 'tool-failure'] }).some((n) => n.startsWith('loop') || n.startsWith('tool-failure')));
  });

  it('scoreSteps fills copies of the steps; the baseline is only read', () => {
    const b = new Baseline();
    const s = llm('hi');
    const { steps } = scoreSteps([s], { baseline: b });
    assert.equal(s.scores.length, 0);
    assert.ok(steps[0].scores.some((x) => x.name === 'empty-output' && x.passed === true));
    assert.equal(b.stats('latency', 'chat|m'), null);
    const merged = mergeScores(
      new Map([[s.spanId, [steps[0].scores[0]]]]),
      new Map([
        [s.spanId, [steps[0].scores[1]]],
        ['x', []],
      ]),
    );
    assert.deepEqual([merged.get(s.spanId)?.length, merged.has('x')], [2, true]);
  });
});
