/**
 * Row files: a big run's rows saved beside the store and read back give the same rows, header and
 * details as reading the journal; a file that no longer matches (code version, journal generation,
 * prices, records, damage) is not used and is deleted; the files stay within their budget; and the
 * view session opens a saved run after a restart reading only the records it gained since.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../../../test/support/tmp';
import { hexId, request, span } from '../../../test/support/otlp';
import { TraceStore } from '../store/store';
import { buildTraceView, RunModel } from './traceView';
import { ROW_FILE_MIN_STEPS, RowFiles } from './rowFile';
import { ViewSession } from './worker/viewSession';
import { ViewWorker } from './worker/client';
import type { TraceLocation } from './worker/protocol';

function at(store: TraceStore, traceId: string): TraceLocation {
  const t = store.locate([traceId]);
  return { journal: t.journal, offsets: t.traces[0]!.offsets, spanCount: t.traces[0]!.spanCount };
}
const post = (store: TraceStore, body: unknown) => store.ingestTraces(Buffer.from(JSON.stringify(body)), 'json');

/** A run with what rows keep apart: errors, a failed score, an orphan, repeated model calls, a tool with a log record. */
function varied(traceId: string, n: number) {
  const root = span({ traceId, name: 'invoke_agent support', durMs: 5000 });
  const spans = [root];
  for (let i = 0; i < n; i++)
    spans.push(
      span({
        traceId,
        parentSpanId: i === 3 ? 'abcdefabcdef0123' : root.spanId, // one orphan: its parent never arrives
        name: i % 7 === 0 ? 'execute_tool search' : `chat gpt-4o #${i % 3}`,
        startMs: 1_700_000_000_000 + i,
        attrs:
          i % 7 === 0
            ? { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' }
            : {
                'gen_ai.operation.name': 'chat',
                'gen_ai.request.model': 'gpt-4o',
                'gen_ai.usage.input_tokens': 100 + i,
                'gen_ai.usage.output_tokens': 7,
                'code.filepath': 'agent.ts',
                'code.lineno': 3,
              },
        ...(i % 11 === 5 ? { error: `rate limited (sk-proj-abcdefghijklmnopqrstuvwx${i})` } : {}),
      }),
    );
  return spans;
}

describe('row files (a big run’s rows saved beside the store)', () => {
  let tmp: ReturnType<typeof tmpDir>;
  let store: TraceStore;
  const files = (dir: string, version = '1.2.3', budgetBytes?: number) => new RowFiles({ dir, version, budgetBytes });

  beforeEach(async () => {
    tmp = tmpDir('tracefork-rows-');
    store = await TraceStore.open(path.join(tmp.dir, 'traces.db'));
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('reads back the rows, header and layout it saved, laid out or not, and the model goes on growing', async () => {
    const traceId = hexId(16);
    const spans = varied(traceId, 60);
    post(store, request(spans.slice(0, 40)));
    const where = at(store, traceId);
    const rows = files(path.join(tmp.dir, 'views'));
    for (const laidOut of [true, false]) {
      const model = new RunModel(traceId);
      for (const s of store.get(traceId)!.spans) model.addSpan(s.span, s.resource, s.scope, s.recOff ?? -1);
      if (laidOut) model.publish();
      assert.equal(await rows.save(model.state(), where.journal, where.offsets, [], undefined, () => true), true);
      const back = rows.load(traceId, where, undefined)!;
      assert.ok(back, 'the file checks out');
      assert.deepEqual(back.read, where.offsets);
      assert.equal(back.model.changed, !laidOut, 'a saved layout is used as it is');
      const whole = buildTraceView(store.get(traceId)!);
      assert.deepEqual(back.model.publish(), whole.header);
      assert.deepEqual(back.model.rows(0, 100), whole.rows);
      assert.ok(
        whole.rows.some((r) => r.error && !/abcdefghij/.test(r.error)) && whole.rows.some((r) => r.parent === -1 && r.index > 0),
        'errors (masked) and an orphan are among them',
      );
      for (const s of spans.slice(0, 40)) assert.equal(back.model.recOff(s.spanId), model.recOff(s.spanId));
    }
    // It grows on from there as a model read from the journal would.
    const back = rows.load(traceId, where, undefined)!;
    for (const s of spans.slice(40)) back.model.addSpan(s, undefined, undefined);
    post(store, request(spans.slice(40)));
    const whole = buildTraceView(store.get(traceId)!);
    assert.deepEqual(back.model.publish().rowCount, whole.header.rowCount);
    assert.deepEqual(
      back.model.rows(0, 100).map((r) => [r.spanId, r.depth, r.parent, r.descendants, r.name]),
      whole.rows.map((r) => [r.spanId, r.depth, r.parent, r.descendants, r.name]),
    );
  });

  it('is not used, and is deleted, when the code, the journal, the prices or the records changed, or the file is damaged', async () => {
    const traceId = hexId(16);
    post(store, request(varied(traceId, 30)));
    const where = at(store, traceId);
    const dir = path.join(tmp.dir, 'views');
    const model = new RunModel(traceId);
    for (const s of store.get(traceId)!.spans) model.addSpan(s.span, s.resource, s.scope, s.recOff ?? -1);
    model.publish();
    const saveAgain = () => files(dir).save(model.state(), where.journal, where.offsets, [], undefined, () => true);
    const file = files(dir).file(traceId);
    const cases: Array<[string, () => void | Promise<void>, () => unknown]> = [
      ['another version of the code', () => undefined, () => files(dir, '1.2.4').load(traceId, where, undefined)],
      ['a compacted journal', () => undefined, () => files(dir).load(traceId, { ...where, journal: { ...where.journal, generation: 'other' } }, undefined)],
      ['other prices', () => undefined, () => files(dir).load(traceId, where, { 'gpt-4o': { input: 1, output: 2 } } as never)],
      ['a record the trace no longer has', () => undefined, () => files(dir).load(traceId, { ...where, offsets: where.offsets.slice(1) }, undefined)],
      ['a torn file', () => fs.truncateSync(file, fs.statSync(file).size - 3), () => files(dir).load(traceId, where, undefined)],
      [
        'a string index out of range',
        () => {
          const b = fs.readFileSync(file);
          const len = b.readUInt32LE(8);
          const cols = 12 + len + ((8 - ((12 + len) % 8)) % 8);
          b.writeInt32LE(1_000_000, cols + 7 * 8 * model.size); // the first name index
          fs.writeFileSync(file, b);
        },
        () => files(dir).load(traceId, where, undefined),
      ],
      ['not a row file', () => fs.writeFileSync(file, '{"resourceSpans":[]}'), () => files(dir).load(traceId, where, undefined)],
    ];
    for (const [what, damage, load] of cases) {
      await saveAgain();
      await damage();
      assert.equal(load(), null, what);
      assert.equal(fs.existsSync(file), false, `${what}: the file is deleted`);
    }
    await saveAgain();
    assert.ok(files(dir).load(traceId, where, undefined), 'an intact one is used');
    // A model that changed while its file was written: the file is not kept.
    assert.equal(await files(dir).save(model.state(), where.journal, where.offsets, [], undefined, () => false), false);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary file left',
    );
  });

  it('keeps the files within a budget, least recently used out first', async () => {
    const dir = path.join(tmp.dir, 'views');
    const ids = [hexId(16), hexId(16), hexId(16)];
    let size = 0;
    for (const traceId of ids) {
      post(store, request(varied(traceId, 200)));
      const where = at(store, traceId);
      const model = new RunModel(traceId);
      for (const s of store.get(traceId)!.spans) model.addSpan(s.span, s.resource, s.scope, s.recOff ?? -1);
      model.publish();
      await files(dir, '1', 2.5 * (size || 1e9)).save(model.state(), where.journal, where.offsets, [], undefined, () => true);
      size ||= fs.statSync(files(dir).file(traceId)).size;
      await new Promise((r) => setTimeout(r, 20)); // distinct modification times
    }
    assert.deepEqual(
      ids.map((id) => fs.existsSync(files(dir).file(id))),
      [false, true, true],
      'the first one went',
    );
  });

  it('opens a saved run in a new session reading only the records it gained since, with the same rows as the journal gives', async function () {
    this.timeout(60_000);
    const traceId = hexId(16);
    const spans = varied(traceId, ROW_FILE_MIN_STEPS + 500);
    for (let i = 0; i < spans.length; i += 1000) post(store, request(spans.slice(i, i + 1000)));
    const rowFiles = { dir: path.join(tmp.dir, 'views'), version: '1.2.3' };
    const first = new ViewSession({ rowFiles, settleMs: 10 });
    const where = at(store, traceId);
    await first.update(traceId, where, true);
    assert.equal(first.recordsRead, where.offsets.length);
    first.close(traceId);
    await first.saved();
    assert.ok(fs.existsSync(new RowFiles(rowFiles).file(traceId)), 'saved once its panel closed');

    const extra = span({ traceId, parentSpanId: spans[0]!.spanId, name: 'chat late', startMs: 1_700_000_100_000 });
    post(store, request([extra]));
    const second = new ViewSession({ rowFiles, settleMs: 10 });
    const reply = await second.update(traceId, at(store, traceId), true);
    assert.ok(!reply.stale);
    assert.equal(second.recordsRead, 1, 'only the record that came after the file');
    const whole = buildTraceView(store.get(traceId)!);
    assert.deepEqual(reply.header, whole.header);
    assert.deepEqual(second.rows(traceId, 0, 200), whole.rows.slice(0, 200));
    assert.deepEqual(second.rows(traceId, whole.rows.length - 50, 50), whole.rows.slice(-50));
    assert.equal(second.detail(traceId, extra.spanId)!.name, 'chat late');
    assert.equal(second.detail(traceId, spans[10]!.spanId)!.name, 'chat gpt-4o #0', 'details of saved rows are read from their records');

    // Saved again once it settled with the new record; a third session reads nothing.
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      await second.saved();
      const third = new ViewSession({ rowFiles });
      await third.update(traceId, at(store, traceId), true);
      if (third.recordsRead === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const third = new ViewSession({ rowFiles });
    const again = await third.update(traceId, at(store, traceId), true);
    assert.ok(!again.stale);
    assert.deepEqual(again.header, whole.header);
    assert.equal(third.recordsRead, 0);
    second.dispose();
    third.dispose();

    // Small runs are read from the journal in no time: not saved.
    const small = hexId(16);
    post(store, request(varied(small, 50)));
    const s = new ViewSession({ rowFiles, settleMs: 10 });
    await s.update(small, at(store, small), true);
    s.close(small);
    await s.saved();
    assert.equal(fs.existsSync(new RowFiles(rowFiles).file(small)), false);
  });

  it('in the view worker thread: a closed run’s rows are written before the thread ends, and the next thread opens it from them', async function () {
    this.timeout(60_000);
    const traceId = hexId(16);
    const spans = varied(traceId, ROW_FILE_MIN_STEPS);
    for (let i = 0; i < spans.length; i += 1000) post(store, request(spans.slice(i, i + 1000)));
    store.flush();
    const rowFiles = { dir: path.join(tmp.dir, 'views'), version: '1.2.3' };
    const views = new ViewWorker(undefined, 20, { rowFiles });
    try {
      const first = await views.update(traceId, at(store, traceId), true);
      assert.ok(!first.stale);
      await views.close(traceId);
      const end = Date.now() + 20_000;
      while (views.running && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      assert.equal(views.running, false, 'the thread ended');
      assert.ok(fs.existsSync(new RowFiles(rowFiles).file(traceId)), 'after writing the rows');
      const again = await views.update(traceId, at(store, traceId), true);
      assert.ok(!again.stale);
      assert.deepEqual(again.header, first.header);
      assert.deepEqual(await views.rows(traceId, 0, 500), buildTraceView(store.get(traceId)!).rows.slice(0, 500));
    } finally {
      await views.terminate();
    }
  });
});
