/**
 * Replay planning: from a stored run, the step to fork at and the user's edit, the plan file the
 * SDK follows (sdk/REPLAY.md). Calls that started before the fork are served from the recording;
 * the steps enclosing the fork run live (marked `through`) so the fork is reached.
 */
import { randomUUID } from 'node:crypto';
import type { StoredTrace } from '../store/queries';
import type { PlannedStep, ReplayPlan, ToolPolicy } from '../../../sdk/src/contract';
import { recordedCalls, type RecordedCall } from './recorded';

/** Why a plan cannot be made, said so the user knows what to do. */
export class PlanError extends Error {}

/** The recorded call a span stands for: the span itself, else the first recorded call under it. */
export function forkCall(trace: StoredTrace, spanId: string): RecordedCall {
  const calls = recordedCalls(trace);
  if (calls.length === 0)
    throw new PlanError(
      'This run was not recorded with the Tracefork SDK (no tracefork.step.* attributes), so it cannot be replayed. Record the agent with the SDK (see sdk/README.md), or re-send one LLM call in the playground.',
    );
  const own = calls.find((c) => c.spanId === spanId);
  if (own) return own;
  const children = new Map<string, string[]>();
  for (const { span } of trace.spans) if (span.parentSpanId) children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span.spanId]);
  const under = new Set<string>();
  const stack = [spanId];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      under.add(c);
      stack.push(c);
    }
  }
  const first = calls.find((c) => under.has(c.spanId));
  if (!first) throw new PlanError('This step made no call recorded by the Tracefork SDK; pick an LLM call or a tool call of the run.');
  return first;
}

/** Options of a plan. */
export interface PlanOptions {
  /** The span to fork at; null replays the whole recording (no edit). */
  forkSpanId: string | null;
  /** The edited input of the fork step (an encoded JSON value); undefined keeps the recorded one. */
  input?: unknown;
  /** Per-tool policies before the fork (already resolved from 'ask'). */
  tools?: Record<string, ToolPolicy>;
}

/**
 * Steps (`step()` groups) always run through: serving one would skip the calls inside it. So do
 * calls whose recording is lossy: served, they would hand the agent something else.
 */
function planned(c: RecordedCall, through = c.op === 'step' || c.lossy): PlannedStep {
  const s: PlannedStep = { key: c.key, op: c.op, name: c.name, inputHash: c.inputHash, input: c.input };
  if (c.error) s.error = c.error;
  else s.output = c.output;
  if (through) s.through = true;
  return s;
}

/** The ancestors (by key prefix) of a key: `/step:a#0/llm:m#1` has `/step:a#0`. */
function isAncestorKey(anc: string, key: string): boolean {
  return key.startsWith(`${anc}/`);
}

/** The replay plan for a stored run. */
export function buildPlan(trace: StoredTrace, opts: PlanOptions): ReplayPlan {
  const calls = recordedCalls(trace);
  if (calls.length === 0) forkCall(trace, opts.forkSpanId ?? ''); // throws the explanation
  const planId = randomUUID();
  if (!opts.forkSpanId) {
    return { version: 1, planId, original: { traceId: trace.traceId, forkSpanId: null }, steps: calls.map((c) => planned(c)), fork: null, tools: opts.tools };
  }
  const fork = forkCall(trace, opts.forkSpanId);
  const steps: PlannedStep[] = [];
  for (const c of calls) {
    if (c === fork) continue;
    if (isAncestorKey(c.key, fork.key) || c.op === 'step' || c.lossy) steps.push(planned(c, true));
    else if (c.startUs < fork.startUs || (c.startUs === fork.startUs && c.key < fork.key)) {
      if (!isAncestorKey(fork.key, c.key)) steps.push(planned(c)); // calls inside the fork step are live
    }
  }
  return {
    version: 1,
    planId,
    original: { traceId: trace.traceId, forkSpanId: fork.spanId },
    steps,
    fork: { key: fork.key, op: fork.op, name: fork.name, input: opts.input === undefined ? fork.input : opts.input },
    tools: opts.tools,
  };
}

/** The names of the tools recorded before the fork (what a per-tool policy can be asked for). */
export function toolsBefore(plan: ReplayPlan): string[] {
  return [...new Set(plan.steps.filter((s) => s.op === 'tool' && !s.through).map((s) => s.name))];
}
