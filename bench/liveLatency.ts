/**
 * Export → visible for a live run: a real OTLP proto exporter (SimpleSpanProcessor, one span per
 * export, as a live agent's steps arrive) sends to the receiver; measured from span end to the
 * store's change event, which is what the Runs view and an open trace panel listen to. The views
 * then add their own fixed debounces (Runs view 150 ms, trace panel 200 ms), reported beside it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { Receiver } from '../src/core/receiver/server';
import { TraceStore } from '../src/core/store/store';

/** Median and p95 of export→indexed latency over `n` live steps. */
export async function benchLiveLatency(n = 100): Promise<{ medianMs: number; p95Ms: number; n: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-live-'));
  const store = await TraceStore.open(path.join(dir, 'traces.db'));
  const receiver = new Receiver(store, { port: 0 });
  await receiver.listen();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }))] });
  const tracer = provider.getTracer('live');
  const root = tracer.startSpan('live run', {}, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    const changed = new Promise<number>((resolve) => {
      const off = store.onDidChange(() => (off(), resolve(performance.now())));
    });
    const span = tracer.startSpan(`step ${i}`, { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.input.messages': 'x'.repeat(2000) } }, ctx);
    const t0 = performance.now();
    span.end();
    latencies.push((await changed) - t0);
  }
  root.end();
  await provider.shutdown();
  await receiver.close();
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  return { n, medianMs: latencies[Math.floor(n / 2)], p95Ms: latencies[Math.ceil(0.95 * n) - 1] };
}

if (require.main === module) void benchLiveLatency().then((r) => console.log(r));
