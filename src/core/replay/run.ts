/**
 * Running a replay: the plan file is written next to the store, the agent's command is started
 * with TRACEFORK_REPLAY_PLAN naming it, and the replayed run is found in the store by its plan id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ReplayPlan } from '../../../sdk/src/contract';
import { PLAN_ENV } from '../../../sdk/src/contract';
import type { StoredTrace, TraceSummary } from '../store/queries';
import { replayOrigin } from './recorded';

/**
 * Writes the plan (it holds the run's full content) into a fresh private folder under `parent`,
 * readable by this user only, and returns its path and a function that removes it.
 */
export function writePlan(parent: string, plan: ReplayPlan): { file: string; remove(): void } {
  fs.mkdirSync(parent, { recursive: true });
  const dir = fs.mkdtempSync(path.join(parent, 'tracefork-plan-'));
  const file = path.join(dir, `${plan.planId}.json`);
  fs.writeFileSync(file, JSON.stringify(plan, null, 2), { mode: 0o600 });
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** How to start the agent. */
export interface AgentCommand {
  command: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Run through the shell (a command line from settings). */
  shell?: boolean;
}

/** Starts the agent under the plan (none: a plain run); output goes to `onOutput`. */
export function startReplay(cmd: AgentCommand, planFile: string | null, onOutput: (text: string) => void): ChildProcess {
  const child = spawn(cmd.command, cmd.args ?? [], {
    cwd: cmd.cwd,
    shell: cmd.shell ?? false,
    env: { ...process.env, ...cmd.env, ...(planFile ? { [PLAN_ENV]: planFile } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so cancelling stops the whole command (a shell and what it started).
    detached: process.platform !== 'win32',
  });
  child.stdout?.on('data', (b: Buffer) => onOutput(b.toString('utf8')));
  child.stderr?.on('data', (b: Buffer) => onOutput(b.toString('utf8')));
  return child;
}

/** Stops the agent and everything it started. */
export function stopReplay(child: ChildProcess): void {
  try {
    if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, 'SIGTERM');
    else child.kill('SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}

/** What finding the replayed run needs from a store. */
export interface RunSource {
  list(): TraceSummary[];
  get(traceId: string): StoredTrace | null;
}

/** The replayed run of `plan` in the store, or null when it has not arrived (yet). */
export function findReplayRun(store: RunSource, plan: ReplayPlan): TraceSummary | null {
  for (const t of store.list()) {
    if (t.replayOf !== plan.original.traceId) continue;
    const trace = store.get(t.traceId);
    if (trace && replayOrigin(trace)?.planId === plan.planId) return t;
  }
  return null;
}
