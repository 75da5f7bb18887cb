/**
 * How the agent is started for a replay: `tracefork.replay.launchConfiguration` (a launch.json
 * configuration), else `tracefork.replay.command` (a command line run in the workspace folder),
 * else the user picks a launch configuration or types a command, which can be saved.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { debugpyConfig, guessCommand, isPythonCommand, isPythonFile, nodeDebugConfig } from '../../core/replay/launchCommand';
import { selectedPython } from './python';
import { launchConfigurations, readReplayConfig, saveReplayCommand } from '../config';

/** A resolved way to start the agent. */
export type AgentLaunch =
  | { kind: 'command'; commandLine: string; folder: vscode.WorkspaceFolder; cwd?: string }
  | { kind: 'debug'; config: vscode.DebugConfiguration; folder: vscode.WorkspaceFolder };

const configs = (folder: vscode.WorkspaceFolder) => launchConfigurations(folder.uri);

/** What is configured, without asking (null when nothing is). */
export function configuredLaunch(): AgentLaunch | null {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return null;
  const cfg = readReplayConfig(folder.uri);
  if (cfg.launchConfiguration) {
    const config = configs(folder).find((c) => c.name === cfg.launchConfiguration);
    if (config) return { kind: 'debug', config, folder };
  }
  return cfg.command ? { kind: 'command', commandLine: cfg.command, folder } : null;
}

/** A one-line description of a launch, for the editor. */
export function describeLaunch(l: AgentLaunch | null): string | null {
  return !l ? null : l.kind === 'command' ? l.commandLine : `launch configuration "${l.config.name}"`;
}

/**
 * The configured launch, else asks; `guessFile` (the run's code file) prefills the command (for a
 * .py file with the interpreter the Python extension selected, else python3).
 */
export async function resolveLaunch(guessFile: string | null, log?: vscode.OutputChannel): Promise<AgentLaunch | null> {
  const known = configuredLaunch();
  if (known) return known;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage('Tracefork: open the folder of your agent to replay it.');
    return null;
  }
  const list = configs(folder);
  if (list.length) {
    const pick = await vscode.window.showQuickPick(
      [
        ...list.map((c) => ({ label: c.name, description: c.type, config: c as vscode.DebugConfiguration | null })),
        { label: '$(terminal) Enter a command…', description: '', config: null },
      ],
      { title: 'How is your agent started?' },
    );
    if (!pick) return null;
    if (pick.config) return { kind: 'debug', config: pick.config, folder };
  }
  const rel = guessFile ? path.relative(folder.uri.fsPath, guessFile) : '';
  const python = isPythonFile(rel) ? await selectedPython(folder, log) : null;
  const guess = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? guessCommand(rel, python) : '';
  const commandLine = await vscode.window.showInputBox({
    title: 'Tracefork: the command that starts your agent',
    prompt: 'Run in the workspace folder with TRACEFORK_REPLAY_PLAN set; the agent must use the Tracefork SDK. Saved as tracefork.replay.command.',
    value: guess,
    validateInput: (v) => (v.trim() ? null : 'Enter a command, e.g. npx tsx agent.ts'),
  });
  if (!commandLine) return null;
  await saveReplayCommand(folder.uri, commandLine);
  return { kind: 'command', commandLine, folder };
}

/** True when a replay under the debugger would start a Python interpreter (it needs debugpy). */
export function isPythonLaunch(l: AgentLaunch): boolean {
  return l.kind === 'command' ? isPythonCommand(l.commandLine) : l.config.type === 'debugpy' || l.config.type === 'python';
}

/**
 * The debug configuration for a command line (for "Replay under Debugger" without launch.json):
 * `debugpy` for a Python interpreter, else `node`; words split as a shell does,
 * environment variables expanded. Null for a Python line that runs no file or module.
 */
export function debugConfigFor(commandLine: string, folder: vscode.WorkspaceFolder, env: Record<string, string>): vscode.DebugConfiguration | null {
  const cwd = folder.uri.fsPath;
  return isPythonCommand(commandLine) ? debugpyConfig(commandLine, cwd, env) : nodeDebugConfig(commandLine, cwd, env);
}
