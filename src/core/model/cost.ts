/** Model list prices and step cost. An unknown model or a missing token count costs null, never a guess. */
import builtin from './prices.json';

/** USD per 1M tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

/** A price table: when the prices were taken, from where, and model name (lowercase) → price. */
export interface PriceTable {
  date: string;
  source: string;
  models: Record<string, ModelPrice>;
}

const BUILTIN: PriceTable = builtin;
const merged = new WeakMap<object, PriceTable>();
const keysByLength = new WeakMap<PriceTable, string[]>();

/** Version suffixes stripped repeatedly: -latest, -2024-08-06, -20241022 / @20241022, -v2:0, -002, -2411. */
const SUFFIXES = [/-latest$/, /-\d{4}-\d{2}-\d{2}$/, /[-@]\d{8}$/, /-v\d+(?::\d+)?$/, /:\d+$/, /-\d{3,4}$/];
/** Bedrock-style vendor prefixes (`anthropic.claude…`, `us.anthropic.claude…`). */
const VENDOR = /^(?:[a-z]{2}\.)?(?:anthropic|openai|meta|mistral|amazon|cohere|google)\./;

/** The built-in table with `overrides` (a whole table or only some models) merged over it; cached per object. */
export function loadPrices(overrides?: Partial<PriceTable> | null): PriceTable {
  if (!overrides || overrides === BUILTIN) return BUILTIN;
  const cached = merged.get(overrides);
  if (cached) return cached;
  const models: Record<string, ModelPrice> = { ...BUILTIN.models };
  for (const [name, price] of Object.entries(overrides.models ?? {})) models[name.toLowerCase()] = price;
  const table = { date: overrides.date ?? BUILTIN.date, source: overrides.source ?? BUILTIN.source, models };
  merged.set(overrides, table);
  merged.set(table, table);
  return table;
}

/** A model name without provider prefix and date/version suffixes: `openai/gpt-4o-2024-08-06` → `gpt-4o`. */
export function baseModelName(model: string): string {
  return stripVersion(bareName(model.trim().toLowerCase()));
}

function bareName(lower: string): string {
  return lower.slice(lower.lastIndexOf('/') + 1).replace(VENDOR, '');
}

function stripVersion(name: string): string {
  let prev = '';
  let cur = name;
  while (prev !== cur) {
    prev = cur;
    for (const re of SUFFIXES) cur = cur.replace(re, '');
  }
  return cur;
}

function sortedKeys(table: PriceTable): string[] {
  let keys = keysByLength.get(table);
  if (!keys) {
    keys = Object.keys(table.models).sort((a, b) => b.length - a.length);
    keysByLength.set(table, keys);
  }
  return keys;
}

/**
 * The price of `model`: exact name, then without a provider prefix (`openai/gpt-4o`), then without a
 * date/version suffix, then the longest known name it starts with (followed by `-`, `_`, `:`, `@` or `/`).
 */
export function priceFor(model: string | null | undefined, table: PriceTable): ModelPrice | null {
  if (!model) return null;
  const exact = model.trim().toLowerCase();
  const bare = bareName(exact);
  const base = stripVersion(bare);
  for (const name of [exact, bare, base]) {
    if (Object.prototype.hasOwnProperty.call(table.models, name)) return table.models[name] ?? null;
  }
  for (const key of sortedKeys(table)) {
    if (bare.startsWith(key) && /[-_:@/]/.test(bare.charAt(key.length))) return table.models[key] ?? null;
  }
  return null;
}

/** Cost in USD, or null when the model is unknown or a token count that has a price is missing. */
export function costUsd(model: string | null, inputTokens: number | null, outputTokens: number | null, table: PriceTable): number | null {
  const price = priceFor(model, table);
  if (!price || (inputTokens === null && outputTokens === null)) return null;
  if ((inputTokens === null && price.input > 0) || (outputTokens === null && price.output > 0)) return null;
  const usd = ((inputTokens ?? 0) * price.input + (outputTokens ?? 0) * price.output) / 1e6;
  return Number(usd.toPrecision(12));
}
