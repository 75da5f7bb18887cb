/** Test helpers: OTLP/JSON spans, events and log records built from plain objects, and the shared fixtures. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KeyValue, LogRecord, Resource, Scope, Span, SpanEvent, TracesData } from '../../src/core/otlp/types';
import { jsToAnyValue } from '../../src/core/otlp/values';

/** Start of every test span: 2025-01-01T00:00:00.000Z in nanoseconds. */
export const T0 = 1735689600000000000n;

/** Attributes in OTLP/JSON form from a plain object (integers become intValue strings). */
export function kvs(attrs: Record<string, unknown>): KeyValue[] {
  return Object.entries(attrs).map(([key, v]) => ({ key, value: jsToAnyValue(v) }));
}

/** A span at T0 lasting `ms` milliseconds, with `attrs` and optional overrides. */
export function span(attrs: Record<string, unknown>, extra: Partial<Span> = {}, ms = 250): Span {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    name: 'test span',
    kind: 1,
    startTimeUnixNano: String(T0),
    endTimeUnixNano: String(T0 + BigInt(ms) * 1_000_000n),
    attributes: kvs(attrs),
    status: { code: 0 },
    ...extra,
  };
}

/** A span event `offsetMs` after T0. */
export function spanEvent(name: string, attrs: Record<string, unknown>, offsetMs = 1): SpanEvent {
  return { name, timeUnixNano: String(T0 + BigInt(offsetMs) * 1_000_000n), attributes: kvs(attrs) };
}

/** A log record (GenAI event) `offsetMs` after T0 with a structured body. */
export function logEvent(name: string, body: unknown, attrs: Record<string, unknown> = {}, offsetMs = 1): LogRecord {
  return {
    timeUnixNano: String(T0 + BigInt(offsetMs) * 1_000_000n),
    eventName: name,
    body: jsToAnyValue(body),
    attributes: kvs(attrs),
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
  };
}

/** One span of a fixture with its resource and scope. */
export interface FixtureSpan {
  span: Span;
  resource?: Resource;
  scope?: Scope;
}

/** The spans of test/fixtures/<name>.otlp.json (captured from real frameworks), in file order. */
export function loadFixture(name: string): FixtureSpan[] {
  const file = path.resolve(__dirname, '../fixtures', `${name}.otlp.json`);
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as TracesData;
  const out: FixtureSpan[] = [];
  for (const rs of data.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) out.push({ span: s, resource: rs.resource, scope: ss.scope });
    }
  }
  return out;
}
