/** The fork & replay commands: fork, playground, comparisons, step diffs, one step as a regression case. */
import { caseRecording } from '../../core/eval/caseRun';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { evaluateTrace } from '../../core/eval/trace';
import { CASES_DIR, writeRegressionCase } from '../../core/eval/cases';
import { recordedCalls } from '../../core/replay/recorded';
import type { CompareView, PairNode } from './compareView';
import type { DirectFork, ReplayController } from './controller';
import type { ReceiverHost } from '../receiverHost';
import type { RunsNode } from '../runsView';

const traceOf = (arg: unknown): string | undefined =>
  typeof arg === 'string' ? arg : (arg as RunsNode | undefined)?.kind === 'run' ? (arg as { run: { traceId: string } }).run.traceId : undefined;

/** Registers the replay commands. */
export function registerReplayCommands(c: { host: ReceiverHost; replay: ReplayController; compare: CompareView; secrets: vscode.SecretStorage }): vscode.Disposable[] {
  const reg = (id: string, fn: (...args: never[]) => unknown) => vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown);
  return [
    reg('tracefork.forkReplay', (traceId: string, spanId: string, direct?: DirectFork) => {
      if (typeof traceId !== 'string' || typeof spanId !== 'string') {
        void vscode.window.showInformationMessage('Tracefork: open a run, select a step, and use "Fork & Replay…" in its details.');
        return;
      }
      return c.replay.fork(traceId, spanId, direct);
    }),
    reg('tracefork.runAgent', (commandLine?: string) => c.replay.runAgent(typeof commandLine === 'string' ? commandLine : undefined)),
    reg('tracefork.playground', (traceId: string, spanId: string) => c.replay.playground(traceId, spanId)),
    reg('tracefork.compareWithOriginal', async (arg: unknown) => {
      const id = traceOf(arg);
      const run = c.host.current?.list().find((t) => t.traceId === id);
      if (!run?.replayOf) {
        void vscode.window.showInformationMessage('Tracefork: this run is not a fork of another run.');
        return;
      }
      return c.compare.show(run.replayOf, run.traceId);
    }),
    reg('tracefork.compareRuns', async (arg: unknown) => {
      const runs = c.host.current?.list() ?? [];
      const pickRun = (title: string, exclude?: string) =>
        vscode.window.showQuickPick(runs.filter((r) => r.traceId !== exclude).map((r) => ({ label: r.name, description: `${r.traceId.slice(0, 8)} · ${new Date(r.startTime).toLocaleString()}${r.replayOf ? ' · fork' : ''}`, id: r.traceId })), { title });
      const first = traceOf(arg) ?? (await pickRun('Compare: the original (left)'))?.id;
      if (!first) return;
      const second = await pickRun('Compare with (right)', first);
      if (second) return c.compare.show(first, second.id);
    }),
    reg('tracefork.openStepDiff', (index: number) => c.compare.openDiff(index)),
    reg('tracefork.compareInputs', (node: PairNode) => c.compare.openDiff(node.index, 'input')),
    reg('tracefork.compareOutputs', (node: PairNode) => c.compare.openDiff(node.index, 'output')),
    reg('tracefork.saveStepCase', (traceId: string, spanId: string) => saveStepCase(c.host, traceId, spanId)),
    reg('tracefork.setPlaygroundKey', async () => {
      const key = await vscode.window.showInputBox({ title: 'API key for tracefork.playground.url', password: true, prompt: 'Kept in VS Code\'s secret storage; empty removes it.' });
      if (key === undefined) return;
      if (key) await c.secrets.store('tracefork.playground.apiKey', key);
      else await c.secrets.delete('tracefork.playground.apiKey');
    }),
    // Hidden: the replay state for the end-to-end tests.
    reg('tracefork.__replayState', (traceId?: string) => {
      const trace = typeof traceId === 'string' ? c.host.current?.get(traceId) : null;
      const cur = c.compare.current;
      const last = c.replay.last;
      return {
        comparison: cur && { left: cur.left, right: cur.right, firstDivergence: cur.comparison.firstDivergence, pairs: cur.comparison.pairs.map((p) => ({ status: p.status, differs: p.differs, source: p.source, name: (p.right ?? p.left)!.name, kind: (p.right ?? p.left)!.kind, spanId: p.right?.spanId ?? null })) },
        calls: trace ? recordedCalls(trace).map((x) => ({ spanId: x.spanId, key: x.key, op: x.op, name: x.name, source: x.source, error: x.error?.message ?? null })) : null,
        last: last && { planId: last.plan.planId, run: last.run?.traceId ?? null, exitCode: last.exitCode, divergences: last.divergences, cancelled: last.cancelled, forkKey: last.plan.fork?.key ?? null },
      };
    }),
  ];
}

/** Writes one step as a regression case (input, output, failed evaluators) under .tracefork/cases/. */
async function saveStepCase(host: ReceiverHost, traceId: string, spanId: string): Promise<void> {
  const trace = host.current?.get(traceId);
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!trace || !folder) {
    void vscode.window.showWarningMessage('Tracefork: open a workspace folder to save regression cases in.');
    return;
  }
  const { steps, scores } = evaluateTrace(trace);
  const step = steps.find((s) => s.spanId === spanId);
  if (!step) return;
  const file = writeRegressionCase(step, steps, scores.get(spanId) ?? [], path.join(folder.uri.fsPath, CASES_DIR), new Date(), caseRecording(trace, spanId));
  void vscode.commands.executeCommand('tracefork.refreshRegressionCases');
  void vscode.window.showInformationMessage(`Tracefork saved "${step.name}" as a regression case in ${path.relative(folder.uri.fsPath, file)}.`, 'Open').then((a) => {
    if (a) void vscode.window.showTextDocument(vscode.Uri.file(file));
  });
}
