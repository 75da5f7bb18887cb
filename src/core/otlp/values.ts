/** Conversions between OTLP AnyValue/KeyValue and plain JSON values. */
import type { AnyValue, KeyValue } from './types';

/** A plain JSON view of an AnyValue: int64 becomes a number when it is safe, else a decimal string. */
export function anyValueToJs(v: AnyValue | undefined | null): unknown {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    const n = typeof v.intValue === 'number' ? v.intValue : Number(v.intValue);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(anyValueToJs);
  if (v.kvlistValue !== undefined) return attrsToObject(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return null;
}

/** Attributes as one flat object keyed by attribute name (dotted keys are kept as they are). */
export function attrsToObject(kvs: KeyValue[] | undefined | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!kvs) return out;
  for (const kv of kvs) out[kv.key] = anyValueToJs(kv.value);
  return out;
}

/** An AnyValue for a plain JS value (used by the SDK side and tests). */
export function jsToAnyValue(v: unknown): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (typeof v === 'bigint') return { intValue: v.toString() };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(jsToAnyValue) } };
  if (v && typeof v === 'object') {
    return { kvlistValue: { values: Object.entries(v).map(([key, val]) => ({ key, value: jsToAnyValue(val) })) } };
  }
  return {};
}

/** Nanoseconds since the epoch (decimal string) to an ISO date; `null` for 0 or garbage. */
export function nanosToIso(nanos: string | undefined): string | null {
  if (!nanos || nanos === '0') return null;
  const ms = Number(BigInt(nanos) / 1_000_000n);
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Milliseconds between two nanosecond timestamps (never negative). */
export function nanosDiffMs(start: string | undefined, end: string | undefined): number {
  if (!start || !end) return 0;
  const d = BigInt(end) - BigInt(start);
  return d > 0n ? Number(d) / 1e6 : 0;
}
