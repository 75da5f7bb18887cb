/**
 * Scores the agent sent (source 'agent'): `gen_ai.evaluation.result` events (span events or log
 * records; attached to the step whose `gen_ai.response.id` they name, else to their own span),
 * OpenInference evaluation/annotation attributes, Arize-style `eval.<name>.score|label|explanation`,
 * and numeric attributes the user maps to scores.
 */
import type { Step } from '../../model/step';
import { asRecord, indexed, num, str } from '../../adapters/parse';
import type { Attrs } from '../../adapters/types';
import type { EvalScore, Placed, RunEvaluator, ScoreMapping } from '../types';

const PASS = /^(?:pass(?:ed)?|true|yes|correct|good|ok|success|relevant|grounded|faithful|factual|safe|supported)$/i;
const FAIL = /^(?:fail(?:ed)?|false|no|incorrect|bad|error|irrelevant|hallucinated|hallucination|unsafe|toxic|ungrounded|unfaithful|unsupported)$/i;

/** Passed from a label the agent chose: common pass/fail words, else null (no verdict). */
export function passedFromLabel(label: string | null): boolean | null {
  if (!label) return null;
  return PASS.test(label.trim()) ? true : FAIL.test(label.trim()) ? false : null;
}

function agentScore(name: string | null, value: unknown, label: unknown, explanation: unknown): EvalScore | null {
  if (!name) return null;
  const l = str(label);
  const v = num(value);
  if (v === null && l === null) return null;
  return { name, value: v, label: l, passed: passedFromLabel(l), source: 'agent', explanation: str(explanation) };
}

/** `gen_ai.evaluation.result` events: [score, response id it refers to]. */
function eventScores(step: Step): Array<[EvalScore, string | null]> {
  const out: Array<[EvalScore, string | null]> = [];
  for (const e of step.events) {
    if (e.name !== 'gen_ai.evaluation.result') continue;
    const a: Attrs = { ...(asRecord(e.body) ?? {}), ...e.attributes };
    const s = agentScore(
      str(a['gen_ai.evaluation.name']),
      a['gen_ai.evaluation.score.value'],
      a['gen_ai.evaluation.score.label'],
      a['gen_ai.evaluation.explanation'],
    );
    if (s) out.push([s, str(a['gen_ai.response.id'])]);
  }
  return out;
}

/** True when some attribute key could carry a score (one cheap pass before the real ones). */
function mayHoldScores(a: Attrs): boolean {
  const keys = Object.keys(a);
  for (let i = 0; i < keys.length; i++) {
    const c = keys[i].charCodeAt(0);
    if ((c === 101 && keys[i].startsWith('eval')) || (c === 97 && keys[i].startsWith('annotation'))) return true;
  }
  return false;
}

/** OpenInference `evaluations.N.evaluation.*` / `annotations.N.annotation.*` / flat `evaluation.*`, and `eval.<name>.*`. */
function attributeScores(a: Attrs): EvalScore[] {
  if (!mayHoldScores(a)) return [];
  const out: Array<EvalScore | null> = [];
  for (const kind of ['evaluation', 'annotation']) {
    const groups = [...indexed(a, `${kind}s`), a];
    const p = `${kind}.`;
    for (const g of groups) out.push(agentScore(str(g[`${p}name`]), g[`${p}score`], g[`${p}label`], g[`${p}explanation`]));
  }
  const names = new Set<string>();
  for (const key in a) {
    const m = /^eval\.(.+)\.(?:score|label|explanation)$/.exec(key);
    if (m) names.add(m[1]);
  }
  for (const n of names) out.push(agentScore(n, a[`eval.${n}.score`], a[`eval.${n}.label`], a[`eval.${n}.explanation`]));
  return out.filter((s): s is EvalScore => s !== null);
}

/** User-mapped numeric attributes, judged by passBelow / passAbove when given. */
function mappedScores(a: Attrs, mappings: ScoreMapping[]): EvalScore[] {
  const out: EvalScore[] = [];
  for (const m of mappings) {
    const v = num(a[m.attribute]);
    if (v === null) continue;
    const passed = m.passAbove !== undefined ? v >= m.passAbove : m.passBelow !== undefined ? v <= m.passBelow : null;
    const rule = m.passAbove !== undefined ? `pass at ≥ ${m.passAbove}` : m.passBelow !== undefined ? `pass at ≤ ${m.passBelow}` : 'no pass rule';
    out.push({
      name: m.name ?? m.attribute,
      value: v,
      label: passed === null ? null : passed ? 'pass' : 'fail',
      passed,
      source: 'agent',
      explanation: `${m.attribute} = ${v} (${rule})`,
    });
  }
  return out;
}

/** All scores the agent sent for the run, on the steps they belong to. */
export const external: RunEvaluator = {
  name: 'external',
  version: '1',
  evaluateRun(run, ctx) {
    const byResponse = new Map<string, string>();
    const responses = () => {
      if (byResponse.size) return byResponse;
      for (const s of run) {
        const id = str(s.attributes['gen_ai.response.id']) ?? str(s.attributes['ai.response.id']);
        if (id && !byResponse.has(id)) byResponse.set(id, s.spanId);
      }
      return byResponse;
    };
    const out: Placed[] = [];
    for (const step of run) {
      for (const [score, responseId] of eventScores(step)) out.push({ spanId: (responseId && responses().get(responseId)) || step.spanId, score });
      for (const score of attributeScores(step.attributes)) out.push({ spanId: step.spanId, score });
      if (ctx.options.scoreMappings.length)
        for (const score of mappedScores(step.attributes, ctx.options.scoreMappings)) out.push({ spanId: step.spanId, score });
    }
    return out;
  },
};
