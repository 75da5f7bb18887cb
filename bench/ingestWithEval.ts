/**
 * Ingest throughput with evaluators on, the way the extension runs them: CodeInsights feeds the
 * store's change events to the real LiveEvaluator (src/core/eval/live), which evaluates every
 * changed trace in its worker thread against a rolling baseline, debounced 500 ms and held back
 * (up to 5 s) while the receiver's thread is busy. Compared with the same ingest without
 * evaluators, from request bodies of the real proto exporter; a third variant never holds back
 * (`maxDelayMs: 0`), i.e. evaluates concurrently with the whole burst, to show that cost too.
 *   node --expose-gc --import tsx bench/ingestWithEval.ts [spans] [rounds]
 * Also reports how long after the last span was stored the evaluation caught up, and how many
 * traces and steps were evaluated. The worker runs from a bundle built here with the extension's
 * esbuild settings, as in the packaged extension (not through tsx, whose transpiling would be
 * measured too). Each round runs the variants in a rotated order.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { TraceStore } from '../src/core/store/store';
import { LiveEvaluator } from '../src/core/eval/live/liveEvaluator';
import { benchHttpReplay, captureExporterBodies, storeSink, type BenchSink } from './httpReplay';

type Variant = 'without' | 'with' | 'concurrent';

/** Bundles the evaluation worker as esbuild.mjs does for dist/evalWorker.js. */
async function bundleWorker(dir: string): Promise<string> {
  const outfile = path.join(dir, 'evalWorker.js');
  await esbuild.build({
    entryPoints: [path.join(__dirname, '../src/core/eval/live/worker.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  return outfile;
}

async function sink(variant: Variant, workerFile: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-evalload-'));
  const store = await TraceStore.open(path.join(dir, 'traces.db'), { retention: { maxTraces: 1e9, maxBytes: 1e12 } });
  const evaluatedTraces = new Set<string>();
  const live =
    variant === 'without'
      ? null
      : new LiveEvaluator({
          source: () => store,
          workerFile,
          onBatch: (b) => b.results.forEach((r) => evaluatedTraces.add(r.traceId)),
          onError: (m) => console.error(m),
          ...(variant === 'concurrent' ? { maxDelayMs: 0 } : {}),
        });
  if (live) store.onDidChange((ids) => live.changed(ids));
  return {
    sink: storeSink(store) as BenchSink,
    /** Waits until every change is evaluated: ms waited after the last span was stored, the evaluator's totals, traces seen. */
    catchUp: async () => {
      const t0 = performance.now();
      await live?.idle();
      return {
        lagMs: Math.round(performance.now() - t0),
        ...(live?.stats ?? { batches: 0, traces: 0, steps: 0 }),
        distinctTraces: evaluatedTraces.size,
        storedTraces: store.list().length,
      };
    },
    done: async () => {
      await live?.dispose();
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

type CatchUp = Awaited<ReturnType<Awaited<ReturnType<typeof sink>>['catchUp']>>;

/** Spans/s of each variant (`rounds` of each, in rotated order), their medians and ratios, and what the evaluators did. */
export async function benchIngestWithEval(spans = 100_000, rounds = 1) {
  const bodies = await captureExporterBodies(spans);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-evalworker-'));
  const workerFile = await bundleWorker(tmp);
  const runs: Record<Variant, number[]> = { without: [], with: [], concurrent: [] };
  const evaluation: Record<Variant, CatchUp[]> = { without: [], with: [], concurrent: [] };
  const order: Variant[] = ['without', 'with', 'concurrent'];
  for (let i = 0; i < rounds; i++) {
    for (const v of [...order.slice(i % 3), ...order.slice(0, i % 3)]) {
      global.gc?.();
      const s = await sink(v, workerFile);
      runs[v].push(Math.round((await benchHttpReplay(bodies, s.sink, 4)).spansPerSec));
      if (v !== 'without') evaluation[v].push(await s.catchUp());
      await s.done();
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const m = { without: median(runs.without), with: median(runs.with), concurrent: median(runs.concurrent) };
  return { median: m, ratio: m.with / m.without, concurrentRatio: m.concurrent / m.without, runs, evaluation };
}

if (require.main === module)
  void benchIngestWithEval(Number(process.argv[2] ?? 100_000), Number(process.argv[3] ?? 1)).then((r) => console.log(JSON.stringify(r)));
