/**
 * JSON for recordings. Values round-trip exactly where JSON cannot carry them: dates, bytes,
 * typed arrays, Maps, Sets and errors are tagged ({"$date"}, {"$bytes"}, {"$typed"}, {"$map"},
 * {"$set"}, {"$error"}), key order is kept (an agent may print an object as it got it). What
 * still cannot round-trip (class instances, functions inside data, symbols) is dropped and the
 * value is reported as lossy, so a replay runs that call rather than serve it wrong. Hashes use
 * sorted keys, so the same input always gives the same hash; LLM inputs skip the system prompt.
 */
import { createHash } from 'node:crypto';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Collects whether anything was lost while tagging. */
interface Ctx {
  sorted: boolean;
  lossy: boolean;
}

/** JSON text of a value, tagged so decode() gives it back. */
export function encode(value: unknown): string {
  return JSON.stringify(tag(value, 0, { sorted: false, lossy: false }));
}

/** encode() and whether the value could not be kept whole. */
export function encodeChecked(value: unknown): { text: string; lossy: boolean } {
  const ctx = { sorted: false, lossy: false };
  const text = JSON.stringify(tag(value, 0, ctx));
  return { text, lossy: ctx.lossy };
}

/** The same with object keys sorted (the canonical form that is hashed). */
export function canonical(value: unknown): string {
  return JSON.stringify(tag(value, 0, { sorted: true, lossy: false }));
}

const isPlain = (v: object) => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

function tag(v: unknown, depth: number, ctx: Ctx): Json {
  if (depth > 64) return ((ctx.lossy = true), '[too deep]');
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return ((ctx.lossy = true), v.toString());
  if (typeof v === 'number' && !Number.isFinite(v)) return ((ctx.lossy = true), null);
  if (typeof v === 'function' || typeof v === 'symbol') return ((ctx.lossy = true), null);
  if (typeof v !== 'object') return v as Json;
  const next = (x: unknown) => tag(x, depth + 1, ctx);
  if (v instanceof Date) return { $date: v.toISOString() };
  if (v instanceof Uint8Array && v.constructor === Uint8Array) return { $bytes: Buffer.from(v).toString('base64') };
  if (ArrayBuffer.isView(v) && !(v instanceof DataView))
    return { $typed: v.constructor.name, values: Array.from(v as unknown as ArrayLike<number>, (n) => (typeof n === 'bigint' ? String(n) : n)) };
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : next(x)));
  if (v instanceof Map) return { $map: [...v.entries()].map(([k, x]) => [next(k), next(x)]) };
  if (v instanceof Set) return { $set: [...v].map(next) };
  if (v instanceof Error) return { $error: { name: v.name, message: v.message, ...(next(ownProps(v)) as object) } };
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return next((v as { toJSON(): unknown }).toJSON());
  if (typeof AbortSignal !== 'undefined' && v instanceof AbortSignal) return null;
  if (!isPlain(v)) ctx.lossy = true; // a class instance comes back as a plain object
  const out: { [k: string]: Json } = {};
  const keys = Object.keys(v);
  for (const k of ctx.sorted ? keys.sort() : keys) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined) continue;
    if (typeof x === 'function' || typeof x === 'symbol') {
      ctx.lossy = true;
      continue;
    }
    if (typeof AbortSignal !== 'undefined' && x instanceof AbortSignal) continue;
    out[k] = next(x);
  }
  return out;
}

function ownProps(e: Error): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(e)) if (k !== 'name' && k !== 'message') out[k] = (e as unknown as Record<string, unknown>)[k];
  return out;
}

/** The value back from a parsed encoded value (e.g. a plan's `output`). */
export function decode(value: unknown): unknown {
  return untag(value);
}

/** The value back from encode()'s text. */
export function decodeText(text: string): unknown {
  return untag(JSON.parse(text));
}

const TYPED: Record<string, new (xs: number[]) => unknown> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
};

function untag(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(untag);
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && typeof o.$date === 'string') return new Date(o.$date);
  if (keys.length === 1 && typeof o.$bytes === 'string') return new Uint8Array(Buffer.from(o.$bytes, 'base64'));
  if (keys.length === 2 && typeof o.$typed === 'string' && Array.isArray(o.values)) {
    const C = TYPED[o.$typed];
    if (C) return new C(o.values as number[]);
    if (o.$typed === 'Buffer') return Buffer.from(o.values as number[]);
  }
  if (keys.length === 1 && Array.isArray(o.$map)) return new Map((o.$map as unknown[][]).map(([k, x]) => [untag(k), untag(x)]));
  if (keys.length === 1 && Array.isArray(o.$set)) return new Set((o.$set as unknown[]).map(untag));
  if (keys.length === 1 && o.$error && typeof o.$error === 'object') return reviveError(o.$error as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = untag(o[k]);
  return out;
}

/**
 * An Error from its recorded name, message and own properties. Libraries recognise their errors
 * by properties such as `Symbol.for('vercel.ai.error')`: registered symbols are recorded as
 * `@@symbol:<key>` and restored, so a replayed APICallError is still one (and retried as before).
 */
export function reviveError(rec: Record<string, unknown>): Error {
  const e = new Error(String(rec.message ?? ''));
  for (const [k, x] of Object.entries(rec)) {
    if (k === 'message') continue;
    if (k.startsWith('@@symbol:')) (e as unknown as Record<symbol, unknown>)[Symbol.for(k.slice(9))] = untag(x);
    else (e as unknown as Record<string, unknown>)[k] = untag(x);
  }
  return e;
}

/** What a thrown value is recorded as: name, message, own properties and registered-symbol markers. */
export function errorRecord(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  for (const k of Object.keys(err)) {
    const x = (err as unknown as Record<string, unknown>)[k];
    if (k === 'cause' || typeof x === 'function') continue;
    const ctx = { sorted: false, lossy: false };
    const t = tag(x, 1, ctx);
    if (!ctx.lossy) out[k] = t;
  }
  for (const s of Object.getOwnPropertySymbols(err)) {
    const key = Symbol.keyFor(s);
    const x = (err as unknown as Record<symbol, unknown>)[s];
    if (key && (typeof x === 'boolean' || typeof x === 'string' || typeof x === 'number')) out[`@@symbol:${key}`] = x;
  }
  return out;
}

/** Roles whose messages are the system prompt (excluded from LLM input hashes). */
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

/**
 * The step key's input hash: sha256 of the canonical JSON of the input, 16 hex digits. For LLM
 * calls (`op` 'llm') the system prompt is left out, so editing it still matches; tool and step
 * inputs are hashed whole (a tool argument named `system` is data).
 */
export function inputHash(input: unknown, op: string = 'llm'): string {
  return createHash('sha256')
    .update(canonical(op === 'llm' ? withoutSystem(input) : input))
    .digest('hex')
    .slice(0, 16);
}

/** The first place two values differ, as a JSON path with both sides (for divergence reports), or null. */
export function firstDifference(a: unknown, b: unknown, at = '$'): { path: string; recorded: unknown; actual: unknown } | null {
  const ea = tag(a, 0, { sorted: true, lossy: false }),
    eb = tag(b, 0, { sorted: true, lossy: false });
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
