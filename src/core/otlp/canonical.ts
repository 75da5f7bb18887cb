/**
 * Turns one decoded span or log record (a protobufjs message or a parsed OTLP/JSON object)
 * into the canonical form of types.ts. A value that makes the item unusable (an id of the
 * wrong length, a timestamp that is not a number) throws RangeError: the item is rejected
 * alone and the batch goes on.
 */
import type { AnyValue, KeyValue, LogRecord, Span, SpanEvent, SpanLink } from './types';

/** A span as a decoder hands it over, before canonicalisation. */
export type RawSpan = Record<string, unknown>;
/** A log record as a decoder hands it over. */
export type RawLog = Record<string, unknown>;
type Enc = 'json' | 'protobuf';
type Obj = Record<string, unknown>;

export const MAX_DEPTH = 32;
const HEX = /^[0-9a-fA-F]*$/;
export const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const SPAN_KINDS = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
export const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

/** An id as lowercase hex; `bytes` is its required length (0 means optional and may be empty). */
export function id(v: unknown, bytes: number, what: string, optional = false): string {
  let hex: string;
  if (v === undefined || v === null) hex = '';
  else if (typeof v === 'string') hex = v;
  else if (v instanceof Uint8Array) hex = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  else if (Array.isArray(v) && v.every((b) => typeof b === 'number'))
    hex = Buffer.from(v).toString('hex'); // protobufjs' empty default
  else throw new RangeError(`${what} has an unsupported type`);
  if (hex === '' && optional) return '';
  if (hex.length !== bytes * 2 || !HEX.test(hex))
    throw new RangeError(`${what} must be ${bytes} bytes (${bytes * 2} hex digits), got ${JSON.stringify(hex.slice(0, 40))}`);
  if (/^0+$/.test(hex)) throw new RangeError(`${what} must not be all zeros`);
  return hex.toLowerCase();
}

/** A fixed64/int64 as a decimal string. */
export function int64(v: unknown, what: string, signed = false): string {
  if (v === undefined || v === null || v === '') return '0';
  const s = typeof v === 'object' ? String(v) : typeof v === 'number' ? (Number.isInteger(v) ? BigInt(v).toString() : 'x') : String(v);
  if (!(signed ? /^-?\d{1,20}$/ : /^\d{1,20}$/).test(s)) throw new RangeError(`${what} must be an integer, got ${JSON.stringify(s.slice(0, 40))}`);
  const n = BigInt(s);
  if (n > 18446744073709551615n || n < -9223372036854775808n) throw new RangeError(`${what} is out of range`);
  return n.toString();
}

export function enumValue(v: unknown, names: string[], what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < names.length) return v;
  if (typeof v === 'string' && names.includes(v)) return names.indexOf(v);
  throw new RangeError(`${what} has an unknown value ${JSON.stringify(v)}`);
}

/** Canonical AnyValue. */
export function canonicalValue(v: unknown, depth = 0): AnyValue {
  if (depth > MAX_DEPTH) throw new RangeError(`attribute value nested deeper than ${MAX_DEPTH} levels`);
  if (!isObj(v)) return {};
  if (has(v, 'stringValue')) return { stringValue: String(v.stringValue) };
  if (has(v, 'boolValue')) return { boolValue: Boolean(v.boolValue) };
  if (has(v, 'intValue')) return { intValue: int64(v.intValue, 'intValue', true) };
  if (has(v, 'doubleValue')) return { doubleValue: Number(v.doubleValue) };
  if (has(v, 'arrayValue')) {
    const a = v.arrayValue as Obj | null;
    const values = isObj(a) && Array.isArray(a.values) ? a.values : [];
    return { arrayValue: { values: values.map((x) => canonicalValue(x, depth + 1)) } };
  }
  if (has(v, 'kvlistValue')) {
    const l = v.kvlistValue as Obj | null;
    return { kvlistValue: { values: canonicalAttrs(isObj(l) ? l.values : [], depth + 1) } };
  }
  if (has(v, 'bytesValue')) {
    const b = v.bytesValue;
    return { bytesValue: b instanceof Uint8Array ? Buffer.from(b).toString('base64') : String(b) };
  }
  return {};
}

/** Canonical attribute list. */
export function canonicalAttrs(raw: unknown, depth = 0): KeyValue[] {
  if (!Array.isArray(raw)) return [];
  const out: KeyValue[] = [];
  for (const kv of raw) {
    if (!isObj(kv) || typeof kv.key !== 'string') throw new RangeError('attribute without a string key');
    out.push({ key: kv.key, value: canonicalValue(kv.value, depth) });
  }
  return out;
}

function dropped(o: Obj, key: string, into: Obj) {
  const n = Number(o[key] ?? 0);
  if (n > 0) into[key] = n;
}

function event(raw: unknown): SpanEvent {
  if (!isObj(raw)) throw new RangeError('span event must be an object');
  const e: SpanEvent = { timeUnixNano: int64(raw.timeUnixNano, 'event time'), name: String(raw.name ?? ''), attributes: canonicalAttrs(raw.attributes) };
  dropped(raw, 'droppedAttributesCount', e as unknown as Obj);
  return e;
}

function link(raw: unknown): SpanLink {
  if (!isObj(raw)) throw new RangeError('span link must be an object');
  const l: SpanLink = { traceId: id(raw.traceId, 16, 'link traceId'), spanId: id(raw.spanId, 8, 'link spanId'), attributes: canonicalAttrs(raw.attributes) };
  if (raw.traceState) l.traceState = String(raw.traceState);
  if (raw.flags) l.flags = Number(raw.flags);
  dropped(raw, 'droppedAttributesCount', l as unknown as Obj);
  return l;
}

/** Canonical span; throws RangeError when the span is unusable. */
export function canonicalSpan(raw: RawSpan, _enc: Enc): Span {
  const s: Span = {
    traceId: id(raw.traceId, 16, 'traceId'),
    spanId: id(raw.spanId, 8, 'spanId'),
    name: String(raw.name ?? ''),
    kind: enumValue(raw.kind, SPAN_KINDS, 'span kind'),
    startTimeUnixNano: int64(raw.startTimeUnixNano, 'startTimeUnixNano'),
    endTimeUnixNano: int64(raw.endTimeUnixNano, 'endTimeUnixNano'),
    attributes: canonicalAttrs(raw.attributes),
  };
  const parent = id(raw.parentSpanId, 8, 'parentSpanId', true);
  if (parent) s.parentSpanId = parent;
  if (raw.traceState) s.traceState = String(raw.traceState);
  if (raw.flags) s.flags = Number(raw.flags);
  const events = Array.isArray(raw.events) ? raw.events.map(event) : [];
  if (events.length) s.events = events;
  const links = Array.isArray(raw.links) ? raw.links.map(link) : [];
  if (links.length) s.links = links;
  for (const k of ['droppedAttributesCount', 'droppedEventsCount', 'droppedLinksCount']) dropped(raw, k, s as unknown as Obj);
  if (isObj(raw.status)) {
    const code = enumValue(raw.status.code, STATUS_CODES, 'status code');
    const message = raw.status.message ? String(raw.status.message) : '';
    if (code || message) s.status = message ? { code, message } : { code };
  }
  return s;
}

/** Canonical log record; throws RangeError when the record is unusable. */
export function canonicalLog(raw: RawLog, _enc: Enc): LogRecord {
  const l: LogRecord = { timeUnixNano: int64(raw.timeUnixNano, 'timeUnixNano'), attributes: canonicalAttrs(raw.attributes) };
  const observed = int64(raw.observedTimeUnixNano, 'observedTimeUnixNano');
  if (observed !== '0') l.observedTimeUnixNano = observed;
  if (raw.severityNumber) l.severityNumber = Number(raw.severityNumber);
  if (raw.severityText) l.severityText = String(raw.severityText);
  if (isObj(raw.body)) l.body = canonicalValue(raw.body);
  const traceId = id(raw.traceId, 16, 'log traceId', true);
  if (traceId) l.traceId = traceId;
  const spanId = id(raw.spanId, 8, 'log spanId', true);
  if (spanId) l.spanId = spanId;
  if (raw.eventName) l.eventName = String(raw.eventName);
  if (raw.flags) l.flags = Number(raw.flags);
  dropped(raw, 'droppedAttributesCount', l as unknown as Obj);
  return l;
}
