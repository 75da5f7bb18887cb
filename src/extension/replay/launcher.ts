/**
 * Starting the agent for a replay or a run: a command line in a shell (its output to the Tracefork
 * log, the SDK's divergence lines picked out, cancel stopping its whole process group), or a debug
 * session (a launch.json configuration, or the command's own under the debugger, stopped at the
 * fork step's line). The orchestration around it (plans, progress, finding the run) is the
 * controller's.
 */
import * as fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import { debugConfigFor, isPythonLaunch, type AgentLaunch } from './launch';
import { askForPythonDebugger, hasPythonDebugger } from './python';
import { isPythonFile, pythonBreakLine } from '../../core/replay/launchCommand';
import { startReplay, stopReplay } from '../../core/replay/run';
import { maskSecrets } from '../../core/view/maskSecrets';
import { PLAN_ENV } from '../../../sdk/src/contract';

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Starts agents; resolves with their exit code (null under the debugger or when it could not start). */
export class AgentLauncher {
  constructor(private readonly log: vscode.OutputChannel) {}

  /**
   * False (having said why) when a Python replay that goes through the debugger (Replay under
   * Debugger, or any launch.json configuration) cannot start: no debugpy, or no file to debug.
   */
  canDebug(launch: AgentLaunch, debug: boolean): boolean {
    if (!(debug || launch.kind === 'debug') || !isPythonLaunch(launch)) return true;
    if (!hasPythonDebugger()) {
      askForPythonDebugger();
      return false;
    }
    if (launch.kind === 'command' && !debugConfigFor(launch.commandLine, launch.folder, {})) {
      void vscode.window.showErrorMessage(
        `Tracefork: "${launch.commandLine}" runs no Python file or module (python FILE or python -m MODULE), so it cannot be debugged. Name a launch.json configuration in tracefork.replay.launchConfiguration instead.`,
      );
      return false;
    }
    return true;
  }

  runCommand(
    launch: AgentLaunch & { kind: 'command' },
    env: Record<string, string>,
    divergences: string[],
    token: vscode.CancellationToken,
    label = 'replay',
  ): Promise<number | null> {
    const log = this.log;
    log.appendLine(`${label}: $ ${maskSecrets(launch.commandLine)}  (in ${launch.cwd ?? launch.folder.uri.fsPath})`);
    const plan = env[PLAN_ENV] ?? null;
    let child: ChildProcess;
    return new Promise((resolve) => {
      const { [PLAN_ENV]: _plan, ...rest } = env;
      child = startReplay({ command: launch.commandLine, shell: true, cwd: launch.cwd ?? launch.folder.uri.fsPath, env: rest }, plan, (text) => {
        log.append(text);
        for (const m of text.matchAll(/\[tracefork\] replay: (.*)/g)) divergences.push(m[1]!);
      });
      const sub = token.onCancellationRequested(() => stopReplay(child));
      child.on('error', (e) => (log.appendLine(`${label}: could not start the agent: ${e.message}`), sub.dispose(), resolve(null)));
      child.on('exit', (code) => (log.appendLine(`${label}: the agent exited with code ${code}`), sub.dispose(), resolve(code)));
    });
  }

  async runDebug(
    launch: AgentLaunch,
    env: Record<string, string>,
    debug: boolean,
    file: vscode.Uri | null,
    line: number | null,
    token: vscode.CancellationToken,
  ): Promise<number | null> {
    const base =
      launch.kind === 'debug' ? { ...launch.config, env: { ...(launch.config.env ?? {}), ...env } } : debugConfigFor(launch.commandLine, launch.folder, env);
    if (!base) throw new Error(`"${launch.kind === 'command' ? launch.commandLine : ''}" cannot be started under the debugger.`);
    // Marked with the plan, so this replay's session is told apart from any other (same name or not).
    const marker = env[PLAN_ENV] ?? `run-${Date.now()}-${Math.random()}`;
    const config = { ...base, __traceforkPlan: marker };
    let bp: vscode.SourceBreakpoint | undefined;
    if (debug && file && line && isPythonFile(file.fsPath)) line = pythonBreakLine(readText(file.fsPath), line);
    if (debug && file && line) vscode.debug.addBreakpoints([(bp = new vscode.SourceBreakpoint(new vscode.Location(file, new vscode.Position(line - 1, 0))))]);
    let session: vscode.DebugSession | undefined;
    const subs: vscode.Disposable[] = [];
    try {
      const ended = new Promise<void>((resolve) => {
        subs.push(
          vscode.debug.onDidStartDebugSession((s) => {
            if (s.configuration.__traceforkPlan === marker) session ??= s;
          }),
        );
        subs.push(
          vscode.debug.onDidTerminateDebugSession((s) => {
            if (s.configuration.__traceforkPlan === marker && (!session || s.id === session.id)) resolve();
          }),
        );
      });
      const started = await vscode.debug.startDebugging(launch.folder, config, { noDebug: !debug });
      if (!started) throw new Error(`Could not start the debug configuration "${config.name}".`);
      subs.push(token.onCancellationRequested(() => void vscode.debug.stopDebugging(session)));
      await ended;
      return null;
    } finally {
      subs.forEach((d) => d.dispose());
      if (bp) vscode.debug.removeBreakpoints([bp]);
    }
  }
}
