import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TraceStore } from './store';
import { hexId, request, span } from '../../../test/support/otlp';
import { tmpDir } from '../../../test/support/tmp';

/** The spans as one OTLP/JSON request body. */
function body(spans: ReturnType<typeof span>[]): Buffer {
  return Buffer.from(JSON.stringify(request(spans)));
}

describe('TraceStore', () => {
  let t: ReturnType<typeof tmpDir>;
  let db: string;
  beforeEach(() => {
    t = tmpDir();
    db = path.join(t.dir, 'traces.db');
  });
  afterEach(() => t.cleanup());

  it('tells its listeners, and those of a reader, that everything changed when it is cleared', async () => {
    const store = await TraceStore.open(db);
    const reader = await TraceStore.open(db, { readOnly: true });
    try {
      const seen: string[][] = [];
      const read: string[][] = [];
      store.onDidChange((ids) => seen.push(ids));
      reader.onDidChange((ids) => read.push(ids));
      const traceId = hexId(16);
      store.ingestTraces(body([span({ traceId })]), 'json');
      store.flush();
      store.clear();
      assert.deepEqual(seen, [[traceId], []]);
      reader.poll();
      assert.deepEqual(read, [[traceId], []]);
      assert.deepEqual(reader.list(), []);
    } finally {
      reader.close();
      store.close();
    }
  });

  it('lists and reads back what it ingested, across a close and reopen', async () => {
    const traceId = hexId(16);
    const root = span({ traceId, name: 'agent run', durMs: 50 });
    const child = span({ traceId, parentSpanId: root.spanId, name: 'tool', startMs: 1_700_000_000_010, error: 'boom' });
    let store = await TraceStore.open(db);
    assert.equal(store.ingestTraces(body([child, root]), 'json').accepted, 2);
    store.close();
    store = await TraceStore.open(db);
    const [summary] = store.list();
    assert.deepEqual(
      { ...summary },
      {
        traceId,
        name: 'agent run',
        startTime: new Date(1_700_000_000_000).toISOString(),
        durationMs: 50,
        spanCount: 2,
        status: 'error',
        errorCount: 1,
        sessionId: null,
        model: null,
        replayOf: null,
      },
    );
    const trace = store.get(traceId)!;
    assert.deepEqual(trace.spans.map((s) => s.span.name).sort(), ['agent run', 'tool']);
    assert.equal(trace.spans[0].resource.attributes?.[0].value?.stringValue, 'test-agent');
    store.close();
  });

  it('lists the most recent runs only when asked, and counts all runs and the failing ones', async () => {
    const store = await TraceStore.open(db);
    const ids = [0, 1, 2, 3].map(() => hexId(16));
    ids.forEach((traceId, i) =>
      store.ingestTraces(body([span({ traceId, name: `run ${i}`, startMs: 1_700_000_000_000 + i * 1000, error: i % 2 ? 'x' : undefined })]), 'json'),
    );
    assert.deepEqual(
      store.list(2).map((t) => t.name),
      ['run 3', 'run 2'],
    );
    assert.equal(store.list().length, 4);
    assert.deepEqual(store.counts(), { total: 4, failing: 2 });
    store.close();
  });

  it('counts a resent span once (exporter retries), even across a restart', async () => {
    const traceId = hexId(16);
    const s = span({ traceId, error: 'x' });
    let store = await TraceStore.open(db);
    store.ingestTraces(body([s]), 'json');
    store.ingestTraces(body([s]), 'json');
    assert.equal(store.list()[0].spanCount, 1);
    assert.equal(store.get(traceId)!.spans.length, 1);
    store.close();
    store = await TraceStore.open(db);
    store.ingestTraces(body([s]), 'json'); // resent after the restart: the window starts with the newest records
    assert.deepEqual([store.list()[0].spanCount, store.list()[0].errorCount], [1, 1], 'counted once, before any read heals it');
    assert.equal(store.get(traceId)!.spans.length, 1, 'steps shown are deduplicated');
    store.close();
  });

  it('keeps acknowledged spans when the process never closes the store (crash)', async () => {
    const traceId = hexId(16);
    const writer = await TraceStore.open(db, { snapshotIntervalMs: 3_600_000 });
    writer.ingestTraces(body([span({ traceId }), span({ traceId })]), 'json');
    // No close(), no snapshot: only the journal holds the data. A reader opens it as a new process would.
    const reader = await TraceStore.open(db, { readOnly: true });
    assert.equal(reader.list()[0].spanCount, 2);
    writer.ingestTraces(body([span({ traceId })]), 'json');
    assert.equal(reader.list()[0].spanCount, 3, 'a reader picks up later appends');
    reader.close();
    writer.close();
  });

  it('moves a corrupt index aside, reports it, and rebuilds from the journal', async () => {
    const traceId = hexId(16);
    let store = await TraceStore.open(db);
    store.ingestTraces(body([span({ traceId })]), 'json');
    store.close();
    fs.writeFileSync(db, Buffer.from('this is not a sqlite database at all, sorry'.repeat(200)));
    const warnings: string[] = [];
    store = await TraceStore.open(db, { onWarning: (m) => warnings.push(m) });
    assert.equal(store.list()[0].traceId, traceId);
    store.close();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /could not be read.*moved to .*corrupt-/);
    assert.equal(fs.readdirSync(t.dir).filter((f) => f.includes('.corrupt-')).length, 1);
  });

  it('cuts a torn journal tail and reports it', async () => {
    const traceId = hexId(16);
    let store = await TraceStore.open(db, { snapshotIntervalMs: 3_600_000 });
    store.ingestTraces(body([span({ traceId })]), 'json');
    store.close();
    fs.appendFileSync(`${db}.journal`, Buffer.from([1, 0, 0, 0, 0, 0, 9, 9])); // half a record header
    const warnings: string[] = [];
    store = await TraceStore.open(db, { onWarning: (m) => warnings.push(m) });
    assert.equal(store.list().length, 1);
    assert.match(warnings.join('\n'), /incomplete record/);
    store.close();
  });

  it('saves a copy of a journal with a damaged record and keeps the good prefix', async () => {
    const a = hexId(16);
    const b = hexId(16);
    let store = await TraceStore.open(db);
    store.ingestTraces(body([span({ traceId: a })]), 'json');
    store.ingestTraces(body([span({ traceId: b })]), 'json');
    store.close();
    fs.rmSync(db); // force a replay of the whole journal
    const buf = fs.readFileSync(`${db}.journal`);
    buf[buf.length - 20] ^= 0xff; // flip a byte inside the second record's payload
    fs.writeFileSync(`${db}.journal`, buf);
    const warnings: string[] = [];
    store = await TraceStore.open(db, { onWarning: (m) => warnings.push(m) });
    assert.deepEqual(
      store.list().map((x) => x.traceId),
      [a],
    );
    assert.match(warnings.join('\n'), /damaged at byte \d+: a full copy was saved/);
    assert.equal(fs.readdirSync(t.dir).filter((f) => f.startsWith('traces.db.journal.corrupt-')).length, 1);
    store.close();
  });

  it('evicts the oldest traces beyond the retention limit and compacts the journal', async () => {
    const store = await TraceStore.open(db, { retention: { maxTraces: 3 }, compactMinDeadBytes: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const traceId = hexId(16);
      ids.push(traceId);
      store.ingestTraces(body([span({ traceId, startMs: 1_700_000_000_000 + i * 1000, attrs: { prompt: 'x'.repeat(2000) } })]), 'json');
      store.stats();
    }
    assert.deepEqual(
      store.list().map((x) => x.traceId),
      ids.slice(3).reverse(),
    );
    const before = fs.statSync(`${db}.journal`).size;
    store.flush();
    const after = fs.statSync(`${db}.journal`).size;
    assert.ok(after < before / 1.5, `journal compacted from ${before} to ${after} bytes`);
    assert.equal(store.get(ids[5])!.spans[0].span.attributes?.[0].value?.stringValue, 'x'.repeat(2000));
    store.close();
    const reopened = await TraceStore.open(db);
    assert.deepEqual(
      reopened.list().map((x) => x.traceId),
      ids.slice(3).reverse(),
    );
    assert.equal(reopened.get(ids[3])!.spans.length, 1);
    reopened.close();
  });

  it('refuses a second writer on the same database', async () => {
    const store = await TraceStore.open(db);
    await assert.rejects(TraceStore.open(db), /being written by another Tracefork process/);
    store.close();
  });
});

describe('TraceStore indexing order under bulk load', () => {
  let t: ReturnType<typeof tmpDir>;
  beforeEach(() => (t = tmpDir()));
  afterEach(() => t.cleanup());

  /** 40 bulk records of 250 one-span traces (10,000 traces: far more than one 8 ms indexing slice), the last one holding `last`'s span too. */
  function bulk(store: TraceStore, last: string): string[] {
    const ids: string[] = [];
    for (let r = 0; r < 40; r++) {
      const spans = Array.from({ length: 250 }, (_, i) => span({ traceId: (ids[r * 250 + i] = hexId(16)), name: `bulk ${i}` }));
      if (r === 39) spans.push(span({ traceId: last, name: 'last bulk' }));
      store.ingestTraces(body(spans), 'json');
    }
    return ids;
  }

  it('indexes a small record of a new trace ahead of the bulk queued before it', async () => {
    const store = await TraceStore.open(path.join(t.dir, 'traces.db'), { indexOnRead: false, retention: { maxTraces: 100_000 } });
    try {
      const first = new Promise<string[]>((resolve) => store.onDidChange(resolve));
      const bulkIds = bulk(store, hexId(16));
      const live = hexId(16);
      store.ingestTraces(body([span({ traceId: live, name: 'live step' })]), 'json');
      const ids = await first; // the first indexing slice
      assert.ok(ids.includes(live), 'the live trace is in the first slice');
      assert.ok(ids.length < bulkIds.length, `the first slice did not index the whole bulk (${ids.length} of ${bulkIds.length} traces)`);
      store.flush();
      assert.equal(store.get(live)?.spans[0].span.name, 'live step');
    } finally {
      store.close();
    }
  });

  it('keeps a small record behind the queued records of its own trace', async () => {
    const store = await TraceStore.open(path.join(t.dir, 'traces.db'), { indexOnRead: false, retention: { maxTraces: 100_000 } });
    try {
      const slices: string[][] = [];
      store.onDidChange((ids) => slices.push(ids));
      const shared = hexId(16);
      bulk(store, shared);
      const late = span({ traceId: shared, name: 'late step' });
      store.ingestTraces(body([late]), 'json');
      await new Promise<void>((resolve) => store.onDidChange(() => resolve()));
      assert.ok(!slices[0].includes(shared), 'the shared trace waits for its bulk record');
      store.flush();
      assert.deepEqual(
        store
          .get(shared)
          ?.spans.map((s) => s.span.name)
          .sort(),
        ['last bulk', 'late step'],
      );
    } finally {
      store.close();
    }
  });
});
