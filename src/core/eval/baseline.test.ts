import * as assert from 'node:assert/strict';
import { Baseline, runTotals } from './baseline';
import { llm, mkStep } from '../../../test/support/evalTesting';

function naive(values: number[]): { median: number; mad: number } {
  const med = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const median = med(values);
  return { median, mad: med(values.map((v) => Math.abs(v - median))) };
}

describe('eval: baseline', () => {
  it('median and MAD of the last `window` values match a naive computation', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 1000;
    const b = new Baseline(25);
    const all: number[] = [];
    for (let i = 0; i < 120; i++) {
      const v = i % 7 === 0 ? 500 : Math.round(rand());
      b.add('latency', 'k', v);
      all.push(v);
      const want = naive(all.slice(-25));
      const got = b.stats('latency', 'k');
      assert.deepEqual([got?.n, got?.median, got?.mad], [Math.min(i + 1, 25), want.median, want.mad], `after ${i + 1} values`);
    }
  });

  it('keys and metrics are separate; unknown keys have no stats', () => {
    const b = new Baseline();
    b.add('latency', 'a', 1);
    b.add('cost', 'a', 2);
    assert.deepEqual([b.stats('latency', 'a')?.median, b.stats('cost', 'a')?.median, b.stats('latency', 'b')], [1, 2, null]);
  });

  it('observe takes measured kinds by name + model, and the run totals by root name', () => {
    const b = new Baseline();
    const root = mkStep({ kind: 'chain', name: 'agent', durationMs: 100 });
    const a = llm('x', 'q', { durationMs: 40, costUsd: 0.5, startTime: root.startTime });
    b.observe([root, a]);
    assert.deepEqual([b.stats('latency', 'chat|m')?.median, b.stats('cost', 'chat|m')?.median, b.stats('latency', 'agent|m')], [40, 0.5, null]);
    assert.deepEqual(runTotals([root, a]), { durationMs: 100, costUsd: 0.5 });
    assert.equal(b.stats('run-latency', 'run|agent')?.median, 100);
  });
});
