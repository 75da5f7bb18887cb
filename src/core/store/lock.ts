/** A pid lock file so that one process writes a database at a time. */
import * as fs from 'node:fs';

/** Another live process holds the database. */
export class StoreBusyError extends Error {
  constructor(
    readonly pid: number,
    readonly dbPath: string,
  ) {
    super(`the database ${dbPath} is being written by another Tracefork process (pid ${pid})`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock at `lockPath` or throws StoreBusyError; a stale lock of a dead process is taken over. */
export function acquireLock(lockPath: string, dbPath: string): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => {
        try {
          if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(lockPath, 'utf8').trim());
      if (pid && alive(pid)) throw new StoreBusyError(pid, dbPath);
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`could not take the lock ${lockPath}`);
}

/** The pid holding the lock, if a live process does. */
export function lockHolder(lockPath: string): number | null {
  try {
    const pid = Number(fs.readFileSync(lockPath, 'utf8').trim());
    return pid && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}
