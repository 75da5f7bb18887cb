/**
 * The view worker's session and thread over a real store's journal: each update reads only what is
 * new and gives the rows the one-shot view gives; logs arriving after their span re-make its row;
 * details are read again from the record, masked; a run no panel holds goes (and the thread ends).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { tmpDir } from '../../../../test/support/tmp';
import { hexId, request, span } from '../../../../test/support/otlp';
import { TraceStore } from '../../store/store';
import { buildTraceView } from '../traceView';
import { ViewSession } from './viewSession';
import { ViewWorker } from './client';
import type { TraceLocation } from './protocol';

function at(store: TraceStore, traceId: string): TraceLocation {
  const found = store.locate([traceId]);
  const t = found.traces[0]!;
  return { journal: found.journal, offsets: t.offsets, spanCount: t.spanCount };
}

const post = (store: TraceStore, body: unknown) => store.ingestTraces(Buffer.from(JSON.stringify(body)), 'json');

describe('view session (a run read from the journal, span by span)', () => {
  let tmp: ReturnType<typeof tmpDir>;
  let store: TraceStore;

  beforeEach(async () => {
    tmp = tmpDir('tracefork-view-');
    store = await TraceStore.open(path.join(tmp.dir, 'traces.db'));
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('grows a live run in place: an update adds what the new records hold, and the rows are those of the one-shot view', async () => {
    const traceId = hexId(16);
    const root = span({ traceId, name: 'invoke_agent travel', durMs: 1000 });
    const calls = Array.from({ length: 6 }, (_, i) =>
      span({
        traceId,
        parentSpanId: root.spanId,
        name: 'chat gpt-4o',
        startMs: 1_700_000_000_001 + i,
        attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10 + i },
      }),
    );
    const progress: number[] = [];
    const session = new ViewSession({ onProgress: (_, done) => progress.push(done) });
    post(store, request(calls.slice(0, 3)));
    const first = await session.update(traceId, at(store, traceId), true);
    assert.ok(!first.stale);
    assert.equal(first.header!.rowCount, 3, 'three orphans so far: the root has not ended');
    post(store, request([...calls.slice(3), root]));
    const second = await session.update(traceId, at(store, traceId), false);
    assert.ok(!second.stale);
    const whole = buildTraceView(store.get(traceId)!);
    assert.deepEqual(second.header, whole.header);
    assert.deepEqual(session.rows(traceId, 0, 100), whole.rows);
    assert.deepEqual(
      session.rows(traceId, 1, 2)!.map((r) => [r.index, r.depth, r.parent, r.inputTokens]),
      [
        [1, 1, 0, 10],
        [2, 1, 0, 11],
      ],
    );
    // A resend of spans already read changes nothing.
    post(store, request(calls.slice(0, 2)));
    const third = await session.update(traceId, at(store, traceId), false);
    assert.ok(!third.stale);
    assert.equal(third.header!.rowCount, 7);
  });

  it('makes a row again when log records of its span arrive after it, and reads a detail with its logs, credentials masked', async () => {
    const traceId = hexId(16);
    const s = span({ traceId, name: 'execute_tool lookup', attrs: { 'gen_ai.tool.call.arguments': '{"key":"sk-proj-abcdefghijklmnopqrstuvwx1234"}' } });
    s.status = { code: 2 };
    post(store, request([s]));
    const session = new ViewSession();
    await session.update(traceId, at(store, traceId), true);
    assert.equal(session.rows(traceId, 0, 1)![0]!.error, null);
    const log = {
      timeUnixNano: s.startTimeUnixNano,
      traceId,
      spanId: s.spanId,
      eventName: 'exception',
      attributes: [{ key: 'exception.message', value: { stringValue: 'lookup failed for sk-proj-abcdefghijklmnopqrstuvwx1234' } }],
    };
    store.ingestLogs(Buffer.from(JSON.stringify({ resourceLogs: [{ resource: {}, scopeLogs: [{ scope: {}, logRecords: [log] }] }] })), 'json');
    await session.update(traceId, at(store, traceId), false);
    const row = session.rows(traceId, 0, 1)![0]!;
    assert.match(row.error ?? '', /^lookup failed for /);
    assert.doesNotMatch(row.error ?? '', /abcdefghijklmnop/, 'the key is masked in the row');
    const detail = session.detail(traceId, s.spanId)!;
    assert.ok(
      detail.events.some((e) => e.name === 'exception'),
      'the log is one of its events',
    );
    assert.doesNotMatch(JSON.stringify(detail), /abcdefghijklmnop/, 'and masked in the detail');
    assert.equal(session.detail(traceId, 'ffffffffffffffff'), null);
  });

  it('drops a run when its last panel closes, keeps prebuilt runs within the budget, and says when the journal was compacted', async () => {
    const ids = [hexId(16), hexId(16)];
    for (const traceId of ids) post(store, request([span({ traceId }), span({ traceId })]));
    const session = new ViewSession({ budget: 3, settleMs: 20 });
    assert.deepEqual(await session.update(ids[0]!, at(store, ids[0]!), false), { prebuilt: true }, 'a prebuilt run answers no header');
    assert.equal(session.laidOut(ids[0]!), false, 'and is not laid out per update');
    const end = Date.now() + 5000;
    while (!session.laidOut(ids[0]!) && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    assert.equal(session.laidOut(ids[0]!), true, 'but once it stopped changing');
    await session.update(ids[1]!, at(store, ids[1]!), false);
    assert.equal(session.rows(ids[0]!, 0, 10), null, 'the older prebuilt run went over the budget');
    assert.equal(session.rows(ids[1]!, 0, 10)!.length, 2);
    await session.update(ids[1]!, at(store, ids[1]!), true);
    post(store, request([span({ traceId: ids[1]! })]));
    assert.deepEqual(await session.prebuild(ids[1]!, at(store, ids[1]!)), { prebuilt: true }, 'a run a panel holds is left to its panel');
    assert.equal(session.rows(ids[1]!, 0, 10)!.length, 2, 'not read by the prebuild');
    await session.update(ids[1]!, at(store, ids[1]!), true);
    assert.equal(session.rows(ids[1]!, 0, 10)!.length, 3, 'but by the panel');
    assert.equal(session.close(ids[1]!), 3, 'a second panel still holds it');
    assert.equal(session.close(ids[1]!), 0);
    assert.equal(session.rows(ids[1]!, 0, 10), null);
    await session.update(ids[0]!, at(store, ids[0]!), false);
    assert.equal(session.expire(performance.now() + 1000), 2, 'a prebuilt run is kept for its time to live');
    assert.equal(session.expire(performance.now() + 200_000), 0, 'and dropped after it');
    const moved = at(store, ids[0]!);
    moved.journal.generation = 'ffff';
    assert.deepEqual(await session.update(ids[0]!, moved, true), { stale: true });
  });

  it('in its thread: answers a panel, reports progress on a big run, and ends once it holds nothing', async function () {
    this.timeout(60_000);
    const traceId = hexId(16);
    const root = span({ traceId, name: 'invoke_agent big' });
    for (let i = 0; i < 20; i++)
      post(
        store,
        request(
          Array.from({ length: 1000 }, (_, k) =>
            span({ traceId, parentSpanId: root.spanId, name: `step ${i * 1000 + k}`, startMs: 1_700_000_000_000 + i * 1000 + k }),
          ),
        ),
      );
    post(store, request([root]));
    store.flush();
    const views = new ViewWorker(undefined, 50);
    const seen: number[] = [];
    views.onProgress((id, done) => id === traceId && seen.push(done));
    try {
      const reply = await views.update(traceId, at(store, traceId), true);
      assert.ok(!reply.stale);
      assert.equal(reply.header!.rowCount, 20_001);
      assert.equal(reply.header!.name, 'invoke_agent big');
      const last = (await views.rows(traceId, 20_000, 10))!;
      assert.deepEqual(
        last.map((r) => [r.index, r.name, r.depth]),
        [[20_000, 'step 19999', 1]],
      );
      assert.equal((await views.detail(traceId, root.spanId))!.name, 'invoke_agent big');
      assert.ok(seen.length > 0 && seen.every((n, i) => i === 0 || n >= seen[i - 1]!), `progress was reported in order: ${seen.join(',')}`);
      await views.close(traceId);
      const end = Date.now() + 10_000;
      while (views.running && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      assert.equal(views.running, false, 'the thread ended once it held no run');
      // And starts again when asked, as a new thread (a panel that opened its run in the old one opens it again).
      const epoch = views.epoch;
      assert.equal((await views.update(traceId, at(store, traceId), true)).stale, undefined);
      assert.equal(views.epoch, epoch + 1);
      assert.equal((await views.rows(traceId, 0, 1))![0]!.name, 'invoke_agent big');
      // A thread that ends while a request is in flight rejects it with why.
      const pending = views.rows(traceId, 0, 1);
      await views.terminate();
      await assert.rejects(pending, /the view worker was stopped/);
    } finally {
      await views.terminate();
    }
  });
});
