/**
 * Safety: personal data and credentials in the model's answers, credentials in prompts, and
 * prompt-injection phrasings in the user's turn and in tool results. Message texts repeat from one
 * model call to the next, so each distinct text is scanned once per run.
 */
import type { Step } from '../../model/step';
import { describe, findInjection, findPii, findSecrets, type Finding } from '../patterns';
import { answerText, MAX_SCAN, newInput, toolResultText } from '../text';
import { pass, score } from '../score';
import type { EvalContext, StepEvaluator } from '../types';

type Memo = Map<string, Array<{ text: string; found: Finding[] }>>;

/**
 * `find` over `texts`, each distinct text scanned once per run (memo in the context). The memo is
 * keyed by a short fingerprint and confirmed by comparing the texts: hashing whole multi-KB prompts
 * as Map keys would cost as much as scanning them.
 */
function scan(ctx: EvalContext, key: string, find: (t: string) => Finding[], texts: Array<string | null | undefined>): Finding[] {
  let memo = ctx.memo.get(key) as Memo | undefined;
  if (!memo) ctx.memo.set(key, (memo = new Map()));
  const out: Finding[] = [];
  for (const raw of texts) {
    if (!raw) continue;
    const t = raw.length > MAX_SCAN ? raw.slice(0, MAX_SCAN) : raw;
    const fp = t.length <= 64 ? t : `${t.length}:${t.slice(0, 24)}${t.slice(-24)}`;
    let bucket = memo.get(fp);
    if (!bucket) memo.set(fp, (bucket = []));
    let hit = bucket.find((b) => b.text === t);
    if (!hit) bucket.push((hit = { text: t, found: find(t) }));
    out.push(...hit.found);
  }
  return out;
}

function verdict(ev: StepEvaluator, findings: Finding[], label: string, where: string) {
  if (!findings.length) return [pass(ev)];
  return [score(ev, { passed: false, value: findings.length, label, explanation: `${where}: ${describe(findings)}` })];
}

/** PII in outputs: emails, phone numbers, Luhn-valid card numbers, API-key shapes in the model's answer. */
export const pii: StepEvaluator = {
  name: 'pii',
  version: '1',
  appliesTo: (step) => step.kind === 'llm' && answerText(step).trim() !== '',
  evaluate(step, ctx) {
    return verdict(this, scan(ctx, 'pii', findPii, [answerText(step)]), 'PII', 'the answer contains');
  },
};

/** Secrets in prompts: credential shapes anywhere in a model call's input messages. */
export const secrets: StepEvaluator = {
  name: 'secrets',
  version: '1',
  appliesTo: (step) => step.kind === 'llm' && (step.input?.messages?.length ?? 0) > 0,
  evaluate(step, ctx) {
    const texts = (step.input?.messages ?? []).map((m) => m.content);
    return verdict(this, scan(ctx, 'secrets', findSecrets, texts), 'secret', 'the prompt contains');
  },
};

/** The texts an injection can arrive in: a model call's new user/tool messages, or a tool's result. */
function untrusted(step: Step): string[] {
  if (step.kind === 'tool') return [toolResultText(step)];
  return newInput(step).flatMap((m) => (m.content ? [m.content] : []));
}

/** Prompt injection in inputs and tool results ("ignore previous instructions", "you are now…", system prompt exfiltration…). */
export const injection: StepEvaluator = {
  name: 'prompt-injection',
  version: '1',
  appliesTo: (step) => step.kind === 'llm' || step.kind === 'tool',
  evaluate(step, ctx) {
    const texts = untrusted(step);
    if (!texts.some((t) => t.trim() !== '')) return [];
    const where = step.kind === 'tool' ? 'the tool result contains' : 'the new input contains';
    return verdict(this, scan(ctx, 'injection', findInjection, texts), 'injection', where);
  },
};
