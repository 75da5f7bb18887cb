/**
 * A benchmark client: the official OTLP protobuf exporter (BatchSpanProcessor, batches of 512)
 * sending N chat spans with ~2 KB prompts to OTEL_EXPORTER_OTLP_ENDPOINT. Prints one JSON line:
 * spans created, spans the exporter reported sent, and export errors. Runs of 50 steps, or of
 * TRACEFORK_BENCH_PER_TRACE steps (one big trace: `bench:peers` opens it in each UI).
 */
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-node';

const total = Number(process.argv[2] ?? 20_000);
const PER_TRACE = Number(process.env.TRACEFORK_BENCH_PER_TRACE || 50);
const PROMPT = 'You are a careful travel agent. '.repeat(64).slice(0, 2000);

async function main() {
  const inner = new OTLPTraceExporter({ url: `${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces` });
  let sent = 0;
  const errors = new Set<string>();
  const exporter: SpanExporter = {
    export(spans: ReadableSpan[], done: (r: ExportResult) => void) {
      inner.export(spans, (r) => {
        if (r.code === ExportResultCode.SUCCESS) sent += spans.length;
        else errors.add(r.error?.message ?? 'export failed');
        done(r);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-agent' }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, maxQueueSize: total + 1, scheduledDelayMillis: 50 })],
  });
  const tracer = provider.getTracer('bench');
  const big = PER_TRACE > 50;
  const t0 = Date.now();
  let root = tracer.startSpan('invoke_agent bench', big ? { startTime: t0 } : {}, ROOT_CONTEXT);
  for (let i = 0; i < total; i++) {
    if (i > 0 && i % PER_TRACE === 0) {
      root.end();
      root = tracer.startSpan('invoke_agent bench', {}, ROOT_CONTEXT); // a new run of PER_TRACE steps
    }
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    // One big trace: each step can be found by name in a UI, and starts 1 ms after the one before (each UI lists them in that order).
    const at = big ? t0 + 1 + (i % PER_TRACE) : undefined;
    const s = tracer.startSpan(
      big ? `chat gpt-4o-mini #${i}` : 'chat gpt-4o-mini',
      {
        ...(at === undefined ? {} : { startTime: at }),
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': 512,
          'gen_ai.usage.output_tokens': 64,
          'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `${i} ${PROMPT}` }] }]),
        },
      },
      ctx,
    );
    s.end(at === undefined ? undefined : at + 1);
    // Keep at most ~16 batches queued: forceFlush sends the whole queue at once, and more than
    // the exporter's 30 concurrent exports fail with "Concurrent export limit reached".
    if (i % 512 === 0) while (i - sent > 8192) await new Promise((r) => setTimeout(r, 2));
  }
  root.end(big ? t0 + PER_TRACE + 2 : undefined);
  const created = total + Math.ceil(total / PER_TRACE);
  await provider.forceFlush();
  await provider.shutdown();
  process.stdout.write(JSON.stringify({ created, sent, errors: [...errors] }) + '\n');
}

void main();
