/**
 * Finding a step's source file on this machine: the path as recorded when it exists, else
 * the path re-rooted under each workspace folder (longest matching suffix first), so a trace
 * recorded in a container, CI or on a colleague's machine still opens the right file.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The absolute path of the file to open, or null when no candidate exists. */
export function resolveSourcePath(recorded: string, workspaceFolders: readonly string[], exists: (p: string) => boolean): string | null {
  let file = recorded.trim();
  if (file.startsWith('file://')) {
    try {
      file = fileURLToPath(file);
    } catch {
      return null;
    }
  }
  file = file.replace(/\\/g, '/');
  if (path.isAbsolute(file) && exists(file)) return path.normalize(file);
  const segments = file.split('/').filter((s) => s && s !== '.');
  const start = path.isAbsolute(file) || /^[A-Za-z]:$/.test(segments[0] ?? '') ? 1 : 0;
  for (let k = start === 0 ? 0 : 1; k < segments.length; k++) {
    const suffix = segments.slice(k).join('/');
    for (const folder of workspaceFolders) {
      const candidate = path.join(folder, suffix);
      if (exists(candidate)) return candidate;
    }
  }
  return null;
}
