import * as assert from 'node:assert/strict';
import { Baseline } from '../baseline';
import { ctxOf, llm, mkStep } from '../../../../test/support/evalTesting';
import { cost, latency, runBudget } from './latency';

/** A baseline fed with `n` earlier one-step runs of step "chat"/model "m" lasting ~`ms` and costing ~$0.001. */
function history(n: number, ms = 1000): Baseline {
  const b = new Baseline();
  for (let i = 0; i < n; i++) b.observe([llm('ok', 'q', { durationMs: ms + (i % 5) * 10, costUsd: 0.001 + (i % 3) * 0.0001, traceId: `t${i}` })]);
  return b;
}

describe('eval: latency and cost against the rolling baseline', () => {
  it('no verdict without a baseline, or with fewer than 10 earlier samples', () => {
    const s = llm('ok', 'q', { durationMs: 99_999 });
    assert.equal(latency.appliesTo(s, ctxOf([s])), false);
    assert.deepEqual(latency.evaluate(s, ctxOf([s], {}, history(9))), []);
  });

  it('passes a typical step and fails one beyond median + 5·MAD', () => {
    const b = history(50);
    const ok = llm('ok', 'q', { durationMs: 1030, costUsd: 0.0011 });
    const slow = llm('ok', 'q', { durationMs: 5000, costUsd: 0.01 });
    assert.equal(latency.evaluate(ok, ctxOf([ok], {}, b))[0].passed, true);
    assert.equal(cost.evaluate(ok, ctxOf([ok], {}, b))[0].passed, true);
    const l = latency.evaluate(slow, ctxOf([slow], {}, b))[0];
    assert.deepEqual([l.passed, l.value, l.label], [false, 5000, 'slow']);
    assert.match(l.explanation ?? '', /beyond median \+ 5·MAD .*median 1020\.0 ms.*50 earlier runs of "chat\|m"/);
    assert.equal(cost.evaluate(slow, ctxOf([slow], {}, b))[0].passed, false);
  });

  it('another model or step name has its own baseline', () => {
    const other = llm('ok', 'q', { durationMs: 5000, model: 'other' });
    assert.deepEqual(latency.evaluate(other, ctxOf([other], {}, history(50))), []);
  });

  it('fixed thresholds apply without a baseline', () => {
    const s = llm('ok', 'q', { durationMs: 2500, costUsd: 0.5 });
    const ctx = ctxOf([s], { maxLatencyMs: 2000, maxCostUsd: 1 });
    assert.equal(latency.evaluate(s, ctx)[0].passed, false);
    assert.equal(cost.evaluate(s, ctx)[0].passed, true);
  });

  it('run-level: wall time and summed cost of the run on its root', () => {
    const b = new Baseline();
    for (let i = 0; i < 12; i++) b.observe([mkStep({ kind: 'chain', traceId: `r${i}`, name: 'agent', durationMs: 100, costUsd: 0.01 })]);
    const run = [mkStep({ kind: 'chain', name: 'agent', durationMs: 900, costUsd: 0.01 })];
    const placed = runBudget.evaluateRun(run, ctxOf(run, {}, b));
    assert.deepEqual(
      placed.map((p) => [p.spanId, p.score.name, p.score.passed]),
      [
        [run[0].spanId, 'run-latency', false],
        [run[0].spanId, 'run-cost', true],
      ],
    );
  });

  it('observing the same run twice counts it once', () => {
    const b = new Baseline();
    const run = [llm('ok')];
    b.observe(run);
    b.observe(run);
    assert.equal(b.stats('latency', 'chat|m')?.n, 1);
  });
});
