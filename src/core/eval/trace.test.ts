import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tracesFromOtlpJson } from './otlpFile';
import { baselineFromStore, chronological, evaluateTrace, scoreTrace } from './trace';
import type { StoredTrace, TraceSummary } from '../store/queries';

const FIXTURE = path.resolve(__dirname, '../../../test/fixtures/vercel-ai-sdk.otlp.json');

describe('eval: stored traces', () => {
  before(function () {
    if (!fs.existsSync(FIXTURE)) this.skip();
  });

  it("evaluateTrace fills the steps' scores; scoreTrace gives the same scores", () => {
    const [trace] = tracesFromOtlpJson(fs.readFileSync(FIXTURE, 'utf8'));
    const e = evaluateTrace(trace);
    assert.equal(e.steps.length, 4);
    assert.ok(e.steps.every((s) => s.scores.length > 0 && s.scores.every((x) => x.passed !== false)));
    const only = scoreTrace(trace);
    assert.deepEqual(
      [...only.scores.keys()],
      e.steps.map((s) => s.spanId),
    );
    assert.deepEqual(only.scorecard, e.scorecard);
  });

  it('baselineFromStore reads the traces that started before the given one, oldest first', () => {
    const [trace] = tracesFromOtlpJson(fs.readFileSync(FIXTURE, 'utf8'));
    const copies = ['a', 'b', 'c'].map((c): StoredTrace => ({ ...trace, traceId: c.repeat(32) }));
    const list: TraceSummary[] = copies.map((t, i) => ({
      traceId: t.traceId,
      name: 'x',
      startTime: `2025-01-0${3 - i}T00:00:00.000Z`,
      durationMs: 1,
      spanCount: 4,
      status: 'ok',
      errorCount: 0,
      sessionId: null,
      model: null,
      replayOf: null,
    }));
    assert.deepEqual(
      chronological(list).map((t) => t.traceId[0]),
      ['c', 'b', 'a'],
    );
    const read: string[] = [];
    const store = { list: () => list, get: (id: string) => (read.push(id[0]), copies.find((t) => t.traceId === id) ?? null) };
    baselineFromStore(store, { beforeTraceId: 'a'.repeat(32) });
    assert.deepEqual(read, ['c', 'b']);
  });
});
