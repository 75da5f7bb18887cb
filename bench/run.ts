/**
 * `npm run bench`: every ingest figure of BENCHMARKS.md from one run on this machine.
 * Prints a table; timings are measured, never asserted.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchDecode } from './decode';
import { benchStore } from './store';
import { benchHttpReplay, captureExporterBodies, traceforkSink, type BenchSink } from './httpReplay';
import { benchEndToEnd } from './endToEnd';
import { NaiveSink } from './naiveSink';
import { benchLiveLatency } from './liveLatency';
import { benchWebview } from './webview';
import { benchLoad } from './load';
import { benchReplay } from './replay';
import { benchIngestWithEval } from './ingestWithEval';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function naive(): Promise<BenchSink> {
  const s = await NaiveSink.create();
  return {
    ingestTraces: (b, e) => s.ingestTraces(b, e),
    ingestLogs: (b, e) => s.ingestLogs(b, e),
    full: false,
    settle: () => s.commit(),
    stored: () => s.rows,
    close: () => s.close(),
  };
}

async function ours(): Promise<{ sink: BenchSink; cleanup: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-bench-'));
  const sink = await traceforkSink(dir);
  return { sink, cleanup: () => (sink.close(), fs.rmSync(dir, { recursive: true, force: true })) };
}

async function main() {
  const spans = Number(process.env.BENCH_SPANS ?? 100_000);
  console.log(`Tracefork ingest benchmark — ${os.cpus().length} cores, Node ${process.version}, ${fmt(spans)} spans with ~2 KB prompts\n`);

  const d = benchDecode();
  console.log(`decode only (100 spans/request):   protobuf ${fmt(d.protobuf)} spans/s   JSON ${fmt(d.json)} spans/s`);

  const s = await benchStore(spans);
  console.log(
    `decode + journal + index, no HTTP: ${fmt(s.spansPerSec)} spans/s; memory per 100k spans: heap+external ${s.heapMbPer100k.toFixed(1)} MB, RSS ${s.rssMbPer100k.toFixed(1)} MB; snapshot ${s.snapshotMs} ms; reopen ${s.reopenMs} ms`,
  );

  process.stdout.write('capturing request bodies from the real OTLP protobuf exporter… ');
  const bodies = await captureExporterBodies(spans);
  console.log(`${bodies.length} requests, ${(bodies.reduce((n, b) => n + b.length, 0) / 1e6).toFixed(0)} MB`);

  const o1 = await ours();
  const replayOurs = await benchHttpReplay(bodies, o1.sink, 4);
  o1.cleanup();
  const n1 = await naive();
  const replayNaive = await benchHttpReplay(bodies, n1, 4);
  n1.close();
  console.log(
    `HTTP replay of exporter bodies:    Tracefork ${fmt(replayOurs.spansPerSec)} spans/s (${replayOurs.stored}/${replayOurs.received} stored)   naive ${fmt(replayNaive.spansPerSec)} spans/s   ×${(replayOurs.spansPerSec / replayNaive.spansPerSec).toFixed(1)}`,
  );

  const o2 = await ours();
  const e2eOurs = await benchEndToEnd(o2.sink, 2, spans / 2);
  o2.cleanup();
  const n2 = await naive();
  const e2eNaive = await benchEndToEnd(n2, 2, spans / 2);
  n2.close();
  console.log(
    `real exporters (2 processes) e2e:  Tracefork ${fmt(e2eOurs.spansPerSec)} spans/s, lost ${e2eOurs.lost}, exporter errors ${e2eOurs.errors.length}   naive ${fmt(e2eNaive.spansPerSec)} spans/s, lost ${e2eNaive.lost}`,
  );

  const load = await benchLoad(8, spans / 8);
  console.log(
    `load: 8 exporter processes → one receiver: ${load.created} spans created, ${load.sent} sent, ${load.stored} stored (lost ${load.lost}), ${load.errors.length} exporter errors, ${load.refused} refused, ${fmt(load.spansPerSec)} spans/s`,
  );

  const live = await benchLiveLatency(100);
  console.log(
    `live run, export → indexed (real exporter, one span per export): median ${live.medianMs.toFixed(1)} ms, p95 ${live.p95Ms.toFixed(1)} ms; the Runs view and an open trace panel add their 150 / 200 ms debounce`,
  );

  const ev = await benchIngestWithEval(spans, 3);
  const evLag = ev.evaluation.with.map((e) => e.lagMs).sort((a, b) => a - b)[1];
  console.log(
    `ingest with evaluators on (the extension's LiveEvaluator; HTTP replay, median of 3 rounds): ${fmt(ev.median.without)} spans/s without, ${fmt(ev.median.with)} with (${(ev.ratio * 100).toFixed(0)}%), ${fmt(ev.median.concurrent)} when evaluating alongside the whole burst (${(ev.concurrentRatio * 100).toFixed(0)}%); ${ev.evaluation.with[0].distinctTraces} of ${ev.evaluation.with[0].storedTraces} runs evaluated, caught up ${fmt(evLag)} ms after the last span`,
  );

  const w = await benchWebview(100_000);
  console.log(
    `trace webview, 100,000 rows in headless Chromium: first rows painted ${w.firstRowsMs.toFixed(0)} ms after navigation; 50 jumps top→bottom mean ${w.jumps.meanMs.toFixed(1)} ms (max ${w.jumps.maxMs.toFixed(0)}); scrolling frame interval mean ${w.fling.meanMs.toFixed(1)} ms (max ${w.fling.maxMs.toFixed(0)}); at most ${w.jumps.maxRowsInDom} rows in the DOM`,
  );

  // Last: it installs its own global tracer provider in this process.
  const r = await benchReplay();
  console.log(
    `fork & replay, ${r.steps}-step Vercel AI SDK run (live ${r.liveRunMs.toFixed(0)} ms): recording adds ${r.recordingOverheadMs.toFixed(1)} ms; plan ${r.planMs.toFixed(1)} ms; full replay from the recording ${r.fullReplayMs.toFixed(0)} ms; fork at the last call: ${r.forkAtLastOverheadMs.toFixed(0)} ms beyond the live call`,
  );

  console.log(
    '\nJSON:',
    JSON.stringify({ decode: d, store: s, replayOurs, replayNaive, e2eOurs, e2eNaive, load, live, ingestWithEval: ev, webview: w, replay: r }),
  );
}

void main();
