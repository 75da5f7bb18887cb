/** Marks every span of a replayed run with its origin, and links its root spans to the fork step. */
import type { Context } from '@opentelemetry/api';
import { trace, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR } from '../contract';
import type { Replayer } from './replayer';

/** Span processor adding `tracefork.replay.*` attributes and an OTel link to the original run. */
export class ReplayLinkProcessor implements SpanProcessor {
  constructor(private readonly replayer: () => Replayer | null) {}

  onStart(span: Span, parent: Context): void {
    const r = this.replayer();
    if (!r) return;
    const { original, planId } = r.plan;
    span.setAttribute(ATTR.originalTrace, original.traceId);
    if (original.forkSpanId) span.setAttribute(ATTR.forkSpan, original.forkSpanId);
    span.setAttribute(ATTR.planId, planId);
    if (!trace.getSpan(parent) && original.forkSpanId) {
      span.addLink({
        context: { traceId: original.traceId, spanId: original.forkSpanId, traceFlags: TraceFlags.SAMPLED },
        attributes: { 'tracefork.link.type': 'forked_from' },
      });
    }
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
