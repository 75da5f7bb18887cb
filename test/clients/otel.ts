// Shared OpenTelemetry set-up for the test clients (OTel JS SDK 2.x line: api 1.9, sdk 2.12, exporters 0.223).
// Nothing here is registered as the *global* tracer provider, so each call gets its own provider and the
// functions can be called many times in one test process. Only a global context manager is installed
// (once), because the AI SDK and the OpenAI instrumentations nest spans through context.active().
import path from 'node:path';
import { context, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';

/** OTLP/HTTP protobuf, OTLP/HTTP JSON, or OTLP/gRPC (then the endpoint is the gRPC receiver's http://host:port). */
export type Protocol = 'proto' | 'json' | 'grpc';
export type Compression = 'gzip' | 'none';

/** The endpoint from OTEL_EXPORTER_OTLP_ENDPOINT, e.g. http://127.0.0.1:4318 */
export function endpointFromEnv(): string {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) throw new Error('OTEL_EXPORTER_OTLP_ENDPOINT is not set');
  return endpoint;
}

/** Base endpoint + /v1/{signal}, as the spec says for OTEL_EXPORTER_OTLP_ENDPOINT. */
export function signalUrl(endpoint: string, signal: 'traces' | 'logs'): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/${signal}`;
}

export function compressionAlgorithm(compression: Compression | undefined): CompressionAlgorithm {
  return compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
}

export function testResource(serviceName: string, extra: Attributes = {}): Resource {
  return resourceFromAttributes({ 'service.name': serviceName, 'service.version': '0.0.0-test', ...extra });
}

let contextManagerReady = false;
/** Installs an AsyncLocalStorage context manager once per process (a no-op if one is already there). */
export function ensureContextManager(): void {
  if (contextManagerReady) return;
  const manager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(manager)) manager.disable(); // someone else registered one first
  contextManagerReady = true;
}

interface Exporter<T> {
  export(items: T[], done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** Wraps a real exporter and records what it exported successfully and which exports failed. */
export class Recorder<T> implements Exporter<T> {
  readonly exported: T[] = [];
  readonly errors: string[] = [];
  constructor(private readonly inner: Exporter<T>) {}
  export(items: T[], done: (result: ExportResult) => void): void {
    this.inner.export(items, (result) => {
      if (result.code === ExportResultCode.SUCCESS) this.exported.push(...items);
      else this.errors.push(result.error?.message ?? 'export failed');
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

export interface ExportedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  statusCode: number;
}

export interface TracingOptions {
  endpoint: string;
  serviceName: string;
  protocol?: Protocol;
  compression?: Compression;
  processor?: 'batch' | 'simple';
}

export interface Tracing {
  provider: NodeTracerProvider;
  recorder: Recorder<ReadableSpan>;
  /** Flushes, shuts the provider down and reports what the exporter sent. */
  shutdown(): Promise<{ spans: ExportedSpan[]; errors: string[] }>;
}

export function createTracing(opts: TracingOptions): Tracing {
  const config = {
    url: signalUrl(opts.endpoint, 'traces'),
    compression: compressionAlgorithm(opts.compression),
  };
  const exporter =
    opts.protocol === 'grpc'
      ? new GrpcTraceExporter({ url: opts.endpoint, compression: config.compression })
      : opts.protocol === 'json'
        ? new JsonTraceExporter(config)
        : new ProtoTraceExporter(config);
  const recorder = new Recorder<ReadableSpan>(exporter);
  const processor = opts.processor === 'simple' ? new SimpleSpanProcessor(recorder) : new BatchSpanProcessor(recorder);
  const provider = new NodeTracerProvider({
    resource: testResource(opts.serviceName),
    spanProcessors: [processor],
  });
  return {
    provider,
    recorder,
    async shutdown() {
      try {
        await provider.forceFlush();
      } catch (err) {
        recorder.errors.push(`forceFlush: ${(err as Error).message}`);
      }
      await provider.shutdown();
      return { spans: recorder.exported.map(describeSpan), errors: [...new Set(recorder.errors)] };
    },
  };
}

export function describeSpan(span: ReadableSpan): ExportedSpan {
  const ctx = span.spanContext();
  return {
    name: span.name,
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    statusCode: span.status.code,
  };
}

/** True when this file is the script tsx/node was started with (works in CJS and ESM). */
export function isMain(basename: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && path.basename(entry).replace(/\.[cm]?[jt]s$/, '') === basename;
}
