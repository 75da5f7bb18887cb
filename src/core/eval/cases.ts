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

/**
 * One regression case. Version 2 adds what running it again as a test needs: the recorded call's
 * step key, how the agent was started when the run recorded it, and the expected outcome. Version-1
 * cases still load (the key is then found from the stored run).
 */
export interface RegressionCase {
  format: 'tracefork.case/1' | 'tracefork.case/2';
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
  /** v2: the step key of the recorded call (sdk/REPLAY.md) the case re-runs from, when the step was recorded. */
  key?: string | null;
  /** v2: the agent's command, when the run recorded it (`tracefork run`); `tracefork test` without `-- COMMAND` starts it. */
  agent?: { command: string[]; cwd: string | null } | null;
  /** v2: what passing means: these evaluators pass on the step, and (`noNewFailures`) nothing fails that did not before; edit it to loosen or widen the gate. */
  expect?: { passes: string[]; noNewFailures: boolean };
}

/** What the recording says about a case's step (v2 fields). */
export interface CaseRecording {
  key: string | null;
  agent: { command: string[]; cwd: string | null } | null;
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
export function regressionCase(
  step: Step,
  run: readonly Step[],
  scores: readonly Score[],
  now = new Date(),
  recording: CaseRecording = { key: null, agent: null },
): RegressionCase {
  const failed = scores.filter((s) => s.passed === false);
  const input = step.input?.messages ?? (step.input?.value !== undefined ? [{ role: 'input', content: valueText(step.input.value) }] : []);
  return {
    format: 'tracefork.case/2',
    createdAt: now.toISOString(),
    traceId: step.traceId,
    spanId: step.spanId,
    step: { name: step.name, kind: step.kind, model: step.model, provider: step.provider },
    input,
    toolResults: toolResults(step, run),
    rejectedOutput: step.output,
    failedEvaluators: failed.map((s) => ({
      name: s.name,
      value: s.value,
      label: s.label,
      explanation: s.explanation,
      source: s.source,
      evaluatorVersion: (s as Score & { evaluatorVersion?: string }).evaluatorVersion ?? null,
    })),
    key: recording.key,
    agent: recording.agent,
    expect: { passes: failed.map((s) => s.name), noNewFailures: true },
  };
}

/** Appends the step's case to `<dir>/cases.jsonl` (creating the folder); returns the file path. */
export function writeRegressionCase(
  step: Step,
  run: readonly Step[],
  scores: readonly Score[],
  dir: string,
  now = new Date(),
  recording?: CaseRecording,
): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'cases.jsonl');
  fs.appendFileSync(file, JSON.stringify(regressionCase(step, run, scores, now, recording)) + '\n');
  return file;
}

/** Reads a cases file back (blank lines skipped); a line of another format or not JSON is an error naming its line. */
export function readRegressionCases(file: string): RegressionCase[] {
  const out: RegressionCase[] = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let c: RegressionCase;
      try {
        c = JSON.parse(line) as RegressionCase;
      } catch (e) {
        throw new Error(`line ${i + 1}: not JSON (${(e as Error).message})`);
      }
      if (c?.format !== 'tracefork.case/1' && c?.format !== 'tracefork.case/2')
        throw new Error(`line ${i + 1}: unknown case format ${JSON.stringify(c?.format)} (this version reads tracefork.case/1 and /2)`);
      out.push(c);
    });
  return out;
}
