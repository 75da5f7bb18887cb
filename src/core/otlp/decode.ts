/**
 * Decoding OTLP requests (protobuf or JSON) into the canonical OTLP/JSON form.
 * Structural damage (not protobuf, not JSON, wrong shape) throws a DecodeError: the receiver
 * answers 400 with its message. A single bad span (wrong id length…) is rejected alone and
 * counted, so the rest of the batch is kept (OTLP partial success).
 */
import { otlpTypes } from './schema';
import { canonicalAttrs, canonicalLog, canonicalSpan, type RawLog, type RawSpan } from './canonical';
import type { LogRecord, Resource, Scope, Span } from './types';

/** A request that cannot be decoded at all. */
export class DecodeError extends Error {}

/** Spans of one resource and scope. */
export interface SpanGroup {
  resource: Resource;
  scope: Scope;
  spans: Span[];
}

/** Log records of one resource and scope. */
export interface LogGroup {
  resource: Resource;
  scope: Scope;
  logs: LogRecord[];
}

/** A decoded batch: what was kept, and what was rejected with the first reason. */
export interface Decoded<G> {
  groups: G[];
  accepted: number;
  rejected: number;
  firstRejection: string | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function list(parent: Obj, key: string, where: string): Obj[] {
  const v = parent[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError(`${where}.${key} must be an array`);
  for (const item of v) if (!isObj(item)) throw new DecodeError(`${where}.${key} must hold objects`);
  return v as Obj[];
}

function parseJson(body: Buffer): Obj {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new DecodeError(`body is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObj(doc)) throw new DecodeError('body must be a JSON object');
  return doc;
}

function decodeProto(body: Buffer, type: 'traces' | 'logs'): Obj {
  const t = otlpTypes();
  try {
    return (type === 'traces' ? t.traceRequest : t.logsRequest).decode(body) as unknown as Obj;
  } catch (e) {
    throw new DecodeError(`body is not a valid protobuf Export${type === 'traces' ? 'Trace' : 'Logs'}ServiceRequest: ${(e as Error).message}`);
  }
}

/** Generic walk over resource → scope → items, shared by traces and logs. */
function walk<T, G>(
  doc: Obj,
  keys: [string, string, string],
  convert: (raw: Obj) => T,
  makeGroup: (resource: Resource, scope: Scope, items: T[]) => G,
): Decoded<G> {
  const [rKey, sKey, iKey] = keys;
  const out: Decoded<G> = { groups: [], accepted: 0, rejected: 0, firstRejection: null };
  for (const rs of list(doc, rKey, 'request')) {
    const resource = canonicalResource(rs.resource);
    for (const ss of list(rs, sKey, rKey)) {
      const scope = canonicalScope(ss.scope);
      const items: T[] = [];
      for (const raw of list(ss, iKey, sKey)) {
        try {
          items.push(convert(raw));
          out.accepted++;
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          out.rejected++;
          out.firstRejection ??= e.message;
        }
      }
      if (items.length) out.groups.push(makeGroup(resource, scope, items));
    }
  }
  return out;
}

/** Decodes an ExportTraceServiceRequest body. */
export function decodeTraces(body: Buffer, encoding: 'json' | 'protobuf'): Decoded<SpanGroup> {
  const doc = encoding === 'json' ? parseJson(body) : decodeProto(body, 'traces');
  return walk(doc, ['resourceSpans', 'scopeSpans', 'spans'], (raw) => canonicalSpan(raw as RawSpan, encoding), (resource, scope, spans) => ({ resource, scope, spans }));
}

/** Decodes an ExportLogsServiceRequest body. */
export function decodeLogs(body: Buffer, encoding: 'json' | 'protobuf'): Decoded<LogGroup> {
  const doc = encoding === 'json' ? parseJson(body) : decodeProto(body, 'logs');
  return walk(doc, ['resourceLogs', 'scopeLogs', 'logRecords'], (raw) => canonicalLog(raw as RawLog, encoding), (resource, scope, logs) => ({ resource, scope, logs }));
}

function canonicalResource(raw: unknown): Resource {
  if (!isObj(raw)) return { attributes: [] };
  const r: Resource = { attributes: canonicalAttrs(raw.attributes) };
  if (raw.droppedAttributesCount) r.droppedAttributesCount = Number(raw.droppedAttributesCount);
  return r;
}

function canonicalScope(raw: unknown): Scope {
  if (!isObj(raw)) return {};
  const s: Scope = {};
  if (raw.name) s.name = String(raw.name);
  if (raw.version) s.version = String(raw.version);
  const attrs = canonicalAttrs(raw.attributes);
  if (attrs.length) s.attributes = attrs;
  if (raw.droppedAttributesCount) s.droppedAttributesCount = Number(raw.droppedAttributesCount);
  return s;
}
