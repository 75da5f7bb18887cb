/**
 * Records where each step came from: at span start, the first stack frame in the user's code
 * (not node_modules, not Node internals, not this SDK) becomes `code.file.path`,
 * `code.line.number` and `code.function.name` — so every step, including the model calls a
 * framework makes deep inside its own code, links to the line of the agent that caused it.
 */
import { trace, type Context, type Span as ApiSpan } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { usefulFrame, type Frame } from './contract';

const SDK_DIR = __dirname;

/** The user's frame of the current stack, or null. */
export function callSite(): { file: string; line: number | null; function: string | null } | null {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64; // frameworks nest deeply; the user's frame is often past the default 10
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const lines = stack
    .split('\n')
    .slice(1)
    .filter((l) => !l.includes(SDK_DIR) && !l.includes('/sdk/src/') && !l.includes('/dist/sdk'));
  return usefulFrame(lines.join('\n'));
}

const inherited = new WeakSet<object>();

/** True when a span's `code.*` came from an enclosing span (no frame of the agent's own code was on its stack). */
export function inheritedLocation(span: ApiSpan): boolean {
  return inherited.has(span);
}

/** `code.*` attributes of a location. */
export function locationAttributes(site: Frame): Record<string, string | number> {
  return {
    'code.file.path': site.file,
    ...(site.line !== null ? { 'code.line.number': site.line } : {}),
    ...(site.function ? { 'code.function.name': site.function } : {}),
  };
}

const MAX_OPEN = 10_000;

/**
 * A span processor that adds the call site to every span that does not carry one. A span started
 * where no frame of the agent's code is on the stack (a model call deep inside a framework, after
 * an async hop the stack does not show) takes the location of its closest enclosing span that has
 * one: the agent line that led to it, never nothing when the agent's code is on the way.
 */
export class CallSiteProcessor implements SpanProcessor {
  private readonly open = new Map<string, Frame>();

  onStart(span: Span, ctx: Context): void {
    const a = span.attributes;
    const file = a['code.file.path'] ?? a['code.filepath'];
    if (file !== undefined) {
      const line = a['code.line.number'] ?? a['code.lineno'];
      this.remember(span, { file: String(file), line: typeof line === 'number' ? line : null, function: null });
      return;
    }
    let site: Frame | null = callSite();
    if (!site) {
      const parent = trace.getSpan(ctx)?.spanContext().spanId;
      site = (parent && this.open.get(parent)) || null;
      if (site) inherited.add(span);
    }
    if (!site) return;
    span.setAttributes(locationAttributes(site));
    this.remember(span, site);
  }
  private remember(span: Span, site: Frame): void {
    this.open.set(span.spanContext().spanId, site);
    if (this.open.size > MAX_OPEN) this.open.delete(this.open.keys().next().value!);
  }
  onEnd(span: ReadableSpan): void {
    this.open.delete(span.spanContext().spanId);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
