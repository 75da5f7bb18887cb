/**
 * Every command Tracefork registers, with the arguments each takes (as vscode-js-debug's
 * contributionUtils.ts does): registering and running go through `registerCommand` and
 * `runCommand` here, so an id or an argument that does not fit is a type error, not a command that
 * silently does nothing. Titles, icons and menus live in package.json; a unit test keeps the two
 * lists equal (the `tracefork.__*` commands are hidden ones for the end-to-end tests).
 *
 * The types say what Tracefork's own callers pass. A command can also be run by another extension,
 * a keybinding or a `command:` link with anything at all, so the handlers still check what they get.
 */
import * as vscode from 'vscode';
import type { AbChange } from '../core/replay/ab';
import type { Backend } from '../core/otlp/pull';
import type { PairNode } from './replay/compareView';
import type { DirectFork } from './replay/controller';
import type { RunsNode } from './runsView';

/** A run: its trace id, or its node in the Runs view (a context-menu or inline action). */
export type RunArg = string | RunsNode | undefined;

/** The commands and their arguments. */
export interface TraceforkCommands {
  'tracefork.openRun': [run?: RunArg, spanId?: string];
  'tracefork.showRuns': [];
  'tracefork.refresh': [];
  'tracefork.filterRuns': [];
  'tracefork.clearFilter': [];
  'tracefork.deleteRun': [run?: RunArg];
  'tracefork.clearRuns': [];
  'tracefork.importOtlp': [];
  'tracefork.openFromBackend': [args?: { from?: Backend; url?: string; traceId?: string; headers?: string; project?: string }];
  'tracefork.runAgent': [commandLine?: string];
  'tracefork.abRuns': [direct?: { runs: string[]; change: AbChange }];
  'tracefork.showTrends': [series?: string];
  'tracefork.refreshRegressionCases': [];
  'tracefork.setForwardHeaders': [line?: string];
  'tracefork.exportRun': [run?: RunArg];
  'tracefork.saveRegressionCase': [run?: RunArg];
  'tracefork.setJudgeApiKey': [key?: string];
  'tracefork.restartReceiver': [];
  'tracefork.useFreePort': [];
  'tracefork.copyEndpoint': [];
  'tracefork.showLog': [];
  'tracefork.forkReplay': [traceId?: string, spanId?: string, direct?: DirectFork];
  'tracefork.playground': [traceId: string, spanId: string];
  'tracefork.compareWithOriginal': [run?: RunArg];
  'tracefork.compareRuns': [run?: RunArg];
  'tracefork.openStepDiff': [index: number];
  'tracefork.compareInputs': [node: PairNode];
  'tracefork.compareOutputs': [node: PairNode];
  'tracefork.saveStepCase': [traceId: string, spanId: string];
  'tracefork.setPlaygroundKey': [];
  // Hidden: state for the end-to-end tests running inside the extension host.
  'tracefork.__state': [];
  'tracefork.__replayState': [traceId?: string];
  'tracefork.__alerts': [];
  'tracefork.__trends': [];
  'tracefork.__caseTests': [];
  'tracefork.__runTooltip': [traceId: string];
}

/** A Tracefork command id. */
export type CommandId = keyof TraceforkCommands;

/** Registers the handler of a Tracefork command. */
export function registerCommand<K extends CommandId>(id: K, handler: (...args: TraceforkCommands[K]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown);
}

/** Runs a Tracefork command. */
export function runCommand<K extends CommandId>(id: K, ...args: TraceforkCommands[K]): Thenable<unknown> {
  return vscode.commands.executeCommand(id, ...args);
}

/** The trace id a run argument names (a trace id, or a run node of the Runs view). */
export function runIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const node = arg as RunsNode | undefined;
  return node?.kind === 'run' ? node.run.traceId : undefined;
}
