/** Short, stable text for the numbers the tree, header and detail pane show. */

/** A duration: `850 µs`, `340 ms`, `1.24 s`, `2m 05s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '';
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m ${String(s).padStart(2, '0')}s`;
}

/** A token count: `950`, `1.2k`, `3.4M`. */
export function formatCount(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '';
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** Input → output tokens, or '' when neither is known. */
export function formatTokens(input: number | null | undefined, output: number | null | undefined): string {
  if (input == null && output == null) return '';
  return `${formatCount(input ?? 0)}→${formatCount(output ?? 0)}`;
}

/** A cost in dollars with enough digits to be useful for fractions of a cent. */
export function formatCost(usd: number | null | undefined): string {
  if (usd == null || !Number.isFinite(usd)) return '';
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toPrecision(2)}`;
  return `$${usd.toFixed(usd < 1 ? 3 : 2)}`;
}

/** Where a bar starts and how wide it is, in percent of the trace, never thinner than `minPct`. */
export function barGeometry(offsetMs: number, durationMs: number, totalMs: number, minPct = 0.2): { left: number; width: number } {
  if (!(totalMs > 0)) return { left: 0, width: 100 };
  const left = clamp((offsetMs / totalMs) * 100, 0, 100 - minPct);
  return { left, width: clamp((durationMs / totalMs) * 100, minPct, 100 - left) };
}

function clamp(v: number, lo: number, hi: number): number {
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : lo;
}

/** An integer with thousands separators (`100,000`), without Intl (its first use costs ~100 ms). */
export function formatInt(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '';
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
