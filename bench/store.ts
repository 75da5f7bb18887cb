/** Decode + store throughput without HTTP: protobuf bodies of 512 spans (~2 KB prompts) validated, journaled and indexed; memory per 100k spans. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TraceStore } from '../src/core/store/store';
import { chatRequest } from './payload';
import { toProtobuf } from './decode';

/** Ingests `total` spans in batches of 512; returns spans/s (journal + index) and memory growth. */
export async function benchStore(
  total = 100_000,
): Promise<{ spansPerSec: number; rssMbPer100k: number; heapMbPer100k: number; snapshotMs: number; reopenMs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-bench-'));
  const db = path.join(dir, 'traces.db');
  const batches = [];
  for (let i = 0; i < total / 512; i++) batches.push(toProtobuf(chatRequest(512)));
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed + process.memoryUsage().external;
  const store = await TraceStore.open(db, { snapshotIntervalMs: 3_600_000, retention: { maxTraces: 1e9, maxBytes: 1e12 } });
  const t0 = process.hrtime.bigint();
  let n = 0;
  for (const body of batches) n += store.ingestTraces(body, 'protobuf').accepted;
  store.stats(); // index everything
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  global.gc?.();
  const mem = process.memoryUsage();
  const t1 = Date.now();
  store.flush();
  const snapshotMs = Date.now() - t1;
  store.close();
  const t2 = Date.now();
  const again = await TraceStore.open(db, { readOnly: true });
  again.list();
  const reopenMs = Date.now() - t2;
  again.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const per100k = 100_000 / n;
  return {
    spansPerSec: n / secs,
    rssMbPer100k: ((mem.rss - rss0) / 1e6) * per100k,
    heapMbPer100k: ((mem.heapUsed + mem.external - heap0) / 1e6) * per100k,
    snapshotMs,
    reopenMs,
  };
}

if (require.main === module) {
  void benchStore().then((r) => console.log(r));
}
