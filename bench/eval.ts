/**
 * Evaluator overhead per 10,000 steps, against the cost of ingesting the same spans.
 *   node --expose-gc --import tsx bench/eval.ts
 * Workloads: (a) the ingest benchmark's chat spans (~2 KB prompts, 50 per trace); (b) agent runs
 * cloned from the shared Vercel AI SDK fixture (model calls, tool calls, tool results).
 * Timings are printed, never asserted.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { chatRequest } from './payload';
import { toProtobuf } from './decode';
import { TraceStore } from '../src/core/store/store';
import { buildSteps } from '../src/core/model/steps';
import type { Step } from '../src/core/model/step';
import type { TracesData } from '../src/core/otlp/types';
import { tracesFromOtlpJson } from '../src/core/eval/otlpFile';
import { Baseline } from '../src/core/eval/baseline';
import { runEvaluators } from '../src/core/eval/engine';
import { CustomEvaluators } from '../src/core/eval/custom/customEvaluators';

const N = 10_000;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** `runs` copies of the Vercel fixture's trace with fresh ids, as one request. */
function agentRequest(runs: number): TracesData {
  const file = path.resolve(__dirname, '../test/fixtures/vercel-ai-sdk.otlp.json');
  const base = fs.readFileSync(file, 'utf8');
  const ids = [...new Set(base.match(/"(?:traceId|spanId|parentSpanId)"\s*:\s*"([0-9a-f]+)"/g)?.map((m) => m.split('"')[3]) ?? [])];
  const docs = Array.from({ length: runs }, () => {
    let text = base;
    for (const id of ids) text = text.split(id).join(randomBytes(id.length / 2).toString('hex'));
    return JSON.parse(text) as TracesData;
  });
  return { resourceSpans: docs.flatMap((d) => d.resourceSpans ?? []) };
}

/** Median wall time (ms) of `fn` over `rounds`, after one warm-up round. */
function median(rounds: number, fn: () => void): number {
  fn();
  const times = Array.from({ length: rounds }, () => {
    global.gc?.();
    const t0 = process.hrtime.bigint();
    fn();
    return ms(t0);
  }).sort((a, b) => a - b);
  return times[rounds >> 1];
}

async function ingestMs(doc: TracesData): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-bench-eval-'));
  const store = await TraceStore.open(path.join(dir, 'traces.db'), { snapshotIntervalMs: 3_600_000, retention: { maxTraces: 1e9, maxBytes: 1e12 } });
  const spans = doc.resourceSpans?.[0]?.scopeSpans?.[0]?.spans ?? [];
  const bodies: Buffer[] = [];
  for (let i = 0; i < spans.length; i += 512)
    bodies.push(
      toProtobuf({ resourceSpans: [{ ...doc.resourceSpans![0], scopeSpans: [{ ...doc.resourceSpans![0].scopeSpans![0], spans: spans.slice(i, i + 512) }] }] }),
    );
  const t0 = process.hrtime.bigint();
  for (const b of bodies) store.ingestTraces(b, 'protobuf');
  store.stats();
  const t = ms(t0);
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return t;
}

async function workload(label: string, doc: TracesData, ingest: boolean): Promise<void> {
  const traces = tracesFromOtlpJson(JSON.stringify(doc));
  let runs: Step[][] = [];
  const build = median(3, () => (runs = traces.map((t) => buildSteps(t))));
  const steps = runs.reduce((n, r) => n + r.length, 0);
  const evalMs = median(7, () => {
    const baseline = new Baseline();
    for (const r of runs) {
      runEvaluators(r, { baseline });
      baseline.observe(r);
    }
  });
  const per10k = (v: number) => (v * N) / steps;
  let line = `${label}: ${steps} steps in ${runs.length} runs — evaluators ${per10k(evalMs).toFixed(1)} ms per 10k steps (${((evalMs * 1000) / steps).toFixed(2)} µs/step); buildSteps ${per10k(build).toFixed(1)} ms per 10k`;
  if (ingest) {
    const ing = Math.min(await ingestMs(doc), await ingestMs(doc), await ingestMs(doc));
    line += `; ingest (protobuf decode + journal + index) ${per10k(ing).toFixed(1)} ms per 10k spans → evaluators = ${((evalMs / ing) * 100).toFixed(1)}% of ingest`;
  }
  console.log(line);
}

async function customOverhead(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-bench-custom-'));
  fs.writeFileSync(
    path.join(dir, 'len.js'),
    `module.exports = { name: 'len', evaluate: (s) => ({ value: JSON.stringify(s.output ?? null).length, passed: true }) };`,
  );
  const custom = new CustomEvaluators({ trusted: true });
  await custom.load(dir);
  const runs = tracesFromOtlpJson(JSON.stringify(chatRequest(2000))).map((t) => buildSteps(t));
  const t0 = process.hrtime.bigint();
  for (const r of runs) await custom.run(r);
  console.log(`custom evaluator (1 small module in the worker thread, one streamed reply per step): ${((ms(t0) * N) / 2000).toFixed(0)} ms per 10k steps`);
  await custom.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function main() {
  console.log(`Tracefork evaluator benchmark — ${os.cpus().length} cores, Node ${process.version}\n`);
  await workload('chat spans, ~2 KB prompts', chatRequest(N), true);
  await workload('Vercel AI SDK agent runs (fixture clones)', agentRequest(N / 4), false);
  await customOverhead();
}

void main();
