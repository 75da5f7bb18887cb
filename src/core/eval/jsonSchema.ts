/**
 * A small JSON Schema subset, enough for tool parameters: type (incl. integer, null, unions),
 * required, properties, additionalProperties (false or a schema), items, enum, const, anyOf/oneOf.
 * Anything else ($ref, formats, numeric and length bounds) is accepted unchecked.
 */

type Schema = Record<string, unknown>;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function typeMatches(v: unknown, t: unknown): boolean {
  if (t === 'integer') return typeof v === 'number' && Number.isInteger(v);
  if (t === 'number') return typeof v === 'number' && Number.isFinite(v);
  if (t === 'object') return isObj(v);
  return typeof t === 'string' ? typeOf(v) === t : true;
}

const show = (v: unknown) => JSON.stringify(v)?.slice(0, 40) ?? String(v);

/** Errors of `value` against `schema`, each prefixed with its path (`$`, `$.city`, `$.items[2]`); [] when valid. */
export function validate(value: unknown, schema: unknown, path = '$', out: string[] = []): string[] {
  if (!isObj(schema) || out.length >= 10) return out;
  const types = Array.isArray(schema.type) ? schema.type : schema.type !== undefined ? [schema.type] : null;
  if (types && !types.some((t) => typeMatches(value, t))) {
    out.push(`${path}: expected ${types.join(' or ')}, got ${typeOf(value)}`);
    return out;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    out.push(`${path}: ${show(value)} is not one of ${show(schema.enum)}`);
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) out.push(`${path}: must be ${show(schema.const)}`);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const alts = schema[key];
    if (Array.isArray(alts) && alts.length && !alts.some((a) => validate(value, a, path).length === 0)) {
      out.push(`${path}: matches none of ${key}`);
    }
  }
  if (isObj(value)) objectErrors(value, schema, path, out);
  if (Array.isArray(value) && isObj(schema.items)) value.forEach((item, i) => validate(item, schema.items, `${path}[${i}]`, out));
  return out;
}

function objectErrors(value: Record<string, unknown>, schema: Schema, path: string, out: string[]): void {
  const props = isObj(schema.properties) ? schema.properties : {};
  for (const r of Array.isArray(schema.required) ? schema.required : []) {
    if (typeof r === 'string' && value[r] === undefined) out.push(`${path}: missing required "${r}"`);
  }
  for (const [k, v] of Object.entries(value)) {
    if (k in props) validate(v, props[k], `${path}.${k}`, out);
    else if (schema.additionalProperties === false) out.push(`${path}: unexpected property "${k}"`);
    else if (isObj(schema.additionalProperties)) validate(v, schema.additionalProperties, `${path}.${k}`, out);
  }
}
