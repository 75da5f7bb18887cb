/**
 * What forwarding (`serve --forward`) costs local ingest, in one run, on the same bodies as
 * bench:grpc (captured from the real OTLP protobuf exporter): OTLP/HTTP into a fresh store with no
 * forwarding (the baseline), forwarding to a live upstream (a null OTLP receiver in its own process
 * that reads and acknowledges), and forwarding to an upstream that is down (connection refused: the
 * queue fills and drops). Local spans/s until all is stored, and for the live upstream the time
 * until it has every request. Three alternating rounds.
 *   npm run bench:forward [spans]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Forwarder, ForwardingSink } from '../src/core/receiver/forward';
import { benchHttpReplay, captureExporterBodies, traceforkSink, type BenchSink } from './httpReplay';
import { nullReceiver } from './nullReceiver';

function forwarding(sink: BenchSink, forwarder: Forwarder): BenchSink {
  const f = new ForwardingSink(sink, forwarder);
  return {
    ingestTraces: (b, e) => f.ingestTraces(b, e),
    ingestLogs: (b, e) => f.ingestLogs(b, e),
    get full() {
      return f.full;
    },
    settle: () => sink.settle(),
    stored: () => sink.stored(),
    close: () => sink.close(),
  };
}

async function main() {
  const spans = Number(process.argv[2] ?? 51_200);
  const bodies = await captureExporterBodies(spans);
  const up = await nullReceiver();
  const results: Record<string, number[]> = {};
  for (let round = 1; round <= 3; round++) {
    for (const mode of ['no forwarding (baseline)', 'forwarding to a live upstream', 'forwarding to a down upstream'] as const) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-fwd-'));
      const store = await traceforkSink(dir);
      const before = await up.count();
      const forwarder =
        mode === 'no forwarding (baseline)'
          ? null
          : new Forwarder({ url: mode === 'forwarding to a live upstream' ? up.url : 'http://127.0.0.1:9', maxQueueBytes: 64 * 1024 ** 2, backoffMs: 100 });
      const sink = forwarder ? forwarding(store, forwarder) : store;
      const t0 = process.hrtime.bigint();
      const r = await benchHttpReplay(bodies, sink, 4);
      let extra = '';
      if (mode === 'forwarding to a live upstream') {
        await forwarder!.drain(120_000);
        const secs = Number(process.hrtime.bigint() - t0) / 1e9;
        extra = `; the upstream had ${(await up.count()) - before} of ${forwarder!.stats.queued} requests after ${secs.toFixed(2)} s (${forwarder!.stats.dropped} dropped: the queue's bound)`;
      } else if (forwarder) extra = `; ${forwarder.stats.dropped} of ${forwarder.stats.queued} requests dropped upstream (queue bound 64 MiB)`;
      await forwarder?.close(0);
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
      (results[mode] ??= []).push(r.spansPerSec);
      console.log(`${mode.padEnd(32)} round ${round}: ${Math.round(r.spansPerSec).toLocaleString('en-US')} spans/s locally, ${r.stored} stored${extra}`);
    }
  }
  up.stop();
  const best = (m: string) => Math.max(...results[m]!);
  const base = best('no forwarding (baseline)');
  for (const m of Object.keys(results))
    console.log(`best of 3: ${m}: ${Math.round(best(m)).toLocaleString('en-US')} spans/s (${(best(m) / base).toFixed(2)}× the baseline)`);
}

void main();
