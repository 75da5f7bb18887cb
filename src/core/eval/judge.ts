/**
 * Optional LLM-as-judge against any OpenAI-compatible chat completions endpoint. Off unless
 * `enabled`; the only evaluator that uses the network, so it is never part of `runEvaluators`.
 */
import type { Step, StepKind } from '../model/step';
import { asRecord, num, str } from '../adapters/parse';
import { errorScore, score } from './score';
import { answerText, valueText } from './text';
import type { EvalScore } from './types';

/** Where and how to judge. */
export interface JudgeConfig {
  enabled: boolean;
  /** e.g. `http://127.0.0.1:11434/v1` or `https://api.openai.com/v1`. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** What a good answer is, in the user's words. */
  criteria: string;
  /** Passes at score ≥ threshold when the judge does not say passed (default 0.5). */
  threshold?: number;
  timeoutMs?: number;
  /** Step kinds to judge (default llm). */
  kinds?: StepKind[];
}

export const JUDGE = { name: 'llm-judge', version: '1' };

/** The criteria when the user gives none. */
export const DEFAULT_CRITERIA = 'The answer is correct, complete and grounded in what the agent was given.';

const SYSTEM =
  'You grade one step of an AI agent against the given criteria. Reply with a JSON object only: ' +
  '{"score": number from 0 (fails the criteria) to 1 (fully meets them), "passed": boolean, "label": short string, "explanation": one or two sentences}.';

function prompt(step: Step, criteria: string): string {
  const input = (step.input?.messages ?? []).map((m) => `${m.role}: ${m.content ?? ''}`).join('\n') || valueText(step.input?.value);
  return JSON.stringify({ criteria, step: step.name, input: input.slice(-8000), output: (answerText(step) || valueText(step.output?.value)).slice(0, 8000) });
}

/** Asks the judge about one step; any failure (network, HTTP status, unparseable reply) is an error score. */
export async function judgeStep(step: Step, cfg: JudgeConfig): Promise<EvalScore> {
  const url = `${cfg.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cfg.apiKey ? { authorization: `Bearer ${cfg.apiKey}` } : {}) },
      body: JSON.stringify({
        model: cfg.model,
        temperature: 0,
        response_format: { type: 'json_object' },
        messages: [
          { role: 'system', content: SYSTEM },
          { role: 'user', content: prompt(step, cfg.criteria) },
        ],
      }),
      signal: AbortSignal.timeout(cfg.timeoutMs ?? 30_000),
    });
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const body = asRecord(await res.json());
    const content = str(asRecord(asRecord((body?.choices as unknown[] | undefined)?.[0])?.message)?.content);
    const verdict = asRecord(content?.replace(/^\s*```(?:json)?|```\s*$/g, ''));
    const value = num(verdict?.score);
    if (!verdict || value === null) throw new Error(`the judge did not reply with {"score": …}: ${(content ?? '').slice(0, 120)}`);
    const passed = typeof verdict.passed === 'boolean' ? verdict.passed : value >= (cfg.threshold ?? 0.5);
    return score(
      JUDGE,
      { passed, value, label: str(verdict.label) ?? (passed ? 'pass' : 'fail'), explanation: `${cfg.model}: ${str(verdict.explanation) ?? ''}`.trim() },
      'judge',
    );
  } catch (e) {
    return errorScore(JUDGE.name, JUDGE.version, 'judge', `LLM judge failed: ${(e as Error).message}`);
  }
}

/** True for the steps the judge grades: of the chosen kinds (default llm), with an answer to grade. */
export function judgeable(step: Step, cfg: Pick<JudgeConfig, 'kinds'>): boolean {
  return (cfg.kinds ?? ['llm']).includes(step.kind) && !!(answerText(step) || step.output?.value !== undefined);
}

/** Judges every step of the chosen kinds with an answer, one request at a time; nothing when disabled. */
export async function judgeRun(steps: readonly Step[], cfg: JudgeConfig | null | undefined): Promise<Map<string, EvalScore[]>> {
  const out = new Map<string, EvalScore[]>();
  if (!cfg?.enabled) return out;
  for (const s of steps) if (judgeable(s, cfg)) out.set(s.spanId, [await judgeStep(s, cfg)]);
  return out;
}
