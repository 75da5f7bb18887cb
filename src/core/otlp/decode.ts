/**
 * Decoding OTLP requests (protobuf or JSON). Structural damage (not protobuf, not JSON, wrong
 * shape) throws a DecodeError: the receiver answers 400 with its message. A single bad span
 * (wrong id length…) is rejected alone and counted, so the rest of the batch is kept (OTLP
 * partial success). `scan*` validate and extract index entries at ingest; `decode*` build the
 * canonical form on read.
 */
import { otlpTypes } from './schema';
import { canonicalAttrs, canonicalLog, canonicalSpan, id, type RawLog, type RawSpan } from './canonical';
import { checkAttrs, logEntry, spanEntry, type LogEntry, type SpanEntry } from './scan';
import { scanTracesWire } from './wireScan';
import type { LogRecord, Resource, Scope, Span } from './types';

/** A request that cannot be decoded at all. */
export class DecodeError extends Error {}

/** How a body is encoded. */
export type BodyEncoding = 'json' | 'protobuf';

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
const KEYS = { traces: ['resourceSpans', 'scopeSpans', 'spans'], logs: ['resourceLogs', 'scopeLogs', 'logRecords'] } as const;

function list(parent: Obj, key: string, where: string): Obj[] {
  const v = parent[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError(`${where}.${key} must be an array`);
  for (const item of v) if (!isObj(item)) throw new DecodeError(`${where}.${key} must hold objects`);
  return v as Obj[];
}

/** Parses the body into a request object (protobufjs message or plain JSON). */
function parseBody(body: Buffer, enc: BodyEncoding, signal: 'traces' | 'logs'): Obj {
  if (enc === 'protobuf') {
    const t = otlpTypes();
    try {
      return (signal === 'traces' ? t.traceRequest : t.logsRequest).decode(body) as unknown as Obj;
    } catch (e) {
      throw new DecodeError(`body is not a valid protobuf Export${signal === 'traces' ? 'Trace' : 'Logs'}ServiceRequest: ${(e as Error).message}`);
    }
  }
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new DecodeError(`body is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObj(doc)) throw new DecodeError('body must be a JSON object');
  return doc;
}

/** Walks resource → scope → items; `convert` throws RangeError to reject one item. */
function walk<T, G>(doc: Obj, signal: 'traces' | 'logs', convert: (raw: Obj) => T | undefined, group: (r: Obj, s: Obj, items: T[]) => G): Decoded<G> {
  const [rKey, sKey, iKey] = KEYS[signal];
  const out: Decoded<G> = { groups: [], accepted: 0, rejected: 0, firstRejection: null };
  for (const rs of list(doc, rKey, 'request')) {
    for (const ss of list(rs, sKey, rKey)) {
      const items: T[] = [];
      for (const raw of list(ss, iKey, sKey)) {
        try {
          const item = convert(raw);
          if (item !== undefined) items.push(item);
          out.accepted++;
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          out.rejected++;
          out.firstRejection ??= e.message;
        }
      }
      if (items.length) out.groups.push(group(rs, ss, items));
    }
  }
  return out;
}

function guarded<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError) throw new DecodeError(`${what}: ${e.message}`);
    throw e;
  }
}

function resourceOf(rs: Obj): Resource {
  const raw = isObj(rs.resource) ? rs.resource : {};
  const r: Resource = { attributes: guarded('resource attributes', () => canonicalAttrs(raw.attributes)) };
  if (raw.droppedAttributesCount) r.droppedAttributesCount = Number(raw.droppedAttributesCount);
  return r;
}

function scopeOf(ss: Obj): Scope {
  if (!isObj(ss.scope)) return {};
  const raw = ss.scope;
  const s: Scope = {};
  if (raw.name) s.name = String(raw.name);
  if (raw.version) s.version = String(raw.version);
  const attrs = guarded('scope attributes', () => canonicalAttrs(raw.attributes));
  if (attrs.length) s.attributes = attrs;
  if (raw.droppedAttributesCount) s.droppedAttributesCount = Number(raw.droppedAttributesCount);
  return s;
}

function checkGroup(rs: Obj, ss: Obj): void {
  guarded('resource attributes', () => checkAttrs(isObj(rs.resource) ? rs.resource.attributes : undefined));
  guarded('scope attributes', () => checkAttrs(isObj(ss.scope) ? ss.scope.attributes : undefined));
}

/** A filter on the raw trace id, compared without canonicalising the rest of the item. */
function sameTrace(raw: Obj, traceId: string | undefined): boolean {
  if (traceId === undefined) return true;
  try {
    return id(raw.traceId, 16, 'traceId', true) === traceId;
  } catch {
    return false;
  }
}

/** Decodes an ExportTraceServiceRequest body into canonical spans (only one trace's when asked). */
export function decodeTraces(body: Buffer, enc: BodyEncoding, onlyTrace?: string): Decoded<SpanGroup> {
  const convert = (raw: Obj) => (sameTrace(raw, onlyTrace) ? canonicalSpan(raw as RawSpan, enc) : undefined);
  return walk(parseBody(body, enc, 'traces'), 'traces', convert, (rs, ss, spans) => ({ resource: resourceOf(rs), scope: scopeOf(ss), spans }));
}

/** Decodes an ExportLogsServiceRequest body into canonical log records (only one trace's when asked). */
export function decodeLogs(body: Buffer, enc: BodyEncoding, onlyTrace?: string): Decoded<LogGroup> {
  const convert = (raw: Obj) => (sameTrace(raw, onlyTrace) ? canonicalLog(raw as RawLog, enc) : undefined);
  return walk(parseBody(body, enc, 'logs'), 'logs', convert, (rs, ss, logs) => ({ resource: resourceOf(rs), scope: scopeOf(ss), logs }));
}

/** Index entries of every acceptable span, validated as decodeTraces would. */
export function scanTraces(body: Buffer, enc: BodyEncoding): Decoded<SpanEntry[]> {
  // Off the wire when the request is an ordinary one (most of it is never turned into strings);
  // anything else is decoded in full, which decides and says why.
  const fast = enc === 'protobuf' ? scanTracesWire(body) : null;
  if (fast) return { ...fast, rejected: 0, firstRejection: null };
  return scanTracesDecoded(body, enc);
}

/** The same from the request decoded in full (the wire scan's fallback, and what it must equal). */
export function scanTracesDecoded(body: Buffer, enc: BodyEncoding): Decoded<SpanEntry[]> {
  return walk(parseBody(body, enc, 'traces'), 'traces', spanEntry, (rs, ss, entries) => (checkGroup(rs, ss), entries));
}

/** Index entries of every acceptable log record, validated as decodeLogs would. */
export function scanLogs(body: Buffer, enc: BodyEncoding): Decoded<LogEntry[]> {
  return walk(parseBody(body, enc, 'logs'), 'logs', logEntry, (rs, ss, entries) => (checkGroup(rs, ss), entries));
}
