/**
 * Groundedness (a lexical overlap heuristic, not a semantic judgement): of the answer's sentences
 * with at least 3 content words, the share whose content words are mostly (≥ 60%) found in the
 * retrieved text — documents in the step's input, or from retrieval steps earlier in the run.
 */
import type { Step } from '../../model/step';
import { answerText, hasToolCalls, valueText } from '../text';
import { clip, score } from '../score';
import type { EvalContext, StepEvaluator } from '../types';

const STOP = new Set(
  (
    'the and for are but not you your with this that from have has had was were will would can could should ' +
    "its it's they them their there then than what which who whom when where why how all any each into out over under about " +
    'also just only very more most some such our ours his her she him been being does did doing yes here today'
  ).split(' '),
);
const SUPPORTED = 0.6;
const MAX_RETRIEVALS = 20;

/** Lower-cased content words (≥ 3 letters or any number), plural `s` dropped. */
export function contentWords(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (!raw || STOP.has(raw) || (raw.length < 3 && !/^\d+$/.test(raw))) continue;
    out.push(raw.length > 4 && raw.endsWith('s') ? raw.slice(0, -1) : raw);
  }
  return out;
}

const docsText = (s: Step) => s.output?.documents?.map((d) => d.content ?? '').join('\n') ?? valueText(s.output?.value);

/** The run's retrieval steps by start time, each with its content words (computed once per run). */
function retrievals(ctx: EvalContext): Array<{ start: string; words: string[] }> {
  let list = ctx.memo.get('groundedness') as Array<{ start: string; words: string[] }> | undefined;
  if (!list) {
    list = ctx.run.filter((s) => s.kind === 'retrieval').map((s) => ({ start: s.startTime, words: contentWords(docsText(s)) }));
    list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    ctx.memo.set('groundedness', list);
  }
  return list;
}

/** The words of the retrieved context the step could see; null when it saw none. */
function context(step: Step, ctx: EvalContext): Set<string> | null {
  const words = new Set<string>();
  const sources = retrievals(ctx)
    .filter((r) => r.start <= step.startTime)
    .slice(-MAX_RETRIEVALS);
  for (const r of sources) for (const x of r.words) words.add(x);
  for (const d of step.input?.documents ?? []) for (const x of contentWords(d.content ?? '')) words.add(x);
  return words.size ? words : null;
}

/** Model answers given retrieved context. */
export const groundedness: StepEvaluator = {
  name: 'groundedness',
  version: '1',
  appliesTo: (step, ctx) =>
    step.kind === 'llm' &&
    !hasToolCalls(step) &&
    answerText(step).trim() !== '' &&
    ((step.input?.documents?.length ?? 0) > 0 || (retrievals(ctx)[0]?.start ?? '\uffff') <= step.startTime),
  evaluate(step, ctx) {
    const words = context(step, ctx);
    if (!words) return [];
    const sentences = answerText(step)
      .split(/(?<=[.!?])\s+|\n+/)
      .map((s) => [s, contentWords(s)] as const)
      .filter(([, w]) => w.length >= 3);
    if (!sentences.length) return [];
    const unsupported = sentences.filter(([, w]) => w.filter((x) => words.has(x)).length / w.length < SUPPORTED);
    const share = (sentences.length - unsupported.length) / sentences.length;
    const passed = share >= ctx.options.groundednessMin;
    const worst = unsupported.length ? `; least supported: "${clip(unsupported[0][0], 80)}"` : '';
    const explanation = `lexical overlap heuristic: ${sentences.length - unsupported.length} of ${sentences.length} answer sentences have ≥ ${SUPPORTED * 100}% of their content words in the retrieved text (pass at ≥ ${ctx.options.groundednessMin * 100}%)${worst}`;
    return [score(this, { passed, value: Math.round(share * 100) / 100, label: passed ? 'grounded' : 'ungrounded', explanation })];
  },
};
