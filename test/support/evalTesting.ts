/** Test helpers: steps from partial objects, a context, and the shared clean fixtures as runs. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Step } from '../../src/core/model/step';
import { buildSteps } from '../../src/core/model/steps';
import { tracesFromOtlpJson } from '../../src/core/eval/otlpFile';
import { Baseline } from '../../src/core/eval/baseline';
import { DEFAULT_OPTIONS, type EvalContext, type EvalOptions } from '../../src/core/eval/types';

let counter = 0;

/** A step with defaults (an `ok` llm step at 2025-01-01) overridden by `p`. */
export function mkStep(p: Partial<Step> = {}): Step {
  counter++;
  return {
    traceId: 'a'.repeat(32),
    spanId: counter.toString(16).padStart(16, '0'),
    parentSpanId: null,
    name: 'chat',
    kind: 'llm',
    convention: 'gen_ai',
    model: 'm',
    provider: null,
    input: null,
    output: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    startTime: new Date(Date.UTC(2025, 0, 1) + counter).toISOString(),
    durationMs: 10,
    status: 'ok',
    error: null,
    code: null,
    scores: [],
    sessionId: null,
    toolName: null,
    toolCallId: null,
    agentName: null,
    finishReason: null,
    rollupTokens: null,
    depth: 0,
    attributes: {},
    events: [],
    ...p,
  };
}

/** An llm step answering `text` (finish reason stop) to `user`. */
export function llm(text: string | null, user = 'hello', p: Partial<Step> = {}): Step {
  return mkStep({
    input: {
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: user },
      ],
    },
    output: { messages: [{ role: 'assistant', content: text, finishReason: 'stop' }] },
    finishReason: 'stop',
    ...p,
  });
}

/** A tool step with arguments and a result. */
export function toolStep(name: string, args: unknown, result: unknown, p: Partial<Step> = {}): Step {
  return mkStep({
    name: 'tool',
    kind: 'tool',
    model: null,
    toolName: name,
    input: { value: args },
    output: result === undefined ? null : { value: result },
    ...p,
  });
}

/** A context over `run`. */
export function ctxOf(run: Step[], options: Partial<EvalOptions> = {}, baseline: Baseline | null = null): EvalContext {
  return { run, options: { ...DEFAULT_OPTIONS, ...options }, baseline, memo: new Map() };
}

/** The runs of the clean fixtures captured from real frameworks (test/fixtures), as steps. */
export function fixtureRuns(): Array<{ file: string; steps: Step[] }> {
  const dir = path.resolve(__dirname, '../fixtures');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.otlp.json'))
    .flatMap((f) => tracesFromOtlpJson(fs.readFileSync(path.join(dir, f), 'utf8')).map((t) => ({ file: f, steps: buildSteps(t) })));
}
