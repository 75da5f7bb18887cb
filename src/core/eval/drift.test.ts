import * as assert from 'node:assert/strict';
import type { Step } from '../model/step';
import type { EvalScore } from './types';
import { DriftDetector } from './drift';

const step = (spanId: string, name: string, durationMs: number, extra: Partial<Step> = {}) =>
  ({ spanId, name, kind: 'llm', durationMs, costUsd: null, sessionId: null, ...extra }) as Step;
const score = (name: string, value: number | null, passed: boolean | null): EvalScore => ({
  name,
  value,
  passed,
  label: null,
  source: 'agent',
  explanation: null,
});

describe('drift and session alerts', () => {
  it("a latency that rises beyond the baseline's spread raises exactly one finding, on the run that crossed", () => {
    const d = new DriftDetector();
    const found: Array<{ run: number; message: string }> = [];
    for (let i = 0; i < 40; i++) {
      const ms = i < 20 ? 100 + (i % 5) : 200 + (i % 3);
      for (const f of d.observe(`t${i}`, [step(`s${i}`, 'answer', ms)], new Map())) found.push({ run: i, message: f.message });
    }
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]!.run, 24, 'when half of the last 10 runs are slow, their median moves past the spread');
    assert.match(found[0]!.message, /^latency of `answer` rose from a median 102 ms to 15\d ms over the last 10 runs \(baseline: the 15 runs before\)$/);
  });

  it('a numeric score that falls is a finding; one that only wobbles is not; pass/fail scores are left to the per-run findings', () => {
    const d = new DriftDetector();
    const found: string[] = [];
    for (let i = 0; i < 35; i++) {
      const v = i < 20 ? 0.8 + (i % 4) * 0.02 : 0.55;
      const scores = new Map([[`s${i}`, [score('groundedness', v, null), score('tool-failure', i % 2, i % 2 === 1)]]]);
      for (const f of d.observe(`t${i}`, [step(`s${i}`, 'answer', 100)], scores)) found.push(f.message);
    }
    assert.deepEqual(found.length, 1, JSON.stringify(found));
    assert.match(found[0]!, /^groundedness of `answer` fell from a median 0\.82 to 0\.68 over the last 10 runs/);
    const steady = new DriftDetector();
    let n = 0;
    for (let i = 0; i < 40; i++)
      n += steady.observe(
        `t${i}`,
        [step(`s${i}`, 'answer', 100 + ((i * 7) % 13))],
        new Map([[`s${i}`, [score('groundedness', 0.8 + ((i * 3) % 5) * 0.02, null)]]]),
      ).length;
    assert.equal(n, 0, 'noise within the spread raises nothing');
  });

  it('a run seen again as it grows replaces its point, and a recovered series may alert again', () => {
    const d = new DriftDetector({ window: 5, minBaseline: 5 });
    let n = 0;
    for (let i = 0; i < 10; i++) n += d.observe(`t${i}`, [step(`s${i}`, 'a', 100)], new Map()).length;
    for (let i = 10; i < 15; i++) {
      n += d.observe(`t${i}`, [step(`s${i}`, 'a', 100)], new Map()).length; // first seen fast…
      n += d.observe(`t${i}`, [step(`s${i}`, 'a', 300)], new Map()).length; // …then complete and slow
    }
    assert.equal(n, 1);
    for (let i = 15; i < 25; i++) n += d.observe(`t${i}`, [step(`s${i}`, 'a', 300)], new Map()).length;
    assert.equal(n, 1, 'the new level became the baseline without another alert');
  });

  it('several failures of one evaluator within a session escalate to one session warning', () => {
    const d = new DriftDetector();
    const found = [];
    for (let i = 0; i < 5; i++)
      found.push(
        ...d.observe(`t${i}`, [step(`s${i}`, 'lookup', 10, { kind: 'tool', sessionId: 'conv-1' })], new Map([[`s${i}`, [score('tool-failure', 0, false)]]])),
      );
    const sessions = found.filter((f) => f.kind === 'session');
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0]!.traceId, 't2', 'at the third failing run');
    assert.equal(sessions[0]!.message, 'tool-failure failed in 3 runs of session conv-1 (last on `lookup`)');
  });
});
