/**
 * The Tracefork SDK for Node agents. `register()` is the whole set-up: OpenTelemetry export to the
 * running Tracefork (OTEL_EXPORTER_OTLP_ENDPOINT, else http://127.0.0.1:4318), a global tracer
 * provider and context manager (so the Vercel AI SDK and the OpenAI instrumentations find them),
 * and the call site of every step recorded as `code.*` attributes. Under a replay plan
 * (TRACEFORK_REPLAY_PLAN) every span also names the run it was forked from.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { CallSiteProcessor } from './callSite';
import { ReplayLinkProcessor } from './replay/link';
import { runtime } from './replay/runtime';
import { FrameworkSpans, RunGroup } from './replay/framework';

export { CallSiteProcessor, callSite } from './callSite';
export { traceforkMiddleware, traceforkTools } from './adapters/aiSdk';
export { traceforkFetch } from './adapters/openai';
export { traceforkMcp } from './adapters/mcp';
export { FrameworkSpans, RunGroup, describesModelCall, describesTool } from './replay/framework';
export { step, tool } from './adapters/generic';
export { ATTR, PLAN_ENV, type ReplayPlan, type PlannedStep, type ToolPolicy } from './contract';
export { runtime, resetRuntime } from './replay/runtime';
export { Replayer, readPlan } from './replay/replayer';
export { inputHash, encode, decode } from './contract';

/** Options of register(); all optional. */
export interface RegisterOptions {
  /** OTLP/HTTP base URL; default OTEL_EXPORTER_OTLP_ENDPOINT, else http://127.0.0.1:4318. */
  endpoint?: string;
  /** service.name of the agent; default OTEL_SERVICE_NAME, else the script's name. */
  serviceName?: string;
  /**
   * How calls made outside any span (no step(), no framework tracing) are grouped into runs:
   * `'idle'` (default) — one run from the first such call until none has been in flight for
   * `runIdleMs`; `'process'` — one run for the whole process (what `@tracefork/sdk/auto` uses);
   * `'none'` — every such call is a run of its own.
   */
  run?: 'idle' | 'process' | 'none';
  /** For `run: 'idle'`: how long without a call in flight ends the run; default 2000 ms. */
  runIdleMs?: number;
}

/** What register() set up. */
export interface Registration {
  provider: NodeTracerProvider;
  /** Flushes every pending span and stops exporting (call before the process exits). */
  shutdown(): Promise<void>;
}

let registered: Registration | undefined;

/** Sets up export to Tracefork with call sites; idempotent per process (later calls return the first set-up). */
export function register(opts: RegisterOptions = {}): Registration {
  registered ??= setUp(opts);
  return registered;
}

function setUp(opts: RegisterOptions): Registration {
  const endpoint = (opts.endpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318').replace(/\/+$/, '');
  const serviceName =
    opts.serviceName ??
    process.env.OTEL_SERVICE_NAME ??
    (process.argv[1]
      ? process.argv[1]
          .split(/[\\/]/)
          .pop()!
          .replace(/\.[cm]?[jt]s$/, '')
      : 'agent');
  // LangChain runs its callbacks — the tracers that start its spans, OpenInference's among them —
  // in the background by default, so a tool's or model's span may start after the call it
  // describes is under way, and the call could not be recorded on it. Unless the agent chose,
  // LangChain is asked to await its callbacks (its setting for serverless), so each span exists
  // before its call runs.
  process.env.LANGCHAIN_CALLBACKS_BACKGROUND ??= 'false';
  const framework = new FrameworkSpans();
  const mode = opts.run ?? 'idle';
  const group = mode === 'none' ? null : new RunGroup(serviceName, mode === 'process' ? Infinity : (opts.runIdleMs ?? 2000));
  const rt = runtime();
  rt.framework = framework;
  rt.group = group;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'telemetry.sdk.name.tracefork': 'tracefork-sdk' }),
    spanProcessors: [
      new CallSiteProcessor(),
      framework,
      new ReplayLinkProcessor(() => runtime().replayer),
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }), { scheduledDelayMillis: 200 }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return {
    provider,
    async shutdown() {
      runtime().group?.close();
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}
