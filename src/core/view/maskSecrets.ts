/**
 * Masking credentials (API-key shapes, private keys) wherever trace content leaves the store for
 * a person or a file: the UI and exports. The masked form keeps the provider prefix, so a user
 * still sees which key leaked, and no longer matches the pattern, so masking twice changes nothing.
 */
const KEYS: RegExp[] = [
  /\bsk-(?:proj-|ant-(?:api\d\d-)?)?[A-Za-z0-9_-]{20,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----[\s\S]*?(?:-----END (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----|$)/g,
];
const HINT = /sk-|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abprs]-|AIza|PRIVATE KEY/;

/** The text with every credential replaced by its prefix and `…[masked]`. */
export function maskSecrets(text: string): string {
  if (!HINT.test(text)) return text;
  let out = text;
  for (const re of KEYS)
    out = out.replace(re, (m) =>
      m.startsWith('-----BEGIN')
        ? '-----BEGIN PRIVATE KEY-----…[masked]'
        : `${m.slice(0, m.indexOf('-') > 0 && m.indexOf('-') < 8 ? m.indexOf('-') + 1 : 4)}…[masked]`,
    );
  return out;
}

/** A deep copy of a JSON-like value with every string masked (objects' keys are kept). */
export function maskDeep<T>(value: T): T {
  if (typeof value === 'string') return maskSecrets(value) as T;
  if (Array.isArray(value)) return value.map(maskDeep) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v);
    return out as T;
  }
  return value;
}

/**
 * The edited input with the credentials the editor masked put back: every string of the edit that
 * equals the masked form of a string of the recording becomes that recorded string again.
 */
export function unmaskLike(edited: unknown, recorded: unknown): unknown {
  const back = new Map<string, string>();
  const collect = (v: unknown): void => {
    if (typeof v === 'string') {
      const m = maskSecrets(v);
      if (m !== v) back.set(m, v);
    } else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  collect(recorded);
  if (!back.size) return edited;
  const restore = (v: unknown): unknown =>
    typeof v === 'string'
      ? (back.get(v) ?? v)
      : Array.isArray(v)
        ? v.map(restore)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, restore(x)]))
          : v;
  return restore(edited);
}
