/** A stored trace as steps in tree pre-order: what `show --json` and the views consume. */
import { duplicateModelCalls } from './duplicates';
import { toStep } from './normalize';
import { preorder } from './tree';
import type { Step } from './step';
import type { StoredTrace } from '../store/queries';
import type { LogRecord } from '../otlp/types';
import type { PriceTable } from './cost';

/** Normalises every span of the trace and orders the steps as a tree. */
export function buildSteps(trace: StoredTrace, prices?: PriceTable): Step[] {
  const logsBySpan = new Map<string, LogRecord[]>();
  for (const l of trace.logs) {
    if (!l.spanId) continue;
    const list = logsBySpan.get(l.spanId);
    if (list) list.push(l);
    else logsBySpan.set(l.spanId, [l]);
  }
  const steps = trace.spans.map(({ span, resource, scope }) => toStep({ span, resource, scope, logs: logsBySpan.get(span.spanId) ?? [] }, prices));
  const order = preorder(
    trace.spans.map(({ span }) => ({ spanId: span.spanId, parentSpanId: span.parentSpanId ?? null, startNanos: BigInt(span.startTimeUnixNano) })),
  );
  const out = order.map(([i, depth]) => ({ ...steps[i], depth }));
  const index = new Map(out.map((s, i) => [s.spanId, i]));
  for (const i of duplicateModelCalls(out, (i) => index.get(out[i]!.parentSpanId ?? '') ?? -1)) {
    const s = out[i]!;
    s.rollupTokens = { input: s.inputTokens, output: s.outputTokens };
    s.inputTokens = s.outputTokens = s.costUsd = null;
  }
  return out;
}
