/**
 * JSON for recordings: values round-trip exactly (Dates and bytes are tagged, key order is kept,
 * since an agent may print an object as it got it); hashes use sorted keys, so the same input
 * always gives the same hash, and skip the system prompt.
 */
import { createHash } from 'node:crypto';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** JSON text of a value with Dates as {"$date": iso} and bytes as {"$bytes": base64}. */
export function encode(value: unknown): string {
  return JSON.stringify(tag(value, 0, false));
}

/** The same with object keys sorted (the canonical form that is hashed). */
export function canonical(value: unknown): string {
  return JSON.stringify(tag(value, 0, true));
}

function tag(v: unknown, depth: number, sorted: boolean): Json {
  if (depth > 64) return '[too deep]';
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return { $date: v.toISOString() };
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return v.map((x) => (x === undefined || typeof x === 'function' ? null : tag(x, depth + 1, sorted)));
  if (typeof v === 'object') {
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return tag((v as { toJSON(): unknown }).toJSON(), depth + 1, sorted);
    const out: { [k: string]: Json } = {};
    const keys = Object.keys(v);
    for (const k of sorted ? keys.sort() : keys) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
      if (isSignal(x)) continue;
      out[k] = tag(x, depth + 1, sorted);
    }
    return out;
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v as Json;
}

function isSignal(x: unknown): boolean {
  return typeof AbortSignal !== 'undefined' && x instanceof AbortSignal;
}

/** The value back from a parsed encoded value (e.g. a plan's `output`), Dates and bytes restored. */
export function decode(value: unknown): unknown {
  return untag(value);
}

/** The value back from encode()'s text. */
export function decodeText(text: string): unknown {
  return untag(JSON.parse(text));
}

function untag(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(untag);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && typeof o.$date === 'string') return new Date(o.$date);
    if (keys.length === 1 && typeof o.$bytes === 'string') return new Uint8Array(Buffer.from(o.$bytes, 'base64'));
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = untag(o[k]);
    return out;
  }
  return v;
}

/** Roles whose messages are the system prompt (excluded from input hashes). */
const SYSTEM_ROLES = new Set(['system', 'developer']);

/** The input without its system messages: `prompt`/`messages` arrays lose role system/developer, `system` fields go. */
export function withoutSystem(input: unknown): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    if (k === 'system' || k === 'instructions') continue;
    if ((k === 'prompt' || k === 'messages') && Array.isArray(v)) {
      out[k] = v.filter((m) => !(m && typeof m === 'object' && SYSTEM_ROLES.has(String((m as { role?: unknown }).role))));
    } else out[k] = v;
  }
  return out;
}

/** The step key's input hash: sha256 of the sorted JSON of the input without the system prompt, 16 hex digits. */
export function inputHash(input: unknown): string {
  return createHash('sha256').update(canonical(withoutSystem(input))).digest('hex').slice(0, 16);
}

/** The first place two values differ, as a JSON path with both sides (for divergence reports), or null. */
export function firstDifference(a: unknown, b: unknown, at = '$'): { path: string; recorded: unknown; actual: unknown } | null {
  const ea = tag(a, 0, true), eb = tag(b, 0, true);
  return diff(ea, eb, at);
}

function diff(a: Json, b: Json, at: string): { path: string; recorded: unknown; actual: unknown } | null {
  if (a === b) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = diff(a[i] ?? null, b[i] ?? null, `${at}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = diff(a[k] ?? null, b[k] ?? null, `${at}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return { path: at, recorded: a, actual: b };
}
