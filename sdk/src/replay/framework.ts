/**
 * Where a call the SDK records belongs when the agent's tracing did not make a span current.
 *
 * `FrameworkSpans` tracks the spans other instrumentations have started and not yet ended. Some
 * never make their spans current (OpenInference's LangChain tracer starts each run's span with its
 * parent's context and leaves the active context alone), so a model or tool call the SDK records
 * inside them would otherwise start a run of its own: with this, the SDK records the call on the
 * framework's span for it (one call, one step) or nests it under the framework's newest open span.
 *
 * `RunGroup` is the run span calls join when there is no tracing at all: `register()` opens it at
 * the first call made outside any span and, by default, closes it once no call has been in flight
 * for `idleMs` (a script's burst of calls is one run; a server's requests, one run each when they
 * do not overlap); `node --import @tracefork/sdk/auto` keeps one run for the whole process.
 */
import { trace, type Attributes, type Span as ApiSpan, type Tracer } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export const SDK_TRACER = 'tracefork-sdk';
const MAX_OPEN = 10_000; // spans an instrumentation never ends are forgotten, oldest first

/** The attributes a span has so far (empty for a span that does not expose them). */
export function attributesOf(span: ApiSpan): Attributes {
  return (span as unknown as { attributes?: Attributes }).attributes ?? {};
}

/** A span processor that tracks the open spans of other instrumentations, most recent last. */
export class FrameworkSpans implements SpanProcessor {
  private readonly open = new Map<string, Span>();

  onStart(span: Span): void {
    if (span.instrumentationScope?.name === SDK_TRACER) return;
    this.open.set(span.spanContext().spanId, span);
    if (this.open.size > MAX_OPEN) this.open.delete(this.open.keys().next().value!);
  }
  onEnd(span: ReadableSpan): void {
    this.open.delete(span.spanContext().spanId);
  }

  /** The newest open span that fits: in `traceId` first when the caller is in a trace, else in any. */
  find(fits: (span: ApiSpan) => boolean, traceId?: string): ApiSpan | undefined {
    const spans = [...this.open.values()].reverse();
    if (traceId) {
      const same = spans.find((s) => s.spanContext().traceId === traceId && fits(s));
      if (same) return same;
    }
    return spans.find(fits);
  }

  /** The newest open span, if any. */
  innermost(): ApiSpan | undefined {
    let last: Span | undefined;
    for (const s of this.open.values()) last = s;
    return last;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    this.open.clear();
    return Promise.resolve();
  }
}

/** The run span that calls made outside any span join (see the module comment). */
export class RunGroup {
  private span: ApiSpan | null = null;
  private inFlight = 0;
  private lastEnd = 0;
  private timer: NodeJS.Timeout | null = null;

  /** `idleMs`: close the run after this long with no call in flight (Infinity: at shutdown only); `tracer`: the global provider's by default. */
  constructor(
    private readonly name: string,
    readonly idleMs: number,
    private readonly tracer?: Tracer,
  ) {}

  /** The open run span (opened now if none), counting one more call in flight. */
  enter(): ApiSpan {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.span ??= (this.tracer ?? trace.getTracer(SDK_TRACER)).startSpan(this.name, {
      root: true,
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': this.name, 'tracefork.run.grouped': true },
    });
    this.inFlight++;
    return this.span;
  }

  /** One call fewer in flight; the run closes `idleMs` after the last one ends. */
  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.lastEnd = Date.now();
    if (this.inFlight > 0 || !Number.isFinite(this.idleMs)) return;
    this.timer = setTimeout(() => this.close(), this.idleMs);
    this.timer.unref();
  }

  /** Ends the open run (at the end of its last call). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.span) return;
    this.span.end(this.lastEnd || undefined);
    this.span = null;
  }
}

const MODEL_OPS = new Set(['chat', 'text_completion', 'generate_content', 'completion']);
const CONVENTION = /^(openinference|gen_ai|traceloop|llm|ai)\./;

/**
 * True when a span (a client library's own, or an instrumentation's LLM span) describes the model
 * call about to be sent: a GenAI chat/completion span or an OpenInference LLM span, for the same
 * model when it already names one.
 */
export function describesModelCall(span: ApiSpan, model: string): boolean {
  const a = attributesOf(span);
  let named: unknown;
  if (MODEL_OPS.has(String(a['gen_ai.operation.name']))) named = a['gen_ai.request.model'];
  else if (a['openinference.span.kind'] === 'LLM') named = a['llm.model_name'];
  else return false;
  return named === undefined || String(named) === model;
}

/** True when a span (an instrumentation's tool span, e.g. OpenInference's for a LangChain tool) describes a call of the tool `name`. */
export function describesTool(span: ApiSpan, name: string): boolean {
  const a = attributesOf(span);
  const spanName = (span as unknown as { name?: unknown }).name;
  if (a['openinference.span.kind'] === 'TOOL') return a['tool.name'] !== undefined ? a['tool.name'] === name : spanName === name;
  if (a['gen_ai.operation.name'] === 'execute_tool') return a['gen_ai.tool.name'] === name;
  // Tracers that set a tool span's attributes only when it ends: a span named after the tool with
  // no convention attributes yet is its span.
  return spanName === name && !Object.keys(a).some((k) => CONVENTION.test(k));
}
