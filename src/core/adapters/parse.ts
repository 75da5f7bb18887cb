/** Small parsing helpers shared by the convention adapters. */
import type { Attrs } from './types';
import type { ToolCall } from '../model/step';

/** Parsed JSON when `v` is JSON text of an object, array or string; otherwise `v` unchanged. */
export function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (t === '' || !'[{"'.includes(t[0] ?? '')) return v;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return v;
  }
}

/** A finite number from a number or a numeric string, else null. */
export function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string' || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** A non-empty string (numbers become strings), else null. */
export function str(v: unknown): string | null {
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return null;
}

/** The first key of `keys` whose attribute is a non-empty string. */
export function firstStr(attrs: Attrs, ...keys: string[]): string | null {
  for (const k of keys) {
    const s = str(attrs[k]);
    if (s !== null) return s;
  }
  return null;
}

/** The first key of `keys` whose attribute is a number. */
export function firstNum(attrs: Attrs, ...keys: string[]): number | null {
  for (const k of keys) {
    const n = num(attrs[k]);
    if (n !== null) return n;
  }
  return null;
}

/** Message text: strings as they are, null for nothing, other values as JSON text. */
export function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** `v` as a plain object (JSON text is parsed first), else null. */
export function asRecord(v: unknown): Record<string, unknown> | null {
  const p = parseJson(v);
  return p !== null && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, unknown>) : null;
}

/** `v` as an array (JSON text is parsed first), else an empty array. */
export function asArray(v: unknown): unknown[] {
  const p = parseJson(v);
  return Array.isArray(p) ? p : [];
}

/** True when `v` is neither undefined, null nor an empty string. */
export function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/**
 * Indexed attributes `prefix.N.rest` grouped by N (ascending) into objects keyed by `rest`;
 * `prefix.N` itself lands under the key ''.
 */
export function indexed(attrs: Attrs, prefix: string): Attrs[] {
  const p = prefix + '.';
  const byIndex = new Map<number, Attrs>();
  for (const [key, value] of Object.entries(attrs)) {
    if (!key.startsWith(p)) continue;
    const rest = key.slice(p.length);
    const dot = rest.indexOf('.');
    const head = dot < 0 ? rest : rest.slice(0, dot);
    if (!/^\d+$/.test(head)) continue;
    const idx = Number(head);
    let group = byIndex.get(idx);
    if (!group) byIndex.set(idx, (group = {}));
    group[dot < 0 ? '' : rest.slice(dot + 1)] = value;
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
}

/** True when any attribute key starts with `prefix`. */
export function hasPrefix(attrs: Attrs, prefix: string): boolean {
  for (const key in attrs) if (key.startsWith(prefix)) return true;
  return false;
}

/** A tool call with its arguments parsed when they are JSON text. */
export function toolCall(id: unknown, name: unknown, args: unknown): ToolCall {
  return { id: str(id), name: str(name) ?? '', arguments: parseJson(args) ?? null };
}

/** OpenAI-style `{id, function: {name, arguments}}` or flat `{id, name, arguments}` tool calls. */
export function toolCallsFrom(v: unknown): ToolCall[] {
  const out: ToolCall[] = [];
  for (const item of asArray(v)) {
    const c = asRecord(item);
    if (!c) continue;
    const fn = asRecord(c.function) ?? c;
    out.push(toolCall(c.id, fn.name, fn.arguments ?? fn.args ?? fn.input));
  }
  return out;
}

/** The error a tool result reports: an `error` field, or text starting with "Error"; else null. */
export function resultError(v: unknown): string | null {
  const p = parseJson(v);
  if (typeof p === 'string') return /^error\b/i.test(p.trim()) ? p.trim() : null;
  const r = asRecord(p);
  if (!r || !present(r.error)) return null;
  const e = asRecord(r.error);
  return str(e?.message) ?? text(r.error);
}
