import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Receiver } from './server';
import { TraceStore } from '../store/store';
import { otlpTypes } from '../otlp/schema';
import { hexId, request, span } from '../../../test/support/otlp';
import { send } from '../../../test/support/http';
import { tmpDir } from '../../../test/support/tmp';

const JSON_CT = { 'Content-Type': 'application/json' };

describe('Receiver', () => {
  let t: ReturnType<typeof tmpDir>;
  let store: TraceStore;
  let receiver: Receiver;
  let url: string;

  beforeEach(async () => {
    t = tmpDir();
    store = await TraceStore.open(path.join(t.dir, 'traces.db'));
    receiver = new Receiver(store, { port: 0, maxBodyBytes: 64 * 1024, maxDecompressedBytes: 256 * 1024 });
    await receiver.listen();
    url = receiver.url;
  });
  afterEach(async () => {
    await receiver.close();
    store.close();
    t.cleanup();
  });

  const valid = () => {
    const traceId = hexId(16);
    return { traceId, body: JSON.stringify(request([span({ traceId, name: 'ok span' })])) };
  };

  it('stores a JSON export and answers an empty ExportTraceServiceResponse', async () => {
    const { traceId, body } = valid();
    const res = await send(`${url}/v1/traces`, { headers: JSON_CT, body });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(res.body.toString()), {});
    assert.equal(store.list()[0].traceId, traceId);
  });

  it('listens on ::1 as well as 127.0.0.1, with the same port (clients that resolve localhost to ::1 first)', async () => {
    const port = new URL(url).port;
    const { traceId, body } = valid();
    let res;
    try {
      res = await send(`http://[::1]:${port}/v1/traces`, { headers: { ...JSON_CT, Host: `localhost:${port}` }, body });
    } catch (e) {
      if (/EADDRNOTAVAIL|ENETUNREACH|EAFNOSUPPORT/.test(String(e))) return; // no IPv6 loopback on this machine
      throw e;
    }
    assert.equal(res.status, 200);
    assert.ok(store.get(traceId));
  });

  it('accepts gzip and deflate bodies', async () => {
    for (const [enc, fn] of [
      ['gzip', zlib.gzipSync],
      ['deflate', zlib.deflateSync],
    ] as const) {
      const { traceId, body } = valid();
      const res = await send(`${url}/v1/traces`, { headers: { ...JSON_CT, 'Content-Encoding': enc }, body: fn(body) });
      assert.equal(res.status, 200, enc);
      assert.ok(store.get(traceId), `${enc} body stored`);
    }
  });

  it('answers malformed JSON with 400 and a reason, then keeps serving', async () => {
    const bad = await send(`${url}/v1/traces`, { headers: JSON_CT, body: '{"resourceSpans": [' });
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body.toString()).message, /not valid JSON/);
    const wrongShape = await send(`${url}/v1/traces`, { headers: JSON_CT, body: '{"resourceSpans": 7}' });
    assert.equal(wrongShape.status, 400);
    assert.match(JSON.parse(wrongShape.body.toString()).message, /resourceSpans must be an array/);
    const ok = await send(`${url}/v1/traces`, { headers: JSON_CT, body: valid().body });
    assert.equal(ok.status, 200);
  });

  it('answers malformed protobuf with a protobuf google.rpc.Status', async () => {
    const res = await send(`${url}/v1/traces`, {
      headers: { 'Content-Type': 'application/x-protobuf' },
      body: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]),
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers['content-type'], 'application/x-protobuf');
    const status = otlpTypes().rpcStatus.decode(res.body) as unknown as { code: number; message: string };
    assert.equal(status.code, 3);
    assert.match(status.message, /not a valid protobuf/);
  });

  it('rejects a span with a bad id alone, as a partial success', async () => {
    const traceId = hexId(16);
    const body = JSON.stringify(request([span({ traceId }), { ...span({ traceId }), spanId: 'abc' }]));
    const res = await send(`${url}/v1/traces`, { headers: JSON_CT, body });
    assert.equal(res.status, 200);
    const answer = JSON.parse(res.body.toString());
    assert.equal(answer.partialSuccess.rejectedSpans, '1');
    assert.match(answer.partialSuccess.errorMessage, /spanId must be 8 bytes/);
    assert.equal(store.list()[0].spanCount, 1);
  });

  it('refuses wrong methods, paths, content types and encodings with the status the Collector uses', async () => {
    const get = await send(`${url}/v1/traces`, { method: 'GET' });
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    assert.equal((await send(`${url}/v1/nope`, { headers: JSON_CT, body: '{}' })).status, 404);
    const form = await send(`${url}/v1/traces`, { headers: { 'Content-Type': 'text/plain' }, body: 'x' });
    assert.equal(form.status, 415);
    assert.match(JSON.parse(form.body.toString()).message, /supported: application\/json, application\/x-protobuf/);
    assert.equal((await send(`${url}/v1/traces`, { headers: { ...JSON_CT, 'Content-Encoding': 'zstd' }, body: '{}' })).status, 415);
    assert.equal((await send(`${url}/v1/traces`, { headers: { ...JSON_CT, 'Content-Encoding': 'gzip' }, body: 'not gzip' })).status, 400);
  });

  it('refuses oversized bodies and gzip bombs with 413', async () => {
    const big = await send(`${url}/v1/traces`, { headers: JSON_CT, body: Buffer.alloc(100 * 1024, 0x20) });
    assert.equal(big.status, 413);
    const bomb = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20)); // ~50 KB that inflates to 50 MB
    assert.ok(bomb.length < 64 * 1024);
    const res = await send(`${url}/v1/traces`, { headers: { ...JSON_CT, 'Content-Encoding': 'gzip' }, body: bomb });
    assert.equal(res.status, 413);
    assert.match(JSON.parse(res.body.toString()).message, /decompressed body exceeds/);
    assert.equal((await send(`${url}/v1/traces`, { headers: JSON_CT, body: valid().body })).status, 200);
  });

  it('refuses foreign Host headers (DNS rebinding) and browser requests', async () => {
    const { body } = valid();
    const rebinding = await send(`${url}/v1/traces`, { headers: { ...JSON_CT, Host: 'evil.example:4318' }, body });
    assert.equal(rebinding.status, 403);
    const origin = await send(`${url}/v1/traces`, { headers: { ...JSON_CT, Origin: 'https://evil.example' }, body });
    assert.equal(origin.status, 403);
    const form = await send(`${url}/v1/traces`, { headers: { 'Content-Type': 'text/plain', 'Sec-Fetch-Site': 'cross-site' }, body });
    assert.equal(form.status, 403);
    const preflight = await send(`${url}/v1/traces`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    assert.equal(store.list().length, 0);
    const localhost = await send(`${url}/v1/traces`, { headers: { ...JSON_CT, Host: `localhost:${new URL(url).port}` }, body });
    assert.equal(localhost.status, 200);
  });

  it('answers 503 with Retry-After while the store is full, and loses nothing', async () => {
    await receiver.close();
    receiver = new Receiver({ ingestTraces: (b, e) => store.ingestTraces(b, e), ingestLogs: (b, e) => store.ingestLogs(b, e), full: true }, { port: 0 });
    await receiver.listen();
    const res = await send(`${receiver.url}/v1/traces`, { headers: JSON_CT, body: valid().body });
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(store.list().length, 0);
  });

  it('tells another Tracefork process who it is on GET /tracefork/info, and nothing to a browser', async () => {
    await receiver.close();
    receiver = new Receiver(store, { port: 0, info: () => ({ db: '/x/traces.db' }) });
    await receiver.listen();
    const res = await send(`${receiver.url}/tracefork/info`, { method: 'GET' });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body.toString()), { service: 'tracefork', pid: process.pid, proxy: false, db: '/x/traces.db' });
    const browser = await send(`${receiver.url}/tracefork/info`, { method: 'GET', headers: { Origin: 'https://evil.example' } });
    assert.equal(browser.status, 403);
  });

  it('accepts /v1/metrics so exporters do not error, and stores logs with their trace', async () => {
    const m = await send(`${url}/v1/metrics`, { headers: JSON_CT, body: '{"resourceMetrics":[]}' });
    assert.equal(m.status, 200);
    const { traceId, body } = valid();
    await send(`${url}/v1/traces`, { headers: JSON_CT, body });
    const spanId = store.get(traceId)!.spans[0].span.spanId;
    const logs = {
      resourceLogs: [
        {
          resource: {},
          scopeLogs: [
            {
              scope: {},
              logRecords: [
                {
                  timeUnixNano: '1',
                  eventName: 'gen_ai.evaluation.result',
                  traceId,
                  spanId,
                  attributes: [{ key: 'gen_ai.evaluation.name', value: { stringValue: 'relevance' } }],
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await send(`${url}/v1/logs`, { headers: JSON_CT, body: JSON.stringify(logs) });
    assert.equal(res.status, 200);
    const trace = store.get(traceId)!;
    assert.equal(trace.logs.length, 1);
    assert.equal(trace.logs[0].eventName, 'gen_ai.evaluation.result');
  });
});
