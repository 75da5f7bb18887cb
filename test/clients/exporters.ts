// Official OpenTelemetry JS exporters (OTLP/HTTP protobuf or JSON, optional gzip) sending a small,
// fully-featured trace, plus an OTLP logs variant with a span-correlated gen_ai.evaluation.result event.
//   tsx exporters.ts [proto|json|grpc] [gzip|none] [extraSpans]     -> prints the ids as JSON
//   tsx exporters.ts logs|grpc-logs [gzip|none]
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { BatchLogRecordProcessor, LoggerProvider, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  compressionAlgorithm,
  createTracing,
  endpointFromEnv,
  isMain,
  Recorder,
  signalUrl,
  testResource,
  type Compression,
  type ExportedSpan,
  type Protocol,
} from './otel.js';

export interface SendOptions {
  endpoint: string;
  protocol: Protocol;
  compression?: Compression;
  /** Extra sibling child spans under the root, for volume tests (default 0). */
  extraSpans?: number;
  processor?: 'batch' | 'simple';
  serviceName?: string;
}

export interface SentTrace {
  traceId: string;
  rootSpanId: string;
  llmSpanId: string;
  toolSpanId: string; // the span with ERROR status
  extraSpanIds: string[];
  linkedTraceId: string; // a separate trace the root span links to
  linkedSpanId: string;
  spanCount: number; // spans created, all traces
  exported: ExportedSpan[]; // what the exporter reported as successfully sent
  exportErrors: string[];
}

export async function sendWithOfficialExporter(opts: SendOptions): Promise<SentTrace> {
  const tracing = createTracing({
    endpoint: opts.endpoint,
    protocol: opts.protocol,
    compression: opts.compression,
    processor: opts.processor,
    serviceName: opts.serviceName ?? 'tracefork-exporter-client',
  });
  const tracer = tracing.provider.getTracer('tracefork-test-client', '1.0.0');

  // A span in another trace, which the agent's root span links to.
  const upstream = tracer.startSpan('upstream.enqueue', { kind: SpanKind.PRODUCER }, ROOT_CONTEXT);
  upstream.end();

  const root = tracer.startSpan(
    'invoke_agent weather-agent',
    {
      kind: SpanKind.SERVER,
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'weather-agent' },
      links: [{ context: upstream.spanContext(), attributes: { 'link.reason': 'triggered-by' } }],
    },
    ROOT_CONTEXT,
  );
  const rootCtx = trace.setSpan(ROOT_CONTEXT, root);

  const llm = tracer.startSpan(
    'chat mock-model',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': 'chat', // string
        'gen_ai.request.model': 'mock-model',
        'gen_ai.usage.input_tokens': 42, // int
        'gen_ai.usage.output_tokens': 7,
        'gen_ai.request.temperature': 0.25, // double (note: 1.0 would be sent as an int)
        'gen_ai.request.stream': false, // bool
        'gen_ai.response.finish_reasons': ['tool_calls', 'stop'], // string array
        'test.int_array': [1, 2, 3],
        'test.bool_array': [true, false],
      },
    },
    rootCtx,
  );
  llm.addEvent('gen_ai.content.prompt', {
    'gen_ai.prompt': 'What is the weather in Paris?',
    'gen_ai.message.index': 0,
    'test.score': 0.5,
  });
  llm.end();

  const tool = tracer.startSpan(
    'execute_tool get_weather',
    { kind: SpanKind.INTERNAL, attributes: { 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.id': 'call_1' } },
    rootCtx,
  );
  tool.recordException(new Error('weather service unavailable'));
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'weather service unavailable' });
  tool.end();

  const extraSpanIds: string[] = [];
  for (let i = 0; i < (opts.extraSpans ?? 0); i++) {
    const span = tracer.startSpan(`extra ${i}`, { attributes: { 'test.index': i } }, rootCtx);
    extraSpanIds.push(span.spanContext().spanId);
    span.end();
  }
  root.end();

  const { spans, errors } = await tracing.shutdown();
  return {
    traceId: root.spanContext().traceId,
    rootSpanId: root.spanContext().spanId,
    llmSpanId: llm.spanContext().spanId,
    toolSpanId: tool.spanContext().spanId,
    extraSpanIds,
    linkedTraceId: upstream.spanContext().traceId,
    linkedSpanId: upstream.spanContext().spanId,
    spanCount: 4 + extraSpanIds.length,
    exported: spans,
    exportErrors: errors,
  };
}

export interface LogOptions {
  endpoint: string;
  /** 'grpc' sends traces and logs over OTLP/gRPC; anything else over OTLP/HTTP protobuf. */
  protocol?: Protocol;
  compression?: Compression;
  score?: number;
  serviceName?: string;
}

export interface SentLog {
  traceId: string;
  spanId: string;
  exportedLogs: number;
  exportedSpans: number;
  exportErrors: string[];
}

/** One span (proto traces) and one log record correlated with it (proto logs). */
export async function sendEvaluationLog(opts: LogOptions): Promise<SentLog> {
  const serviceName = opts.serviceName ?? 'tracefork-exporter-client';
  const grpc = opts.protocol === 'grpc';
  const tracing = createTracing({ endpoint: opts.endpoint, protocol: grpc ? 'grpc' : 'proto', compression: opts.compression, serviceName });
  const compression = compressionAlgorithm(opts.compression);
  const logRecorder = new Recorder<ReadableLogRecord>(
    grpc ? new GrpcLogExporter({ url: opts.endpoint, compression }) : new OTLPLogExporter({ url: signalUrl(opts.endpoint, 'logs'), compression }),
  );
  // sdk-logs 0.223: processors take an options object ({ exporter }), unlike BatchSpanProcessor(exporter).
  const loggerProvider = new LoggerProvider({
    resource: testResource(serviceName),
    processors: [new BatchLogRecordProcessor({ exporter: logRecorder })],
  });

  const span = tracing.provider.getTracer('tracefork-test-client').startSpan('chat mock-model', {}, ROOT_CONTEXT);
  loggerProvider.getLogger('tracefork-test-client', '1.0.0').emit({
    eventName: 'gen_ai.evaluation.result',
    context: trace.setSpan(ROOT_CONTEXT, span), // sets traceId/spanId/flags on the record
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: 'relevance evaluation',
    attributes: {
      'gen_ai.evaluation.name': 'relevance',
      'gen_ai.evaluation.score.value': opts.score ?? 0.87,
      'gen_ai.evaluation.score.label': 'relevant',
      'gen_ai.evaluation.explanation': 'The answer addresses the question.',
    },
  });
  span.end();

  try {
    await loggerProvider.forceFlush();
  } catch (err) {
    logRecorder.errors.push(`forceFlush: ${(err as Error).message}`);
  }
  await loggerProvider.shutdown();
  const traces = await tracing.shutdown();
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    exportedLogs: logRecorder.exported.length,
    exportedSpans: traces.spans.length,
    exportErrors: [...new Set([...logRecorder.errors, ...traces.errors])],
  };
}

if (isMain('exporters')) {
  const [mode = 'proto', compression = 'none', extra = '0'] = process.argv.slice(2);
  const endpoint = endpointFromEnv();
  const gz = compression === 'gzip' ? 'gzip' : 'none';
  const run =
    mode === 'logs' || mode === 'grpc-logs'
      ? sendEvaluationLog({ endpoint, compression: gz, protocol: mode === 'grpc-logs' ? 'grpc' : 'proto' })
      : sendWithOfficialExporter({ endpoint, protocol: mode === 'json' || mode === 'grpc' ? mode : 'proto', compression: gz, extraSpans: Number(extra) });
  run.then(
    (result) => {
      console.log(JSON.stringify(result));
      if (result.exportErrors.length > 0) process.exitCode = 1;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
