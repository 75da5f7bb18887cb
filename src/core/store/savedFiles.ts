/**
 * What the files saved beside the store (a big run's rows, its verdict) have in common: one file
 * per trace named by a hash of its id, written to a temporary file and renamed (a reader never sees
 * half a file), and a byte budget per folder kept by deleting the least recently used first.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A short stable hash of any JSON value (price tables, options, record offsets). */
export const hashOf = (v: unknown): string =>
  createHash('sha1')
    .update(JSON.stringify(v ?? null))
    .digest('hex');

/** The file of a trace in `dir` (its id hashed: an id is whatever the exporter sent). */
export const savedFileOf = (dir: string, traceId: string, ext: string): string =>
  path.join(dir, `${createHash('sha1').update(traceId).digest('hex').slice(0, 32)}${ext}`);

/**
 * Writes `parts` to `file` through a temporary file. Resolves true once the file is in place,
 * false when `current()` says what was written went stale meanwhile (the file is not kept).
 */
export async function writeSaved(file: string, parts: readonly Uint8Array[], current: () => boolean = () => true): Promise<boolean> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tmpOf(file);
  const fh = await fs.promises.open(tmp, 'w');
  try {
    await fh.writev(parts as Uint8Array[]);
  } finally {
    await fh.close();
  }
  if (!current()) {
    fs.rmSync(tmp, { force: true });
    return false;
  }
  fs.renameSync(tmp, file);
  return true;
}

/** The same, blocking (a worker thread that answers once the file is in place). */
export function writeSavedSync(file: string, data: Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tmpOf(file);
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

const tmpOf = (file: string) => `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;

/** Reads a saved file and marks it used (last out of the budget); null when there is none. */
export function readSaved(file: string): Buffer | null {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return null;
  }
  const now = new Date();
  try {
    fs.utimesSync(file, now, now);
  } catch {
    // deleted meanwhile: the bytes read are still whole
  }
  return buf;
}

/**
 * Keeps the `ext` files of `dir` within `budget` bytes, least recently used out first (never
 * `keep`), and clears temporary files left by a thread that ended mid-write.
 */
export function pruneSaved(dir: string, ext: string, budget: number, keep: string): void {
  const files: Array<{ file: string; size: number; used: number }> = [];
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    try {
      const st = fs.statSync(file);
      if (name.endsWith('.tmp')) {
        if (Date.now() - st.mtimeMs > 600_000) fs.rmSync(file, { force: true });
      } else if (name.endsWith(ext)) files.push({ file, size: st.size, used: st.mtimeMs });
    } catch {
      // gone meanwhile
    }
  }
  let total = files.reduce((s, f) => s + f.size, 0);
  for (const f of files.sort((a, b) => a.used - b.used)) {
    if (total <= budget) break;
    if (f.file === keep) continue;
    fs.rmSync(f.file, { force: true });
    total -= f.size;
  }
}
