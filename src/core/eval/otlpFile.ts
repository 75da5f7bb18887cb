/** OTLP/JSON files (one request, or one request per line as the collector's file exporter writes) as stored traces. */
import { DecodeError, decodeLogs, decodeTraces } from '../otlp/decode';
import type { StoredTrace } from '../store/queries';

/** The request documents of a file's text: the whole text when it is one JSON value, else each non-empty line. */
function documents(text: string): string[] {
  try {
    JSON.parse(text);
    return [text];
  } catch {
    return text.split('\n').filter((l) => l.trim());
  }
}

/** Traces (spans and log records grouped by trace id, in first-seen order); throws DecodeError when it is not OTLP/JSON. */
export function tracesFromOtlpJson(text: string, into = new Map<string, StoredTrace>()): StoredTrace[] {
  const seen = new Set<string>();
  const get = (id: string) => {
    let t = into.get(id);
    if (!t) into.set(id, (t = { traceId: id, spans: [], logs: [] }));
    return t;
  };
  for (const doc of documents(text)) {
    const body = Buffer.from(doc);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(doc) as Record<string, unknown>;
    } catch (e) {
      throw new DecodeError(`not JSON: ${(e as Error).message}`);
    }
    if (!parsed || (!parsed.resourceSpans && !parsed.resourceLogs)) throw new DecodeError('no resourceSpans or resourceLogs');
    if (parsed.resourceSpans) {
      for (const g of decodeTraces(body, 'json').groups) {
        for (const span of g.spans) {
          const key = `${span.traceId}/${span.spanId}`;
          if (seen.has(key)) continue; // the first copy of a resent span wins, as in the store
          seen.add(key);
          get(span.traceId).spans.push({ span, resource: g.resource, scope: g.scope });
        }
      }
    }
    if (parsed.resourceLogs) {
      for (const g of decodeLogs(body, 'json').groups) {
        for (const l of g.logs) if (l.traceId) get(l.traceId).logs.push({ ...l, resource: g.resource, scope: g.scope });
      }
    }
  }
  return [...into.values()];
}
