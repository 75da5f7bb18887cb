/**
 * Where a step's code lives: `code.*` attributes (current and pre-1.30 names), else the first useful
 * frame of `code.stacktrace`, else of an `exception` event's `exception.stacktrace`.
 */
import type { CodeLocation, StepEvent } from './step';
import { firstNum, firstStr } from '../adapters/parse';
import { toPath, usefulFrame } from '../../../sdk/src/contract';

export { usefulFrame };

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
