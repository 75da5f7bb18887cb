/**
 * Failures → regression cases: one JSON object per line appended to `<dir>/cases.jsonl`
 * (`.tracefork/cases/` in the workspace). The format is documented in README.md and versioned.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Message, Score, Step, StepIO } from '../model/step';
import { toolResultText, valueText } from './text';

/** Where cases go, relative to the workspace folder. */
export const CASES_DIR = path.join('.tracefork', 'cases');

/** A tool result the step could have seen. */
export interface SeenToolResult {
  toolName: string | null;
  toolCallId: string | null;
  arguments: unknown;
  result: string;
  error: string | null;
}

/** One regression case (format version 1). */
export interface RegressionCase {
  format: 'tracefork.case/1';
  createdAt: string;
  traceId: string;
  spanId: string;
  step: { name: string; kind: Step['kind']; model: string | null; provider: string | null };
  /** The step's input messages, or its input value as `[{role:'input', content}]`. */
  input: Message[];
  /** Tool steps that ended before this step started, and tool messages in its input (by call id, once). */
  toolResults: SeenToolResult[];
  /** What the step produced, which failed the evaluators. */
  rejectedOutput: StepIO | null;
  failedEvaluators: Array<Pick<Score, 'name' | 'value' | 'label' | 'explanation' | 'source'> & { evaluatorVersion: string | null }>;
}

function toolResults(step: Step, run: readonly Step[]): SeenToolResult[] {
  const start = Date.parse(step.startTime);
  const out: SeenToolResult[] = [];
  const ids = new Set<string>();
  for (const s of run) {
    if (s.kind !== 'tool' || s === step || Date.parse(s.startTime) + s.durationMs > start) continue;
    if (s.toolCallId) ids.add(s.toolCallId);
    out.push({ toolName: s.toolName, toolCallId: s.toolCallId, arguments: s.input?.value ?? null, result: toolResultText(s), error: s.error });
  }
  for (const m of step.input?.messages ?? []) {
    if (m.role !== 'tool' || (m.toolCallId && ids.has(m.toolCallId))) continue;
    out.push({ toolName: m.name ?? null, toolCallId: m.toolCallId ?? null, arguments: null, result: m.content ?? '', error: null });
  }
  return out;
}

/** The case for a failing step (`scores`: its scores; only the failed ones are kept). */
export function regressionCase(step: Step, run: readonly Step[], scores: readonly Score[], now = new Date()): RegressionCase {
  const input = step.input?.messages ?? (step.input?.value !== undefined ? [{ role: 'input', content: valueText(step.input.value) }] : []);
  return {
    format: 'tracefork.case/1',
    createdAt: now.toISOString(),
    traceId: step.traceId,
    spanId: step.spanId,
    step: { name: step.name, kind: step.kind, model: step.model, provider: step.provider },
    input,
    toolResults: toolResults(step, run),
    rejectedOutput: step.output,
    failedEvaluators: scores.filter((s) => s.passed === false).map((s) => ({
      name: s.name, value: s.value, label: s.label, explanation: s.explanation, source: s.source,
      evaluatorVersion: (s as Score & { evaluatorVersion?: string }).evaluatorVersion ?? null,
    })),
  };
}

/** Appends the step's case to `<dir>/cases.jsonl` (creating the folder); returns the file path. */
export function writeRegressionCase(step: Step, run: readonly Step[], scores: readonly Score[], dir: string, now = new Date()): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'cases.jsonl');
  fs.appendFileSync(file, JSON.stringify(regressionCase(step, run, scores, now)) + '\n');
  return file;
}

/** Reads a cases file back (blank lines skipped). */
export function readRegressionCases(file: string): RegressionCase[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as RegressionCase);
}
