/**
 * Where a worker thread's code is, for the three workers (evaluation, receiver, view): the bundle
 * beside the calling module (dist/ in the packaged extension and the CLI), else the TypeScript
 * source beside it, run under tsx (tests, the dev harness). Null when neither is there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The worker's file and the execArgv it needs, or null. `dir` is the caller's `__dirname`. */
export function workerEntry(dir: string, bundle: string, source: string): { file: string; execArgv: string[] } | null {
  const bundled = path.join(dir, bundle);
  if (fs.existsSync(bundled)) return { file: bundled, execArgv: [] };
  const ts = path.join(dir, source);
  return fs.existsSync(ts) ? { file: ts, execArgv: ['--require', tsxHook()] } : null;
}

/** The tsx loader, for a worker run from the TypeScript source. */
export function tsxHook(): string {
  try {
    return require.resolve('tsx/cjs');
  } catch {
    return 'tsx/cjs';
  }
}
