/**
 * Records where each step came from: at span start, the first stack frame in the user's code
 * (not node_modules, not Node internals, not this SDK) becomes `code.file.path`,
 * `code.line.number` and `code.function.name` — so every step, including the model calls a
 * framework makes deep inside its own code, links to the line of the agent that caused it.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { usefulFrame } from './contract';

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

/** A span processor that adds the call site to every span that does not carry one. */
export class CallSiteProcessor implements SpanProcessor {
  onStart(span: Span, _ctx: Context): void {
    if (span.attributes['code.file.path'] !== undefined || span.attributes['code.filepath'] !== undefined) return;
    const site = callSite();
    if (!site) return;
    span.setAttribute('code.file.path', site.file);
    if (site.line !== null) span.setAttribute('code.line.number', site.line);
    if (site.function) span.setAttribute('code.function.name', site.function);
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
