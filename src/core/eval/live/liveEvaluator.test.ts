import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TraceStore } from '../../store/store';
import { buildSteps } from '../../model/steps';
import { Baseline } from '../baseline';
import { runEvaluators } from '../engine';
import { LiveEvaluator, type LiveBatch } from './liveEvaluator';
import { EvalSession, MAX_ON_DEMAND_SPANS } from './session';

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const traceId = (i: number) => hex(i + 1, 32);

/** One run's spans: an agent root, a model call and a tool call at a source line; `fail` makes the tool fail. */
function runSpans(i: number, fail: boolean, from = 0) {
  const t0 = BigInt(Date.UTC(2025, 0, 1)) * 1_000_000n + BigInt(i) * 10_000_000_000n;
  const span = (n: number, name: string, attributes: Array<[string, string | number]>, error = false) => ({
    traceId: traceId(i),
    spanId: hex(i * 16 + n + 1, 16),
    parentSpanId: n ? hex(i * 16 + 1, 16) : '',
    name,
    startTimeUnixNano: String(t0 + BigInt(n) * 1_000_000n),
    endTimeUnixNano: String(t0 + BigInt(n + 5) * 1_000_000n),
    attributes: attributes.map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } })),
    status: { code: error ? 2 : 1, ...(error ? { message: 'weather service down' } : {}) },
  });
  return [
    span(0, 'invoke_agent weather', [['gen_ai.operation.name', 'invoke_agent']]),
    span(1, 'chat m', [
      ['gen_ai.operation.name', 'chat'],
      ['gen_ai.request.model', 'm'],
      ['gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'It is sunny.' }], finish_reason: 'stop' }])],
    ]),
    span(
      2,
      'execute_tool getWeather',
      [
        ['gen_ai.operation.name', 'execute_tool'],
        ['gen_ai.tool.name', 'getWeather'],
        ['code.file.path', '/src/agent.ts'],
        ['code.line.number', 42],
      ],
      fail,
    ),
  ].slice(from);
}

const body = (spans: unknown[]) =>
  Buffer.from(JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 't' }, spans }] }] }));

describe('eval: live evaluation loop (worker thread)', function () {
  this.timeout(20_000);
  let dir: string;
  let store: TraceStore;
  let batches: LiveBatch[];
  let live: LiveEvaluator;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-live-'));
    store = await TraceStore.open(path.join(dir, 'traces.db'));
    batches = [];
    live = new LiveEvaluator({ source: () => store, onBatch: (b) => batches.push(b), onError: (m) => assert.fail(m), debounceMs: 20 });
    store.onDidChange((ids) => live.changed(ids));
  });
  afterEach(async () => {
    await live.dispose();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const latest = () => {
    const m = new Map<string, LiveBatch['results'][number]>();
    for (const b of batches) for (const r of b.results) m.set(r.traceId, r);
    return m;
  };

  it('evaluates every changed run, including runs spread over several request bodies, with the verdicts of runEvaluators', async () => {
    // 12 runs, every third failing; bodies cut across runs so that most runs lie in two bodies.
    const spans = Array.from({ length: 12 }, (_, i) => runSpans(i, i % 3 === 0)).flat();
    for (let i = 0; i < spans.length; i += 5) store.ingestTraces(body(spans.slice(i, i + 5)), 'json');
    store.list();
    await live.idle();
    const got = latest();
    assert.equal(got.size, 12);
    const baseline = new Baseline();
    for (let i = 0; i < 12; i++) {
      const steps = buildSteps(store.get(traceId(i))!);
      const want = runEvaluators(steps, { baseline });
      baseline.observe(steps);
      const r = got.get(traceId(i))!;
      assert.equal(r.stepCount, 3);
      assert.deepEqual(r.scorecard, want.scorecard, `run ${i}`);
      assert.deepEqual(r.failing, i % 3 === 0 ? ['tool-failure'] : []);
      assert.deepEqual(
        r.located.map((s) => [s.name, s.code.file, s.code.line, s.findings.map((f) => f.name)]),
        [['execute_tool getWeather', '/src/agent.ts', 42, i % 3 === 0 ? ['tool-failure'] : []]],
      );
      assert.equal(r.steps, undefined, 'full steps only when asked for');
    }
    assert.equal(live.stats.steps >= 36, true);
  });

  it('a run that grows is evaluated again with all its steps; a deleted run is reported removed', async () => {
    store.ingestTraces(body(runSpans(0, false).slice(0, 1)), 'json');
    store.list();
    await live.idle();
    assert.equal(latest().get(traceId(0))?.stepCount, 1);
    store.ingestTraces(body(runSpans(0, true, 1)), 'json');
    store.list();
    await live.idle();
    assert.deepEqual([latest().get(traceId(0))?.stepCount, latest().get(traceId(0))?.failing], [3, ['tool-failure']]);
    store.delete([traceId(0)]);
    await live.idle();
    assert.deepEqual(batches.at(-1)?.removed, [traceId(0)]);
  });

  it('sends full steps and scores of the recent runs when asked (custom evaluators, judge); a refresh rebuilds them against a new baseline', async () => {
    await live.dispose();
    live = new LiveEvaluator({ source: () => store, onBatch: (b) => batches.push(b), debounceMs: 20, wantSteps: () => true, window: 2 });
    store.onDidChange((ids) => live.changed(ids));
    store.ingestTraces(body([0, 1, 2].flatMap((i) => runSpans(i, i === 2))), 'json');
    store.list();
    await live.idle();
    const r = latest();
    assert.deepEqual(
      [0, 1, 2].map((i) => r.get(traceId(i))?.steps?.length ?? 0),
      [0, 3, 3],
      'only the 2 most recent',
    );
    assert.ok(r.get(traceId(2))!.scores!.some(([, list]) => list.some((s) => s.name === 'tool-failure' && s.passed === false)));
    batches.length = 0;
    live.refreshNow();
    await live.idle();
    assert.equal(batches.length, 1);
    assert.equal(batches[0].rebuilt, true);
    assert.deepEqual(batches[0].results.map((x) => x.traceId).sort(), [traceId(1), traceId(2)]);
  });

  it('splits a burst into batches of about `batchSpans` spans, oldest runs first, and evaluates every run', async () => {
    await live.dispose();
    live = new LiveEvaluator({ source: () => store, onBatch: (b) => batches.push(b), debounceMs: 20, batchSpans: 7 });
    store.onDidChange((ids) => live.changed(ids));
    store.ingestTraces(body(Array.from({ length: 10 }, (_, i) => runSpans(9 - i, false)).flat()), 'json');
    store.list();
    await live.idle();
    assert.deepEqual(
      batches.map((b) => b.results.length),
      [2, 2, 2, 2, 2],
    );
    assert.deepEqual(
      batches.flatMap((b) => b.results.map((r) => r.traceId)),
      Array.from({ length: 10 }, (_, i) => traceId(i)),
    );
  });

  it("holds a batch back while the receiver's thread is busy, up to maxDelayMs", async () => {
    await live.dispose();
    const opts = { source: () => store, onBatch: (b: LiveBatch) => batches.push(b), debounceMs: 10, busyUtilization: -1, maxDelayMs: 1e9 };
    live = new LiveEvaluator(opts);
    store.onDidChange((ids) => live.changed(ids));
    store.ingestTraces(body(runSpans(0, true)), 'json');
    store.list();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(batches.length, 0, 'always "busy": held back');
    opts.busyUtilization = 2; // never busy
    await live.idle();
    assert.deepEqual(
      batches.map((b) => b.results.map((r) => r.failing)),
      [[['tool-failure']]],
    );
  });

  it('the verdict store answers the live verdict; a run too big for the loop is judged on demand, in the worker; a deleted run has none', async () => {
    await live.dispose();
    live = new LiveEvaluator({ source: () => store, onBatch: (b) => batches.push(b), debounceMs: 20, maxSpans: 3, aheadDelayMs: 0 });
    store.onDidChange((ids) => live.changed(ids));
    // Ten quick runs make the baseline; the eleventh is slow: only the rolling baseline flags it.
    const slow = (i: number) =>
      runSpans(i, false).map((sp, n) => (n === 2 ? { ...sp, endTimeUnixNano: String(BigInt(sp.startTimeUnixNano) + 900_000_000n) } : sp));
    store.ingestTraces(body(Array.from({ length: 10 }, (_, i) => runSpans(i, false)).flat()), 'json');
    store.list();
    await live.idle();
    store.ingestTraces(body(slow(10)), 'json');
    store.list();
    await live.idle();
    const liveFailing = latest().get(traceId(10))!.failing;
    assert.ok(liveFailing.includes('latency'), `the live loop flags the slow run against the baseline (${liveFailing})`);
    const v = (await live.verdict(traceId(10)))!;
    assert.equal(v.source, 'live');
    const failed = [...v.scores.values()]
      .flat()
      .filter((x) => x.passed === false)
      .map((x) => x.name);
    assert.deepEqual([...new Set(failed)].sort(), [...liveFailing].sort(), 'the same verdict as the Runs view shows');
    // Four steps: over maxSpans, so the loop skips it; asked for, it is judged now with every step.
    store.ingestTraces(body([...runSpans(11, true), { ...runSpans(11, false)[1], spanId: hex(999, 16), name: 'chat again' }]), 'json');
    store.list();
    await live.idle();
    const big = (await live.verdict(traceId(11)))!;
    assert.equal(big.source, 'now');
    assert.equal(big.scores.size, 4);
    assert.ok(big.scores.get(hex(11 * 16 + 3, 16))!.some((x) => x.name === 'tool-failure' && x.passed === false));
    assert.equal((await live.verdict(traceId(11)))!.source, 'live', 'kept once made');
    store.delete([traceId(10)]);
    assert.equal(await live.verdict(traceId(10)), null);
  });

  it('judges a big run ahead of its first open once it is quiet, and saves it: after a restart the verdict is read, not made', async () => {
    await live.dispose();
    const verdictFiles = { dir: path.join(dir, 'verdicts'), version: 't', minSteps: 4 };
    const start = () =>
      new LiveEvaluator({
        source: () => store,
        onBatch: (b) => batches.push(b),
        onError: (m) => assert.fail(m),
        debounceMs: 20,
        maxSpans: 3,
        aheadDelayMs: 50,
        verdictFiles,
      });
    live = start();
    store.onDidChange((ids) => live.changed(ids));
    const spans = [...runSpans(14, true), { ...runSpans(14, false)[1], spanId: hex(998, 16), name: 'chat again' }];
    store.ingestTraces(body(spans.slice(0, 2)), 'json');
    store.list();
    await live.idle();
    store.ingestTraces(body(spans.slice(2)), 'json'); // the run grows: judged once it is quiet again
    store.list();
    await live.idle();
    assert.equal(fs.readdirSync(verdictFiles.dir).filter((f) => f.endsWith('.verdict')).length, 1, 'judged ahead and saved');
    const ahead = (await live.verdict(traceId(14)))!;
    assert.equal(ahead.source, 'live', 'kept from the ahead-of-time judgement: nothing built at open');
    assert.equal(ahead.scores.size, 4, 'of the run as it ended, every step');
    assert.ok(ahead.scores.get(hex(14 * 16 + 3, 16))!.some((x) => x.name === 'tool-failure' && x.passed === false));
    await live.dispose();
    live = start(); // a window reload
    const read = (await live.verdict(traceId(14)))!;
    assert.equal(read.source, 'saved');
    assert.deepEqual([...read.scores], [...ahead.scores]);
  });

  it('tells the big runs it does not evaluate, and does not build a run over MAX_ON_DEMAND_SPANS on demand', async () => {
    await live.dispose();
    const big: string[] = [];
    live = new LiveEvaluator({
      source: () => store,
      onBatch: (b) => batches.push(b),
      debounceMs: 20,
      maxSpans: 2,
      aheadDelayMs: 0,
      onBigTraces: (_, t) => big.push(...t.map((x) => x.traceId)),
    });
    store.onDidChange((ids) => live.changed(ids));
    store.ingestTraces(body([...runSpans(12, false), ...runSpans(13, false).slice(0, 2)]), 'json');
    store.list();
    await live.idle();
    assert.deepEqual(big, [traceId(12)], 'the run over maxSpans, not the small one');
    const { journal, traces } = store.locate([traceId(12)]);
    const session = new EvalSession();
    const reply = session.verdict({ type: 'verdict', id: 1, traceId: traceId(12), journal, trace: { ...traces[0]!, spanCount: MAX_ON_DEMAND_SPANS + 1 } });
    assert.equal(reply.scores, null);
    assert.equal(reply.error, undefined, 'not an error: the run is shown without scores');
    session.close();
  });

  it("the same on the receiver's thread (in-process fallback)", async () => {
    await live.dispose();
    live = new LiveEvaluator({ source: () => store, onBatch: (b) => batches.push(b), debounceMs: 20, inProcess: true });
    store.onDidChange((ids) => live.changed(ids));
    store.ingestTraces(body(runSpans(0, true)), 'json');
    store.list();
    await live.idle();
    assert.deepEqual(latest().get(traceId(0))?.failing, ['tool-failure']);
  });
});

describe('eval: live evaluation session', () => {
  it('answers `stale` for offsets of another journal generation (the journal was compacted meanwhile)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-live-'));
    const store = await TraceStore.open(path.join(dir, 'traces.db'));
    try {
      store.ingestTraces(body(runSpans(0, false)), 'json');
      const { journal, traces } = store.locate([traceId(0)]);
      const session = new EvalSession();
      const base = { type: 'evaluate' as const, id: 1, traces, resetBaseline: false, stepsFor: [] };
      assert.deepEqual(session.evaluate({ ...base, journal: { ...journal, generation: 'f00' } }).stale, [traceId(0)]);
      const ok = session.evaluate({ ...base, journal });
      assert.deepEqual([ok.stale, ok.results.map((r) => r.stepCount)], [[], [3]]);
      session.close();
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
