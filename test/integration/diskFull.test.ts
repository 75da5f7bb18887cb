// A full disk is reported, not swallowed: the receiver answers 503 with the reason (the exporter
// keeps its spans and retries), what was acknowledged before stays readable, and the store
// reopens cleanly. Uses a real 1 MiB tmpfs (this machine's tests run as root).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Receiver } from '../../src/core/receiver/server';
import { TraceStore } from '../../src/core/store/store';
import { hexId, request, span } from '../support/otlp';
import { send } from '../support/http';
import { tmpDir } from '../support/tmp';

describe('disk full', function () {
  this.timeout(60_000);
  const t = tmpDir();
  const mnt = path.join(t.dir, 'small');

  before(() => {
    fs.mkdirSync(mnt);
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { encoding: 'utf8' });
    assert.equal(r.status, 0, `mounting a 1 MiB tmpfs for the test failed (the test needs root): ${r.stderr}`);
  });
  after(() => {
    const r = spawnSync('umount', ['--lazy', mnt], { encoding: 'utf8' });
    if (r.status === 0) t.cleanup();
    else console.error(`could not unmount ${mnt}: ${r.stderr}`);
  });

  it('answers 503 with the reason, keeps what it acknowledged, and reopens cleanly', async () => {
    const db = path.join(mnt, 'traces.db');
    const storeWarnings: string[] = [];
    const store = await TraceStore.open(db, { snapshotIntervalMs: 3_600_000, onWarning: (m) => storeWarnings.push(m) });
    const refused: string[] = [];
    const receiver = new Receiver(store, { port: 0, onRejected: (_s, r) => refused.push(r) });
    await receiver.listen();
    const acked: string[] = [];
    let full: { status: number; body: string; retryAfter?: string } | undefined;
    for (let i = 0; i < 40 && !full; i++) {
      const traceId = hexId(16);
      const spans = Array.from({ length: 20 }, () => span({ traceId, attrs: { prompt: 'p'.repeat(2000) } }));
      const res = await send(`${receiver.url}/v1/traces`, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request(spans)) });
      if (res.status === 200) acked.push(traceId);
      else full = { status: res.status, body: res.body.toString(), retryAfter: res.headers['retry-after'] as string | undefined };
    }
    assert.ok(full, 'the disk filled up');
    assert.equal(full.status, 503);
    assert.equal(full.retryAfter, '5');
    assert.match(JSON.parse(full.body).message, /cannot write: the disk is full \(ENOSPC\)/);
    assert.match(refused.join('\n'), /disk is full/);
    assert.ok(acked.length > 0);
    assert.deepEqual(
      store
        .list()
        .map((x) => x.traceId)
        .sort(),
      [...acked].sort(),
    );
    await receiver.close();
    store.close(); // the snapshot does not fit: said so, and the journal alone is enough
    assert.match(storeWarnings.join('\n'), /index snapshot could not be written \(ENOSPC\)/);
    const warnings: string[] = [];
    const reopened = await TraceStore.open(db, { readOnly: true, onWarning: (m) => warnings.push(m) });
    try {
      assert.deepEqual(
        reopened
          .list()
          .map((x) => x.traceId)
          .sort(),
        [...acked].sort(),
      );
      assert.deepEqual(warnings, [], 'no damaged journal or snapshot');
    } finally {
      reopened.close();
    }
  });
});
