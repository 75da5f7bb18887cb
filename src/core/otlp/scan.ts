/**
 * The ingest-time pass over a decoded request: validates every span exactly as canonical.ts
 * would (so a span accepted now always reads back later) and extracts only what the index
 * needs, without building canonical copies of the attributes. The store journals the request
 * body itself; canonical spans are built on read, for the traces asked for.
 */
import { enumValue, has, id, int64, isObj, MAX_DEPTH, SPAN_KINDS, STATUS_CODES } from './canonical';

type Obj = Record<string, unknown>;

/** What the index keeps of one span. */
export interface SpanEntry {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startUs: number;
  endUs: number;
  status: number;
  /** Session or conversation id when the span names one (any common convention). */
  sessionId: string | null;
  /** Model named by the span (any common convention). */
  model: string | null;
  /** The original run's trace id when the span belongs to a replay (`tracefork.replay.original_trace_id`). */
  replayOf: string | null;
}

/** Attribute keys that name a session or conversation, in every convention Tracefork reads. */
export const SESSION_KEYS = new Set([
  'gen_ai.conversation.id',
  'session.id',
  'ai.telemetry.metadata.sessionId',
  'ai.telemetry.metadata.session_id',
  'traceloop.association.properties.session_id',
  'traceloop.association.properties.sessionId',
]);
/** Attribute keys that name a model. */
export const MODEL_KEYS = new Set(['gen_ai.response.model', 'gen_ai.request.model', 'llm.model_name', 'ai.model.id', 'ai.response.model']);

/** The attribute naming the run a replayed span was forked from (see sdk/REPLAY.md). */
export const REPLAY_OF_KEY = 'tracefork.replay.original_trace_id';

/** What the index keeps of one log record: the trace it belongs to ('' when none). */
export interface LogEntry {
  traceId: string;
}

/** Microseconds from a fixed64 (protobufjs Long, decimal string or number), checked. */
export function timeUs(v: unknown, what: string): number {
  if (v && typeof v === 'object' && 'high' in v && 'low' in v) {
    const l = v as { high: number; low: number };
    return Math.floor((l.high >>> 0) * 4294967.296 + (l.low >>> 0) / 1000);
  }
  return Number(BigInt(int64(v, what)) / 1000n);
}

function checkValue(v: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new RangeError(`attribute value nested deeper than ${MAX_DEPTH} levels`);
  if (!isObj(v)) return;
  if (has(v, 'stringValue') || has(v, 'boolValue') || has(v, 'doubleValue') || has(v, 'bytesValue')) return;
  if (has(v, 'intValue')) {
    if (typeof v.intValue !== 'object') int64(v.intValue, 'intValue', true);
    return;
  }
  if (has(v, 'arrayValue')) {
    const a = v.arrayValue;
    if (isObj(a) && Array.isArray(a.values)) for (const x of a.values) checkValue(x, depth + 1);
  } else if (has(v, 'kvlistValue')) {
    const l = v.kvlistValue;
    if (isObj(l)) checkAttrs(l.values, depth + 1);
  }
}

/** Throws RangeError where canonicalAttrs would. */
export function checkAttrs(raw: unknown, depth = 0): void {
  if (!Array.isArray(raw)) return;
  for (const kv of raw) {
    if (!isObj(kv) || typeof kv.key !== 'string') throw new RangeError('attribute without a string key');
    checkValue(kv.value, depth);
  }
}

/** Validates a span as canonicalSpan would and returns its index entry. */
export function spanEntry(raw: Obj): SpanEntry {
  const startUs = timeUs(raw.startTimeUnixNano, 'startTimeUnixNano');
  const e: SpanEntry = {
    traceId: id(raw.traceId, 16, 'traceId'),
    spanId: id(raw.spanId, 8, 'spanId'),
    parentSpanId: id(raw.parentSpanId, 8, 'parentSpanId', true) || null,
    name: String(raw.name ?? ''),
    startUs,
    endUs: Math.max(startUs, timeUs(raw.endTimeUnixNano, 'endTimeUnixNano')),
    status: isObj(raw.status) ? enumValue(raw.status.code, STATUS_CODES, 'status code') : 0,
    sessionId: null,
    model: null,
    replayOf: null,
  };
  enumValue(raw.kind, SPAN_KINDS, 'span kind');
  checkAttrs(raw.attributes);
  if (Array.isArray(raw.attributes)) pickLabels(raw.attributes as Obj[], e);
  if (Array.isArray(raw.events)) {
    for (const ev of raw.events) {
      if (!isObj(ev)) throw new RangeError('span event must be an object');
      int64(typeof ev.timeUnixNano === 'object' ? 0 : ev.timeUnixNano, 'event time');
      checkAttrs(ev.attributes);
    }
  }
  if (Array.isArray(raw.links)) {
    for (const l of raw.links) {
      if (!isObj(l)) throw new RangeError('span link must be an object');
      id(l.traceId, 16, 'link traceId');
      id(l.spanId, 8, 'link spanId');
      checkAttrs(l.attributes);
    }
  }
  return e;
}

/** Session id and model from the span's attributes (already checked). */
function pickLabels(attrs: Obj[], e: SpanEntry): void {
  for (const kv of attrs) {
    const key = kv.key as string;
    if (key === REPLAY_OF_KEY) {
      const v = kv.value;
      if (isObj(v) && has(v, 'stringValue')) e.replayOf ??= String(v.stringValue);
      continue;
    }
    const isSession = SESSION_KEYS.has(key);
    if (!isSession && !MODEL_KEYS.has(key)) continue;
    const v = kv.value;
    const text = isObj(v) && has(v, 'stringValue') ? String(v.stringValue) : isObj(v) && has(v, 'intValue') ? String(v.intValue) : null;
    if (!text) continue;
    if (isSession) e.sessionId ??= text;
    else e.model ??= text;
  }
}

/** Validates a log record as canonicalLog would and returns its index entry. */
export function logEntry(raw: Obj): LogEntry {
  for (const k of ['timeUnixNano', 'observedTimeUnixNano']) if (typeof raw[k] !== 'object') int64(raw[k], k);
  checkAttrs(raw.attributes);
  if (isObj(raw.body)) checkValue(raw.body, 0);
  id(raw.spanId, 8, 'log spanId', true);
  return { traceId: id(raw.traceId, 16, 'log traceId', true) };
}
