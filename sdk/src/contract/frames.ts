/**
 * The first frame of a stack trace in the user's own code: not a dependency (node_modules,
 * site-packages), not a runtime internal. The Node SDK uses it at each call; the step model uses it
 * for `code.stacktrace` and exception stack traces (V8 and Python formats).
 */
import { fileURLToPath } from 'node:url';

/** A source location: file (a path, not a URL), 1-based line, function name. */
export interface Frame {
  file: string;
  line: number | null;
  function: string | null;
}

const V8_CALL = /^\s*at (?:async )?(.*?) \((.*)\)\s*$/;
const V8_BARE = /^\s*at (?:async )?(\S.*?)\s*$/;
const LOCATION = /^(.*?):(\d+)(?::\d+)?$/;
const PYTHON = /^\s*File "(.+)", line (\d+)(?:, in (.+?))?\s*$/;
const LIBRARY = /node_modules|site-packages|dist-packages|[\\/]lib[\\/]python\d/;

/** A path for a `file://` URL; other locations unchanged. */
export function toPath(file: string): string {
  if (!file.startsWith('file://')) return file;
  try {
    return fileURLToPath(file);
  } catch {
    return decodeURIComponent(file.slice('file://'.length));
  }
}

/** False for dependencies, runtime internals and synthetic locations. */
function isUseful(file: string): boolean {
  if (file === '' || file === 'native' || LIBRARY.test(file)) return false;
  return !/^(node:|internal[\\/]|<|eval at )/.test(file);
}

/** One V8 stack line (`at fn (file:line:col)` or `at file:line:col`) as a location, else null. */
function v8Frame(line: string): Frame | null {
  const call = V8_CALL.exec(line);
  const bare = call ? null : V8_BARE.exec(line);
  const where = call ? call[2] : bare?.[1];
  const loc = where !== undefined ? LOCATION.exec(where) : null;
  if (!loc || loc[1] === undefined) return null;
  const fn = call?.[1];
  const named = fn && !fn.endsWith('<anonymous>') ? fn : null;
  return { file: toPath(loc[1]), line: Number(loc[2]), function: named };
}

/** The innermost useful frame of a Python traceback (most recent call last). */
function pythonFrame(lines: string[]): Frame | null {
  let found: Frame | null = null;
  for (const line of lines) {
    const m = PYTHON.exec(line);
    if (m?.[1] && isUseful(m[1])) found = { file: m[1], line: Number(m[2]), function: m[3] ?? null };
  }
  return found;
}

/** The first frame of a V8 or Python stack trace that is neither a dependency nor a runtime internal. */
export function usefulFrame(stack: unknown): Frame | null {
  if (typeof stack !== 'string' || stack === '') return null;
  const lines = stack.split(/\r?\n/);
  if (lines.some((l) => PYTHON.test(l))) return pythonFrame(lines);
  for (const line of lines) {
    const f = v8Frame(line);
    if (f && isUseful(f.file)) return f;
  }
  return null;
}
