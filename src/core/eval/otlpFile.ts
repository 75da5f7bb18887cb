/** OTLP/JSON files (one request, or one request per line as the collector's file exporter writes) as stored traces. */
import { decodeLogs, decodeTraces } from '../otlp/decode';
import { otlpDocuments } from '../otlp/file';
import type { StoredTrace } from '../store/queries';

/** Traces (spans and log records grouped by trace id, in first-seen order); throws DecodeError when it is not OTLP/JSON. */
export function tracesFromOtlpJson(text: string, into = new Map<string, StoredTrace>()): StoredTrace[] {
  const seen = new Set<string>();
  const get = (id: string) => {
    let t = into.get(id);
    if (!t) into.set(id, (t = { traceId: id, spans: [], logs: [] }));
    return t;
  };
  for (const doc of otlpDocuments(text)) {
    const body = doc.body;
    if (doc.traces) {
      for (const g of decodeTraces(body, 'json').groups) {
        for (const span of g.spans) {
          const key = `${span.traceId}/${span.spanId}`;
          if (seen.has(key)) continue; // the first copy of a resent span wins, as in the store
          seen.add(key);
          get(span.traceId).spans.push({ span, resource: g.resource, scope: g.scope });
        }
      }
    }
    if (doc.logs) {
      for (const g of decodeLogs(body, 'json').groups) {
        for (const l of g.logs) if (l.traceId) get(l.traceId).logs.push({ ...l, resource: g.resource, scope: g.scope });
      }
    }
  }
  return [...into.values()];
}
