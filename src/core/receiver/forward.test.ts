// Forwarding against a real upstream: a plain HTTP server in this process stands for the team's
// backend (a second receiver and a real backend are exercised in test/integration/forward.test.ts).
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Forwarder, parseHeaderSpecs, type ForwardEvent } from './forward';

interface Got {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** An upstream whose answer the test sets: a status, or 'hang' (never answers). */
async function upstream(port = 0): Promise<{ url: string; port: number; got: Got[]; answer: number | 'hang'; seen: number; close(): Promise<void> }> {
  const state = { got: [] as Got[], answer: 200 as number | 'hang', seen: 0 };
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      state.seen++;
      if (state.answer === 'hang') return;
      if (state.answer === 200) state.got.push({ path: req.url ?? '', headers: req.headers, body: gunzipSync(Buffer.concat(parts)) });
      res.writeHead(state.answer, state.answer === 503 ? { 'retry-after': '0' } : {});
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const p = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${p}`,
    port: p,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  });
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('forwarding to an upstream OTLP/HTTP endpoint', function () {
  this.timeout(30_000);

  it('sends every request on (in order with one in flight), gzip-compressed, to the path of its signal, with the headers', async () => {
    const up = await upstream();
    const f = new Forwarder({ url: up.url, headers: parseHeaderSpecs(['Authorization=Bearer team-key']), concurrency: 1 });
    f.enqueue('traces', Buffer.from('t1'), 'protobuf');
    f.enqueue('logs', Buffer.from('{"resourceLogs":[]}'), 'json');
    f.enqueue('metrics', Buffer.from('m1'), 'protobuf');
    assert.ok(await f.drain());
    assert.deepEqual(
      up.got.map((g) => [g.path, g.body.toString(), g.headers['content-type'], g.headers['content-encoding'], g.headers.authorization]),
      [
        ['/v1/traces', 't1', 'application/x-protobuf', 'gzip', 'Bearer team-key'],
        ['/v1/logs', '{"resourceLogs":[]}', 'application/json', 'gzip', 'Bearer team-key'],
        ['/v1/metrics', 'm1', 'application/x-protobuf', 'gzip', 'Bearer team-key'],
      ],
    );
    assert.equal(f.stats.sent, 3);
    await f.close();
    await up.close();
  });

  it('an upstream that is down during a burst gets everything once it is back, in order; the queue never blocks', async () => {
    const up = await upstream();
    const port = up.port;
    await up.close(); // down
    const events: ForwardEvent[] = [];
    const f = new Forwarder({ url: `http://127.0.0.1:${port}`, backoffMs: 20, maxBackoffMs: 100, concurrency: 1, onEvent: (e) => events.push(e) });
    for (let i = 0; i < 200; i++) f.enqueue('traces', Buffer.from(`span-${i}`), 'protobuf');
    assert.equal(f.stats.pending, 200, 'all 200 queued at once');
    await until(() => events.some((e) => e.kind === 'failing'), 'the failure is reported');
    assert.match(f.stats.lastError!, /unreachable \(ECONNREFUSED\)/);
    const back = await upstream(port);
    await until(() => back.got.length === 200, 'all 200 delivered after the upstream came back');
    assert.deepEqual(
      back.got.map((g) => g.body.toString()),
      Array.from({ length: 200 }, (_, i) => `span-${i}`),
    );
    assert.equal(f.stats.dropped, 0);
    assert.ok(events.some((e) => e.kind === 'recovered'));
    await f.close();
    await back.close();
  });

  it('beyond its bound, the oldest requests are dropped and reported with why', async () => {
    const up = await upstream();
    up.answer = 'hang';
    const events: ForwardEvent[] = [];
    const f = new Forwarder({ url: up.url, maxQueueBytes: 1000, timeoutMs: 200, backoffMs: 20, concurrency: 1, onEvent: (e) => events.push(e) });
    f.enqueue('traces', Buffer.alloc(100, 0), 'protobuf');
    await until(() => up.seen === 1, 'the first request is in flight, unanswered');
    for (let i = 1; i < 30; i++) f.enqueue('traces', Buffer.alloc(100, i), 'protobuf');
    assert.ok(f.stats.pendingBytes <= 1000);
    assert.equal(f.stats.dropped, 20);
    const drops = events.filter((e): e is Extract<ForwardEvent, { kind: 'dropped' }> => e.kind === 'dropped');
    assert.equal(
      drops.reduce((n, e) => n + e.count, 0),
      20,
    );
    assert.match(drops[0]!.reason, /queue is full/);
    up.answer = 200;
    await until(() => f.stats.pending === 0, 'the queue drained');
    // The one in flight when the queue overflowed is not dropped: it is retried after its timeout.
    assert.deepEqual(
      up.got.map((g) => g.body[0]),
      [0, 21, 22, 23, 24, 25, 26, 27, 28, 29],
    );
    await f.close();
    await up.close();
  });

  it('a permanent refusal drops that request with the status and what to check; 503 is retried', async () => {
    const up = await upstream();
    up.answer = 401;
    const events: ForwardEvent[] = [];
    const f = new Forwarder({ url: up.url, backoffMs: 10, onEvent: (e) => events.push(e) });
    f.enqueue('traces', Buffer.from('a'), 'protobuf');
    await until(() => f.stats.dropped === 1, 'the 401 is a drop');
    const drop = events.find((e) => e.kind === 'dropped') as Extract<ForwardEvent, { kind: 'dropped' }>;
    assert.match(drop.reason, /answered 401.*check the forward headers/);
    up.answer = 503;
    f.enqueue('traces', Buffer.from('b'), 'protobuf');
    await until(() => f.stats.retries >= 2, 'the 503 is retried');
    up.answer = 200;
    await until(() => up.got.length === 1, 'delivered after the 503s');
    assert.equal(up.got[0]!.body.toString(), 'b');
    await f.close();
    await up.close();
  });

  it('says what is wrong with a bad URL or header', () => {
    assert.throws(() => new Forwarder({ url: 'not a url' }), TypeError);
    assert.throws(() => new Forwarder({ url: 'ftp://backend/' }), /must be http\(s\)/);
    assert.throws(() => parseHeaderSpecs(['no-equals']), /NAME=VALUE/);
    assert.equal(new Forwarder({ url: 'http://c:4318/v1/traces' }).endpoint('logs'), 'http://c:4318/v1/logs');
  });
});
