/**
 * Ingest throughput with evaluators on, the way the extension runs them (CodeInsights): on every
 * store change, debounced 500 ms, the changed traces among the 200 most recent are read back,
 * built into steps and evaluated against a rolling baseline, in the same thread as the receiver.
 * Compared with the same ingest without evaluators, from request bodies of the real proto exporter.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TraceStore } from '../src/core/store/store';
import { buildSteps } from '../src/core/model/steps';
import { runEvaluators } from '../src/core/eval/engine';
import { Baseline } from '../src/core/eval/baseline';
import { benchHttpReplay, captureExporterBodies, storeSink, type BenchSink } from './httpReplay';

async function sink(withEvaluators: boolean): Promise<{ sink: BenchSink; evaluated: () => number; done: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-evalload-'));
  const store = await TraceStore.open(path.join(dir, 'traces.db'), { retention: { maxTraces: 1e9, maxBytes: 1e12 } });
  const dirty = new Set<string>();
  const baseline = new Baseline();
  let timer: NodeJS.Timeout | undefined;
  let evaluated = 0;
  const evaluate = () => {
    timer = undefined;
    const recent = new Set(store.list().slice(0, 200).map((t) => t.traceId));
    for (const id of dirty) {
      const trace = recent.has(id) ? store.get(id) : null;
      if (!trace) continue;
      const steps = buildSteps(trace);
      runEvaluators(steps, { baseline });
      baseline.observe(steps);
      evaluated += steps.length;
    }
    dirty.clear();
  };
  if (withEvaluators) store.onDidChange((ids) => (ids.forEach((id) => dirty.add(id)), (timer ??= setTimeout(evaluate, 500))));
  return {
    sink: storeSink(store),
    evaluated: () => evaluated,
    done: () => {
      if (timer) clearTimeout(timer);
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Spans/s without and with evaluators, and how many steps the evaluators saw meanwhile. */
export async function benchIngestWithEval(spans = 100_000) {
  const bodies = await captureExporterBodies(spans);
  const off = await sink(false);
  const without = await benchHttpReplay(bodies, off.sink, 4);
  off.done();
  const on = await sink(true);
  const withEval = await benchHttpReplay(bodies, on.sink, 4);
  const evaluatedSteps = on.evaluated();
  on.done();
  return { without: without.spansPerSec, with: withEval.spansPerSec, ratio: withEval.spansPerSec / without.spansPerSec, evaluatedSteps };
}

if (require.main === module) void benchIngestWithEval(Number(process.argv[2] ?? 100_000)).then((r) => console.log(r));
