// Shared by the in-host suites: polling for the extension's state, and running the workspace's
// real agents against its receiver.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as vscode from 'vscode';

/**
 * Polls `fn` until it returns something truthy; on timeout says what it waited for, with
 * `describe()` (e.g. the receiver's state) when given.
 */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 20_000,
  describe?: () => Promise<string>,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${describe ? `: ${await describe()}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The folder the e2e workspace was opened from. */
export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the e2e workspace is open');
  return folder.uri.fsPath;
}

/**
 * Runs one of the workspace's real agents against the extension's receiver. Asynchronously: the
 * receiver lives in this same extension host, and a blocking spawnSync would stop it answering.
 * With the harness's Node (the extension host's process.execPath is code-server's own runtime)
 * and a terminal's environment rather than the extension host's.
 */
export function runWorkspaceAgent(file: string, args: string[], url: string): Promise<void> {
  return runInWorkspace(process.env.TRACEFORK_E2E_NODE || 'node', ['--import', 'tsx', file, ...args], url);
}

/** The Python the workspace's Python agents run on (TRACEFORK_E2E_PYTHON, set by the harness). */
export function workspacePython(): string {
  const python = process.env.TRACEFORK_E2E_PYTHON;
  assert.ok(python, 'TRACEFORK_E2E_PYTHON is not set: make .cache/py-venv first (node scripts/test-python.mjs, part of npm test)');
  return python;
}

/** Runs `exe args…` in the workspace folder against the receiver at `url`, as runWorkspaceAgent does. */
export function runInWorkspace(exe: string, args: string[], url: string): Promise<void> {
  const child = spawn(exe, args, {
    cwd: workspaceDir(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', OTEL_EXPORTER_OTLP_ENDPOINT: url },
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`agent exited ${code}: ${stderr}`))));
  });
}

/**
 * Records where every debug session stops (the top frame's line and file) and continues it, until
 * disposed: how the tests see a replay under the debugger stop at its breakpoint.
 */
export function recordStops(): { stops: Array<{ line: number; file: string }>; dispose(): void } {
  const stops: Array<{ line: number; file: string }> = [];
  const tracker = vscode.debug.registerDebugAdapterTrackerFactory('*', {
    createDebugAdapterTracker: (session) => ({
      onDidSendMessage: (m: { type: string; event?: string; body?: { threadId?: number } }) => {
        if (m.type !== 'event' || m.event !== 'stopped') return;
        void (async () => {
          const trace = await session.customRequest('stackTrace', { threadId: m.body!.threadId, startFrame: 0, levels: 1 });
          const top = trace.stackFrames[0];
          stops.push({ line: top.line, file: top.source?.path ?? '' });
          await session.customRequest('continue', { threadId: m.body!.threadId });
        })();
      },
    }),
  });
  return { stops, dispose: () => tracker.dispose() };
}
