import * as assert from 'node:assert/strict';
import type { Step } from '../model/step';
import type { EvalScore } from './types';
import { trendPoints, trendSeries, type EvaluatedRun } from './trends';

const run = (i: number, ms: number, quality: number | null): EvaluatedRun => ({
  traceId: `t${i}`,
  name: `run ${i}`,
  startTime: new Date(1_700_000_000_000 + i * 1000).toISOString(),
  steps: [{ spanId: `s${i}`, name: 'answer', kind: 'llm', durationMs: ms, costUsd: 0.001 } as Step],
  scores: new Map<string, EvalScore[]>(
    quality === null ? [] : [[`s${i}`, [{ name: 'quality', value: quality, passed: null, label: null, source: 'agent', explanation: null }]]],
  ),
});

describe('trends', () => {
  it('lists every series of the runs, the most common first', () => {
    const runs = [run(0, 100, 0.8), run(1, 100, null)];
    assert.deepEqual(
      trendSeries(runs).map((s) => [s.label, s.runs]),
      [
        ['cost of answer', 2],
        ['latency of answer', 2],
        ['quality of answer', 1],
      ],
    );
  });

  it('gives each point the band of the runs before it, and marks the ones outside it on the bad side', () => {
    const runs = Array.from({ length: 14 }, (_, i) => run(i, 100, i < 10 ? 0.8 + (i % 2) * 0.02 : i === 12 ? 0.95 : 0.4));
    const pts = trendPoints(runs, 'answer\u0000score:quality', { baseline: 10, minBaseline: 5 });
    assert.equal(pts.length, 14);
    assert.equal(pts[4]!.band, null, 'no band before five earlier runs');
    assert.ok(pts[5]!.band && pts[5]!.band.low < 0.8 && pts[5]!.band.high > 0.82);
    assert.deepEqual(
      pts.map((p) => p.outside),
      [...Array(10).fill(false), true, true, false, true],
      'a fall is outside; a rise in a score is not bad',
    );
    assert.equal(pts[13]!.spanId, 's13');
  });
});
