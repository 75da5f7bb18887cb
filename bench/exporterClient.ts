/**
 * A benchmark client: the official OTLP protobuf exporter (BatchSpanProcessor, batches of 512)
 * sending N chat spans with ~2 KB prompts to OTEL_EXPORTER_OTLP_ENDPOINT. Prints one JSON line:
 * spans created, spans the exporter reported sent, and export errors.
 */
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-node';

const total = Number(process.argv[2] ?? 20_000);
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
  let root = tracer.startSpan('invoke_agent bench', {}, ROOT_CONTEXT);
  for (let i = 0; i < total; i++) {
    if (i > 0 && i % 50 === 0) {
      root.end();
      root = tracer.startSpan('invoke_agent bench', {}, ROOT_CONTEXT); // a new run of 50 steps
    }
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    const s = tracer.startSpan(
      'chat gpt-4o-mini',
      {
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
    s.end();
    // Keep at most ~16 batches queued: forceFlush sends the whole queue at once, and more than
    // the exporter's 30 concurrent exports fail with "Concurrent export limit reached".
    if (i % 512 === 0) while (i - sent > 8192) await new Promise((r) => setTimeout(r, 2));
  }
  root.end();
  const created = total + Math.ceil(total / 50);
  await provider.forceFlush();
  await provider.shutdown();
  process.stdout.write(JSON.stringify({ created, sent, errors: [...errors] }) + '\n');
}

void main();
