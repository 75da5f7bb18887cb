/**
 * Loops: the same tool with the same arguments more than `loopMaxRepeats` times in one run (the
 * (N+1)th identical call and every later one fail); runaway runs: more than `maxSteps` llm + tool steps.
 */
import type { Step } from '../../model/step';
import { clip, pass, score } from '../score';
import type { Placed, RunEvaluator } from '../types';

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same arguments. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

interface Call {
  step: Step;
  name: string;
  args: unknown;
}

/** Executed tool steps, plus calls the models requested that no tool step executed (runs traced without tool spans). */
function calls(run: readonly Step[]): Call[] {
  const tools = run.filter((s) => s.kind === 'tool');
  const executed = new Set(tools.map((s) => s.toolCallId).filter(Boolean));
  const toolNames = new Set(tools.map((s) => s.toolName));
  const out: Call[] = tools.map((s) => ({ step: s, name: s.toolName ?? s.name, args: s.input?.value ?? null }));
  for (const s of run) {
    if (s.kind !== 'llm') continue;
    for (const m of s.output?.messages ?? []) {
      for (const c of m.toolCalls ?? []) {
        if (c.id ? !executed.has(c.id) : !toolNames.has(c.name)) out.push({ step: s, name: c.name, args: c.arguments });
      }
    }
  }
  return out.sort((a, b) => (a.step.startTime < b.step.startTime ? -1 : a.step.startTime > b.step.startTime ? 1 : 0));
}

/** One score per step that made a tool call: its worst repeat count. */
export const loops: RunEvaluator = {
  name: 'loop',
  version: '1',
  evaluateRun(run, ctx) {
    const limit = ctx.options.loopMaxRepeats;
    const counts = new Map<string, number>();
    const worst = new Map<Step, { n: number; call: Call }>();
    for (const call of calls(run)) {
      const key = `${call.name}\u0000${canonical(call.args)}`;
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      const prev = worst.get(call.step);
      if (!prev || n > prev.n) worst.set(call.step, { n, call });
    }
    const out: Placed[] = [];
    for (const [step, { n, call }] of worst) {
      const what = `${call.name}(${clip(canonical(call.args), 80)})`;
      const s =
        n > limit
          ? score(this, {
              passed: false,
              value: n,
              label: 'loop',
              explanation: `${what} called ${n} times with the same arguments in this run (limit ${limit})`,
            })
          : score(this, { passed: true, value: n, explanation: n > 1 ? `${what}: call ${n} of at most ${limit}` : null });
      out.push({ spanId: step.spanId, score: s });
    }
    return out;
  },
};

/** Runaway step counts: fails the run's root when it made more than `maxSteps` llm + tool steps. */
export const runaway: RunEvaluator = {
  name: 'runaway-steps',
  version: '1',
  evaluateRun(run, ctx) {
    if (!run.length) return [];
    const n = run.filter((s) => s.kind === 'llm' || s.kind === 'tool').length;
    const max = ctx.options.maxSteps;
    const s =
      n > max
        ? score(this, { passed: false, value: n, label: 'runaway', explanation: `${n} model and tool steps in one run (limit ${max})` })
        : { ...pass(this), value: n };
    return [{ spanId: run[0].spanId, score: s }];
  },
};
