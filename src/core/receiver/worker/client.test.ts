/**
 * The receiver worker as the extension host uses it: the real OpenTelemetry exporters (OTLP/HTTP
 * protobuf and OTLP/gRPC) send to the receivers in the worker thread; this thread reads the store
 * through RemoteStore (index queries over the sync channel, bodies from the journal file).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sendWithOfficialExporter } from '../../../../test/clients/exporters';
import { tmpDir } from '../../../../test/support/tmp';
import { request, span, hexId } from '../../../../test/support/otlp';
import { DecodeError } from '../../otlp/decode';
import { StoreBusyError } from '../../store/lock';
import { TraceStore } from '../../store/store';
import { ReceiverWorker, RemoteStore } from './client';
import { SyncCaller } from './syncChannel';

async function until<T>(fn: () => T | null | undefined | false, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('receiver worker (receivers and store off the extension host thread)', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tmpDir>;
  let worker: ReceiverWorker;
  let store: RemoteStore;
  let db: string;
  let http: { port: number; url: string };
  let grpcPort: number;
  const changed: string[] = [];
  const exits: string[] = [];

  before(async () => {
    tmp = tmpDir('tracefork-worker-');
    db = path.join(tmp.dir, 'traces.db');
    worker = new ReceiverWorker((why) => exits.push(why));
    await worker.request({ op: 'open', db, retention: {} });
    store = new RemoteStore(db, worker);
    worker.onMessage((m) => m.type === 'changed' && store.changed(m.ids));
    store.onDidChange((ids) => changed.push(...ids));
    http = await worker.request({ op: 'listenHttp', host: '127.0.0.1', port: 0, info: { db, workspace: 'test' }, proxy: {} });
    grpcPort = await worker.request({ op: 'listenGrpc', host: '127.0.0.1', port: 0, info: { db } });
  });

  after(async () => {
    await worker.request({ op: 'stop' });
    await worker.terminate();
    tmp.cleanup();
  });

  for (const protocol of ['proto', 'grpc'] as const) {
    it(`stores what the real ${protocol} exporter sends; list, get and getSpan read it here`, async () => {
      const endpoint = protocol === 'grpc' ? `http://127.0.0.1:${grpcPort}` : http.url;
      const sent = await sendWithOfficialExporter({ endpoint, protocol, serviceName: `worker-${protocol}`, extraSpans: 20 });
      assert.deepEqual(sent.exportErrors, []);
      await until(() => changed.includes(sent.traceId), 'the change event of the sent trace');
      const row = store.list().find((t) => t.traceId === sent.traceId);
      assert.ok(row, 'the run is listed');
      assert.equal(row.spanCount, 23);
      const trace = store.get(sent.traceId)!;
      assert.equal(trace.spans.length, 23);
      const root = trace.spans.find((s) => s.span.spanId === sent.rootSpanId)!;
      assert.deepEqual(root.resource.attributes?.find((a) => a.key === 'service.name')?.value, { stringValue: `worker-${protocol}` });
      const tool = trace.spans.find((s) => s.span.spanId === sent.toolSpanId)!;
      const one = store.getSpan(sent.traceId, sent.toolSpanId, tool.recOff!)!;
      assert.deepEqual(
        one.spans.map((s) => s.span.spanId),
        [sent.toolSpanId],
      );
      assert.equal(one.spans[0]?.span.status?.code, 2);
      const cold = new RemoteStore(db, worker).getSpan(sent.traceId, sent.toolSpanId, tool.recOff!); // no `get` before: located through the worker
      assert.deepEqual(
        cold?.spans.map((s) => s.span.spanId),
        [sent.toolSpanId],
      );
      assert.ok(store.counts().failing >= 1);
      assert.ok(store.recent(50).includes(sent.traceId));
    });
  }

  it('imports a document through the sync channel, and a malformed one is a DecodeError here', () => {
    const traceId = hexId(16);
    const body = Buffer.from(JSON.stringify(request([span({ traceId, name: 'imported' })])));
    assert.deepEqual(store.ingestTraces(body, 'json'), { accepted: 1, rejected: 0, firstRejection: null });
    store.flush();
    assert.equal(store.get(traceId)?.spans[0].span.name, 'imported');
    assert.throws(() => store.ingestTraces(Buffer.from('{"resourceSpans": 7}'), 'json'), DecodeError);
    store.delete([traceId]);
    assert.equal(store.get(traceId), null);
  });

  it('holds the store: a second writer is refused with StoreBusyError naming this process', async () => {
    await assert.rejects(TraceStore.open(db), (e: unknown) => e instanceof StoreBusyError && e.pid === process.pid);
    const other = new ReceiverWorker(() => undefined);
    try {
      await assert.rejects(other.request({ op: 'open', db, retention: {} }), (e: unknown) => e instanceof StoreBusyError && e.pid === process.pid);
    } finally {
      await other.terminate();
    }
  });

  it('a taken port comes back as EADDRINUSE (the host then probes who holds it)', async () => {
    await assert.rejects(
      worker.request({ op: 'listenHttp', host: '127.0.0.1', port: http.port, info: {}, proxy: {} }),
      (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE',
    );
  });

  it('stop flushes the store: a reader opened afterwards finds every run', async () => {
    const ids = store.list().map((t) => t.traceId);
    await worker.request({ op: 'stop' });
    const reader = await TraceStore.open(db, { readOnly: true });
    try {
      assert.deepEqual(
        reader.list().map((t) => t.traceId),
        ids,
      );
    } finally {
      reader.close();
    }
    assert.ok(fs.existsSync(db), 'the index snapshot was written');
    await worker.request({ op: 'open', db, retention: {} }); // open again for `after`
    assert.deepEqual(
      store.list().map((t) => t.traceId),
      ids,
    );
    assert.deepEqual(exits, []);
  });
});

describe('sync channel', () => {
  it('a call to a thread that never answers times out with a clear error instead of hanging', () => {
    const caller = new SyncCaller({}, 200);
    try {
      assert.throws(() => caller.call('list'), /the receiver worker did not answer "list"/);
    } finally {
      caller.close();
    }
  });
});
