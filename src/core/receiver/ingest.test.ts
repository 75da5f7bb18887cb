import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { IngestTurns, SMALL_BODY_BYTES, type IngestResult, type IngestSink } from './ingest';
import { Receiver } from './server';
import { hexId, request, span } from '../../../test/support/otlp';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('IngestTurns', () => {
  it('stores a small body at once and bulk bodies at their turn, in order', async () => {
    const turns = new IngestTurns(SMALL_BODY_BYTES, 0); // a turn of 0 ms: one bulk body a turn
    const done: string[] = [];
    const small = turns.run(SMALL_BODY_BYTES, () => done.push('small'));
    const waits = [1, 2, 3].map((n) => turns.run(SMALL_BODY_BYTES + 1, () => done.push(`bulk ${n}`)));
    assert.equal(turns.queued, 3);
    await small;
    assert.deepEqual(done, ['small']);
    await turn();
    assert.deepEqual(done, ['small', 'bulk 1']);
    await turn();
    assert.deepEqual(done, ['small', 'bulk 1', 'bulk 2']);
    await Promise.all(waits);
    assert.deepEqual(done, ['small', 'bulk 1', 'bulk 2', 'bulk 3']);
    assert.equal(turns.queued, 0);
  });

  it('stores bulk bodies back to back within a turn of its length, and passes on what one throws', async () => {
    const turns = new IngestTurns(SMALL_BODY_BYTES, 1_000);
    const done: number[] = [];
    const waits = [1, 2, 3].map((n) => turns.run(SMALL_BODY_BYTES + 1, () => done.push(n)));
    const failing = turns.run(SMALL_BODY_BYTES + 1, () => {
      throw new Error('the store cannot write');
    });
    await turn();
    assert.deepEqual(done, [1, 2, 3], 'all in the first turn');
    await assert.rejects(failing, /cannot write/);
    await Promise.all(waits);
  });
});

describe('Receiver under bulk load', () => {
  it('stores a small export before the bulk exports that were read before it', async () => {
    const order: string[] = [];
    const ok: IngestResult = { accepted: 1, rejected: 0, firstRejection: null };
    const sink: IngestSink = {
      full: false,
      ingestLogs: () => ok,
      ingestTraces: (body) => {
        const name = (JSON.parse(body.toString()) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }> }).resourceSpans[0]
          .scopeSpans[0].spans[0].name;
        order.push(name);
        const until = Date.now() + (name.startsWith('bulk') ? 40 : 0); // a slow store: the other requests arrive meanwhile
        while (Date.now() < until);
        return ok;
      },
    };
    const receiver = new Receiver(sink, { port: 0 });
    await receiver.listen();
    try {
      const filler = 'x'.repeat(SMALL_BODY_BYTES);
      const bulk = [0, 1, 2, 3, 4, 5].map((n) => JSON.stringify(request([span({ traceId: hexId(16), name: `bulk ${n}`, attrs: { filler } })])));
      const live = JSON.stringify(request([span({ traceId: hexId(16), name: 'live' })]));
      // The client is another process: this one is busy storing while the requests arrive.
      const client = `
        const post = (body) => fetch(process.argv[1] + '/v1/traces', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }).then((r) => r.status);
        const [bulk, live] = JSON.parse(require('fs').readFileSync(0, 'utf8'));
        const all = bulk.map(post);
        setTimeout(() => { all.push(post(live)); Promise.all(all).then((s) => console.log(JSON.stringify(s))); }, 25);`;
      const statuses = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', client, receiver.url], { stdio: ['pipe', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('error', reject);
        child.on('exit', () => resolve(out.trim()));
        child.stdin.end(JSON.stringify([bulk, live]));
      });
      assert.deepEqual(JSON.parse(statuses), [200, 200, 200, 200, 200, 200, 200]);
      assert.equal(order.length, 7);
      assert.ok(order.indexOf('live') <= 2, `the small export was stored third at the latest: ${order.join(', ')}`);
    } finally {
      await receiver.close();
    }
  });
});
