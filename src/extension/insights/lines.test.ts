import * as assert from 'node:assert/strict';
import { lineLenses, lineProblems, p95, type LineStep } from './lines';

let n = 0;
const step = (p: Partial<LineStep>): LineStep => ({
  file: '/w/agent.ts',
  line: 10,
  traceId: `t${n}`,
  spanId: `s${n++}`,
  name: 'getWeather',
  failed: false,
  error: null,
  findings: [],
  durationMs: 100,
  costUsd: null,
  time: n,
  ...p,
});

describe('what a source line shows (Problems and CodeLens)', () => {
  it('one error per line and step for its failures, naming the latest error and in how many runs it failed', () => {
    const steps = [
      step({ traceId: 'a', failed: true, error: 'old error', time: 1 }),
      step({ traceId: 'b', failed: true, error: 'weather service unavailable', time: 3 }),
      step({ traceId: 'c', time: 2 }),
      step({ line: 20, name: 'answer', traceId: 'c', time: 2 }),
    ];
    const problems = lineProblems(steps);
    assert.deepEqual(
      problems.map((p) => [p.line, p.severity, p.message, p.traceId]),
      [[10, 'error', 'getWeather failed in 2 of 3 run(s): weather service unavailable', 'b']],
    );
    assert.equal(problems[0]!.code, 'open run');
  });

  it('one warning per line, step and failed evaluator: the latest run’s explanation stands for the others', () => {
    const steps = [
      step({ name: 'chat', traceId: 'a', time: 1, findings: [{ name: 'refusal', explanation: 'first' }] }),
      step({
        name: 'chat',
        traceId: 'b',
        time: 5,
        findings: [
          { name: 'refusal', explanation: 'latest' },
          { name: 'latency', explanation: null },
        ],
      }),
      step({ name: 'chat', traceId: 'c', time: 9, failed: true, error: 'boom', findings: [{ name: 'refusal', explanation: 'on a failed step' }] }),
    ];
    const warnings = lineProblems(steps).filter((p) => p.severity === 'warning');
    assert.deepEqual(
      warnings.map((w) => [w.message, w.code, w.traceId]),
      [
        ['chat: evaluator refusal failed — latest', 'refusal', 'b'],
        ['chat: evaluator latency failed', 'latency', 'b'],
      ],
      "a failed step's own error is its Problem; its findings are not repeated",
    );
  });

  it('a lens per line of the file: runs, failing runs, p95 latency and cost, opening the latest run there', () => {
    const steps = [
      step({ traceId: 'a', durationMs: 100, costUsd: 0.001, time: 1 }),
      step({ traceId: 'b', durationMs: 2500, costUsd: 0.002, failed: true, time: 2 }),
      step({ traceId: 'b', line: 30, durationMs: 40, time: 3 }),
      step({ file: '/w/other.ts', traceId: 'z', time: 4 }),
    ];
    const lenses = lineLenses(steps, '/w/agent.ts');
    assert.deepEqual(lenses, [
      { line: 10, title: '$(pulse) 2 runs · $(error) 1 failing · p95 2.5s · $0.0030', traceId: 'b', spanId: steps[1]!.spanId },
      { line: 30, title: '$(pulse) 1 run · p95 40ms', traceId: 'b', spanId: steps[2]!.spanId },
    ]);
  });

  it('p95 is the nearest rank', () => {
    assert.equal(p95([]), 0);
    assert.equal(p95([5]), 5);
    assert.equal(p95(Array.from({ length: 100 }, (_, i) => i + 1)), 95);
    assert.equal(p95([1, 2, 3, 1000]), 1000);
  });
});
