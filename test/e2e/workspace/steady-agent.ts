// A long-running agent for the end-to-end tests: one run whose steps arrive steadily for
// DURATION_MS (default 8000), exported with the official OTLP proto exporter. Prints one JSON
// line: the trace id, steps created, and steps the exporter had acknowledged (HTTP 200).
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor, NodeTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-node';

async function main() {
  const inner = new OTLPTraceExporter(); // OTEL_EXPORTER_OTLP_ENDPOINT
  let acked = 0;
  const errors = new Set<string>();
  const exporter: SpanExporter = {
    export(spans: ReadableSpan[], done: (r: ExportResult) => void) {
      inner.export(spans, (r) => {
        if (r.code === ExportResultCode.SUCCESS) acked += spans.length;
        else errors.add(r.error?.message ?? 'export failed');
        done(r);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 100 })] });
  const tracer = provider.getTracer('steady-agent');
  const root = tracer.startSpan('steady run', {}, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  const end = Date.now() + Number(process.env.DURATION_MS ?? 8000);
  let created = 1;
  while (Date.now() < end) {
    tracer.startSpan('chat step', { attributes: { 'gen_ai.operation.name': 'chat' } }, ctx).end();
    created++;
    await new Promise((r) => setTimeout(r, 20));
  }
  root.end();
  await provider.forceFlush().catch(() => undefined);
  await provider.shutdown().catch(() => undefined);
  process.stdout.write(JSON.stringify({ traceId: root.spanContext().traceId, created, acked, errors: [...errors] }) + '\n');
}

void main();
