/** Pure helpers behind the JSON tree view: previews, entries, control characters made visible. */

/** How many children one JSON node shows before a "… N more" line. */
export const MAX_CHILDREN = 500;

/** An object or array: something the view can expand. */
export function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

/** The children of a container as [key, value] pairs, array indices as keys. */
export function entriesOf(v: Record<string, unknown> | unknown[]): [string, unknown][] {
  return Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
}

/** A one-line summary of a container for its collapsed `<summary>`: `[3 items]`, `{role, content}`. */
export function preview(v: Record<string, unknown> | unknown[], maxKeys = 4): string {
  if (Array.isArray(v)) return v.length === 1 ? '[1 item]' : `[${v.length} items]`;
  const keys = Object.keys(v);
  if (keys.length === 0) return '{}';
  const shown = keys.slice(0, maxKeys).join(', ');
  return `{${shown}${keys.length > maxKeys ? `, … +${keys.length - maxKeys}` : ''}}`;
}

/** The kind of a scalar, for its CSS class. */
export function scalarKind(v: unknown): 'string' | 'number' | 'boolean' | 'null' | 'other' {
  if (v === null || v === undefined) return 'null';
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean' ? t : 'other';
}

/** A scalar as the text to show: strings quoted but not escaped, so prompts keep their lines. */
export function scalarText(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `"${visibleControls(v)}"`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return visibleControls(String(v));
}

/**
 * Control characters other than newline, carriage return and tab, shown as `\x1b`-style escapes
 * (the form developers recognise for ANSI codes, and legible in every font), never interpreted.
 */
export function visibleControls(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The parsed value when a string holds a JSON object or array (attributes often do), else undefined. */
export function parseJsonText(s: string): unknown {
  const t = s.trim();
  if (!((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']')))) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return isContainer(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Pretty JSON (two spaces) of any value, a string as it is; never throws (cycles fall back to String). */
export function prettyJson(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x), 2) ?? String(v);
  } catch {
    return String(v);
  }
}
