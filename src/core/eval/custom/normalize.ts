/** Turns what a custom evaluator returned into scores, rejecting malformed ones as error scores. */
import { errorScore } from '../score';
import type { EvalScore } from '../types';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function field<T>(o: Record<string, unknown>, key: string, ok: (v: unknown) => v is T): T | null | undefined {
  const v = o[key];
  if (v === undefined || v === null) return null;
  return ok(v) ? v : undefined;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';

/** One returned object as a score, or a string saying what is wrong with it. */
function one(o: unknown, ev: { name: string; version: string }): EvalScore | string {
  if (!isObj(o)) return `returned ${JSON.stringify(o)?.slice(0, 60)}, not an object`;
  const value = field(o, 'value', isNum);
  const label = field(o, 'label', isStr);
  const passed = field(o, 'passed', isBool);
  const explanation = field(o, 'explanation', isStr);
  const name = field(o, 'name', isStr);
  const bad = Object.entries({ value, label, passed, explanation, name })
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (bad.length) return `returned a score with invalid ${bad.join(', ')} (value: number, label: string, passed: boolean, explanation: string)`;
  return {
    name: name ?? ev.name,
    value: value ?? null,
    label: label ?? null,
    passed: passed ?? null,
    source: 'custom',
    explanation: explanation ?? null,
    evaluatorVersion: ev.version,
  };
}

/** Scores from a returned value: an object, an array of them, or null/undefined for "no score". */
export function toScores(value: unknown, ev: { name: string; version: string }): EvalScore[] {
  if (value === null || value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((o) => {
    const s = one(o, ev);
    return typeof s === 'string' ? errorScore(ev.name, ev.version, 'custom', `evaluator ${s}`) : s;
  });
}
