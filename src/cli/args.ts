/** Argument parsing for the CLI: node's parseArgs with errors that say what to do. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import * as path from 'node:path';

/** A usage error: printed with the usage line, exit code 2. */
export class UsageError extends Error {}

/** Default database: TRACEFORK_DB, else .tracefork/traces.db under the current folder. */
export function defaultDb(): string {
  return process.env.TRACEFORK_DB || path.join(process.cwd(), '.tracefork', 'traces.db');
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses argv for one command; unknown options and wrong positionals become UsageError. */
export function parse<O extends Options>(argv: string[], options: O, positionals: { min: number; max: number; name: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const n = parsed.positionals.length;
  if (n < positionals.min) throw new UsageError(`missing ${positionals.name}`);
  if (n > positionals.max) throw new UsageError(`unexpected argument "${parsed.positionals[positionals.max]}"`);
  return parsed;
}

/** A port number option, checked. */
export function portOption(v: string | undefined, fallback: number, flag = '--port'): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a number from 0 to 65535, got "${v}"`);
  return n;
}
