// Hostile and malformed input against the real receiver and store: mutated real captures
// (protobuf and JSON), truncated bodies, wrong content types and encodings, gzip bombs, deep
// nesting, huge values, invalid UTF-8, ids of the wrong length, timestamps out of range. Every
// request must get 200 (stored, possibly partially) or a 4xx with a reason — never a 5xx or a
// hang — and valid exports keep working throughout. Seeded, so a failure reproduces.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Receiver } from '../../src/core/receiver/server';
import { TraceStore } from '../../src/core/store/store';
import { toProtobuf } from '../../bench/decode';
import { hexId, request, span } from '../support/otlp';
import { send } from '../support/http';
import { tmpDir } from '../support/tmp';

const FIXTURES = path.resolve(__dirname, '../fixtures');

/** A small seeded PRNG (mulberry32). */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Case = { body: Buffer; type: string; encoding?: string; what: string };

function structural(doc: unknown, r: () => number): Case[] {
  const json = JSON.stringify(doc);
  const withSpan = (patch: Record<string, unknown>) => {
    const d = JSON.parse(json);
    Object.assign(d.resourceSpans[0].scopeSpans[0].spans[0], patch);
    return Buffer.from(JSON.stringify(d));
  };
  const deep = (n: number) =>
    `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${hexId(16)}","spanId":"${hexId(8)}","attributes":[{"key":"k","value":${'{"arrayValue":{"values":['.repeat(n)}${']}}'.repeat(n)}}]}]}]}]}`;
  const cases: Array<[string, Buffer]> = [
    ['traceId too short', withSpan({ traceId: 'abcd' })],
    ['spanId not hex', withSpan({ spanId: 'zzzzzzzzzzzzzzzz' })],
    ['all-zero trace id', withSpan({ traceId: '0'.repeat(32) })],
    ['timestamp not a number', withSpan({ startTimeUnixNano: 'yesterday' })],
    ['timestamp beyond uint64', withSpan({ endTimeUnixNano: '1'.repeat(30) })],
    ['negative timestamp', withSpan({ startTimeUnixNano: '-5' })],
    ['kind out of range', withSpan({ kind: 99 })],
    ['status code as object', withSpan({ status: { code: { a: 1 } } })],
    ['attributes not an array', withSpan({ attributes: 'x' })],
    ['attribute without key', withSpan({ attributes: [{ value: { stringValue: 'x' } }] })],
    ['intValue not an integer', withSpan({ attributes: [{ key: 'a', value: { intValue: '1.5e3' } }] })],
    ['huge attribute value', withSpan({ attributes: [{ key: 'big', value: { stringValue: 'x'.repeat(3_000_000) } }] })],
    ['attributes nested 40 deep', Buffer.from(deep(40))],
    ['JSON nested 100k deep', Buffer.from('['.repeat(100_000))],
    ['invalid UTF-8', Buffer.concat([Buffer.from(json.slice(0, 200)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(json.slice(200))])],
    ['spans is an object', Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":{"a":1}}]}]}')],
    ['top level is an array', Buffer.from('[1,2,3]')],
    ['empty body', Buffer.alloc(0)],
    ['random bytes', Buffer.from(Array.from({ length: 512 }, () => Math.floor(r() * 256)))],
  ];
  return cases.map(([what, body]) => ({ what, body, type: 'application/json' }));
}

function mutated(base: Buffer, type: string, r: () => number, n: number): Case[] {
  const out: Case[] = [];
  for (let i = 0; i < n; i++) {
    const b = Buffer.from(base);
    const mode = i % 4;
    if (mode === 0) for (let k = 0; k < 1 + Math.floor(r() * 8); k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
    const body =
      mode === 1
        ? b.subarray(0, Math.floor(r() * b.length))
        : mode === 2
          ? Buffer.concat([
              b.subarray(0, Math.floor(r() * b.length)),
              Buffer.from([Math.floor(r() * 256), Math.floor(r() * 256)]),
              b.subarray(Math.floor(r() * b.length)),
            ])
          : b;
    out.push(
      mode === 3
        ? { what: `gzip of a mutated ${type}`, body: zlib.gzipSync(body).subarray(0, 10 + Math.floor(r() * 200)), type, encoding: 'gzip' }
        : { what: `mutated ${type} (${['flips', 'truncated', 'spliced'][mode]})`, body, type },
    );
  }
  return out;
}

describe('receiver under hostile input', function () {
  this.timeout(120_000);
  const t = tmpDir();
  let store: TraceStore;
  let receiver: Receiver;
  before(async () => {
    store = await TraceStore.open(path.join(t.dir, 'traces.db'));
    receiver = new Receiver(store, { port: 0, maxBodyBytes: 8 * 1024 * 1024, maxDecompressedBytes: 16 * 1024 * 1024 });
    await receiver.listen();
  });
  after(async () => {
    await receiver.close();
    store.close();
    t.cleanup();
  });

  it('answers every input with 200 or a 4xx and a reason, and keeps serving valid exporters', async () => {
    const r = rng(20261124);
    const cases: Case[] = [];
    for (const f of ['vercel-ai-sdk.otlp.json', 'openai-traceloop.otlp.json']) {
      const doc = JSON.parse(fs.readFileSync(path.join(FIXTURES, f), 'utf8'));
      cases.push(...structural(doc, r));
      cases.push(...mutated(Buffer.from(JSON.stringify(doc)), 'application/json', r, 500));
      cases.push(...mutated(toProtobuf(doc), 'application/x-protobuf', r, 500));
    }
    cases.push(
      { what: 'gzip bomb', body: zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024)), type: 'application/json', encoding: 'gzip' },
      { what: 'deflate of garbage', body: Buffer.from('garbage'), type: 'application/x-protobuf', encoding: 'deflate' },
      { what: 'unknown encoding', body: Buffer.from('{}'), type: 'application/json', encoding: 'br' },
      { what: 'form post', body: Buffer.from('a=1'), type: 'application/x-www-form-urlencoded' },
      { what: 'text/plain', body: Buffer.from('{}'), type: 'text/plain' },
    );
    const statuses = new Map<number, number>();
    let validChecks = 0;
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      const res = await send(`${receiver.url}/v1/traces`, {
        headers: { 'Content-Type': c.type, ...(c.encoding ? { 'Content-Encoding': c.encoding } : {}) },
        body: c.body,
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `${c.what} (#${i}) got ${res.status}: ${res.body.toString().slice(0, 200)}`);
      if (res.status !== 200)
        assert.ok(
          (res.body.length > 0 && /message|"code"/.test(res.body.toString())) || res.headers['content-type'] === 'application/x-protobuf',
          `${c.what}: a reason`,
        );
      if (i % 40 === 0) {
        const traceId = hexId(16);
        const ok = await send(`${receiver.url}/v1/traces`, {
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(request([span({ traceId })])),
        });
        assert.equal(ok.status, 200, `a valid export after input #${i}`);
        assert.ok(store.get(traceId), 'and it is stored');
        validChecks++;
      }
    }
    // Whatever was accepted reads back: every stored trace decodes and builds.
    for (const tr of store.list()) assert.ok(store.get(tr.traceId), `trace ${tr.traceId} reads back`);
    console.log(
      `      fuzz: ${cases.length} inputs tried, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${validChecks} valid exports interleaved, all served`,
    );
  });
});
