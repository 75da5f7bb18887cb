// An agent that exports over OTLP/gRPC, as Python's auto-instrumentation and Phoenix do by default:
// the official gRPC exporter, gzip, to OTEL_EXPORTER_OTLP_ENDPOINT (http://localhost:<grpc port>).
// One run: an llm step and a tool step under an agent step.
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { SimpleSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

async function main() {
  const exporter = new OTLPTraceExporter({ compression: CompressionAlgorithm.GZIP });
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('grpc-agent');
  const root = tracer.startSpan('invoke_agent grpc-agent', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'grpc-agent' } }, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  tracer.startSpan('chat mock-model', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'mock-model', 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 3 } }, ctx).end();
  tracer.startSpan('execute_tool lookup', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' } }, ctx).end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  console.log(JSON.stringify({ traceId: root.spanContext().traceId }));
}

void main();
