/** Small builders of OTLP/JSON requests for store and receiver tests (real clients are in test/integration). */
import { randomBytes } from 'node:crypto';
import { jsToAnyValue } from '../../src/core/otlp/values';
import type { Span, TracesData } from '../../src/core/otlp/types';

/** A random hex id of n bytes. */
export const hexId = (bytes: number) => randomBytes(bytes).toString('hex');

/** An OTLP/JSON span with sensible defaults. */
export function span(p: {
  traceId: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  attrs?: Record<string, unknown>;
  startMs?: number;
  durMs?: number;
  error?: string;
}): Span {
  const start = BigInt(p.startMs ?? 1_700_000_000_000) * 1_000_000n;
  const s: Span = {
    traceId: p.traceId,
    spanId: p.spanId ?? hexId(8),
    name: p.name ?? 'step',
    kind: 1,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + BigInt(p.durMs ?? 10) * 1_000_000n).toString(),
    attributes: Object.entries(p.attrs ?? {}).map(([key, v]) => ({ key, value: jsToAnyValue(v) })),
  };
  if (p.parentSpanId) s.parentSpanId = p.parentSpanId;
  if (p.error) s.status = { code: 2, message: p.error };
  return s;
}

/** An ExportTraceServiceRequest holding spans under one resource and scope. */
export function request(spans: Span[], service = 'test-agent'): TracesData {
  return {
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }],
  };
}
