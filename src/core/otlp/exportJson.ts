/** Writing a stored trace back out as OTLP/JSON, in the order it was received. */
import type { StoredTrace } from '../store/queries';
import { maskDeep } from '../view/maskSecrets';
import type { LogsData, Resource, Scope, Span, LogRecord, TracesData } from './types';

/** One OTLP/JSON document; `resourceLogs` rides along when the trace has log records. */
export type OtlpJsonDocument = TracesData & LogsData;

function group<T>(items: Array<{ resource: Resource; scope: Scope; item: T }>) {
  const byResource = new Map<string, { resource: Resource; scopes: Map<string, { scope: Scope; items: T[] }> }>();
  for (const { resource, scope, item } of items) {
    const rk = JSON.stringify(resource);
    let r = byResource.get(rk);
    if (!r) byResource.set(rk, (r = { resource, scopes: new Map() }));
    const sk = JSON.stringify(scope);
    let s = r.scopes.get(sk);
    if (!s) r.scopes.set(sk, (s = { scope, items: [] }));
    s.items.push(item);
  }
  return [...byResource.values()];
}

/**
 * The trace as an ExportTraceServiceRequest (plus its logs), readable by `import`. Credentials
 * (API-key shapes) are masked unless `unmasked` is asked for; masking twice changes nothing, so a
 * masked export still reads back unchanged.
 */
export function traceToOtlpJson(trace: StoredTrace, { unmasked = false } = {}): OtlpJsonDocument {
  const doc = rawOtlpJson(trace);
  return unmasked ? doc : maskDeep(doc);
}

function rawOtlpJson(trace: StoredTrace): OtlpJsonDocument {
  const doc: OtlpJsonDocument = {
    resourceSpans: group<Span>(trace.spans.map(({ span, resource, scope }) => ({ resource, scope, item: span }))).map((r) => ({
      resource: r.resource,
      scopeSpans: [...r.scopes.values()].map((s) => ({ scope: s.scope, spans: s.items })),
    })),
  };
  if (trace.logs.length) {
    doc.resourceLogs = group<LogRecord>(trace.logs.map(({ resource, scope, ...item }) => ({ resource, scope, item }))).map((r) => ({
      resource: r.resource,
      scopeLogs: [...r.scopes.values()].map((s) => ({ scope: s.scope, logRecords: s.items })),
    }));
  }
  return doc;
}
