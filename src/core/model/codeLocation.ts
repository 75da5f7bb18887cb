/**
 * Where a step's code lives: `code.*` attributes (current and pre-1.30 names), else the first useful
 * frame of `code.stacktrace`, else of an `exception` event's `exception.stacktrace`.
 */
import { fileURLToPath } from 'node:url';
import type { CodeLocation, StepEvent } from './step';
import { firstNum, firstStr } from '../adapters/parse';

const V8_CALL = /^\s*at (?:async )?(.*?) \((.*)\)\s*$/;
const V8_BARE = /^\s*at (?:async )?(\S.*?)\s*$/;
const LOCATION = /^(.*?):(\d+)(?::\d+)?$/;
const PYTHON = /^\s*File "(.+)", line (\d+)(?:, in (.+?))?\s*$/;
const LIBRARY = /node_modules|site-packages|dist-packages|[\\/]lib[\\/]python\d/;

/** A path for a `file://` URL; other locations unchanged. */
function toPath(file: string): string {
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
function v8Frame(line: string): CodeLocation | null {
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
function pythonFrame(lines: string[]): CodeLocation | null {
  let found: CodeLocation | null = null;
  for (const line of lines) {
    const m = PYTHON.exec(line);
    if (m?.[1] && isUseful(m[1])) found = { file: m[1], line: Number(m[2]), function: m[3] ?? null };
  }
  return found;
}

/** The first frame of a V8 or Python stack trace that is neither a dependency nor a runtime internal. */
export function usefulFrame(stack: unknown): CodeLocation | null {
  if (typeof stack !== 'string' || stack === '') return null;
  const lines = stack.split(/\r?\n/);
  if (lines.some((l) => PYTHON.test(l))) return pythonFrame(lines);
  for (const line of lines) {
    const f = v8Frame(line);
    if (f && isUseful(f.file)) return f;
  }
  return null;
}

/** `code.file.path`/`code.line.number`/`code.function.name`, or the older `code.filepath`/`lineno`/`function`. */
function fromAttributes(a: Record<string, unknown>): CodeLocation | null {
  const file = firstStr(a, 'code.file.path', 'code.filepath');
  if (!file) return null;
  const ns = firstStr(a, 'code.namespace');
  const oldFn = firstStr(a, 'code.function');
  const fn = firstStr(a, 'code.function.name') ?? (oldFn && ns ? `${ns}.${oldFn}` : oldFn);
  return { file: toPath(file), line: firstNum(a, 'code.line.number', 'code.lineno'), function: fn };
}

/** The step's code location from its attributes and events, or null when nothing points at user code. */
export function codeLocation(attrs: Record<string, unknown>, events: StepEvent[]): CodeLocation | null {
  const direct = fromAttributes(attrs) ?? usefulFrame(attrs['code.stacktrace']);
  if (direct) return direct;
  for (const e of events) {
    if (e.name !== 'exception') continue;
    const f = usefulFrame(e.attributes['exception.stacktrace']);
    if (f) return f;
  }
  return null;
}
