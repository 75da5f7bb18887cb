/** The fork & replay commands: fork, playground, comparisons, step diffs, one step as a regression case. */
import { caseRecording } from '../../core/eval/caseRun';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildSteps } from '../../core/model/steps';
import type { EvalScore } from '../../core/eval/types';
import { CASES_DIR, writeRegressionCase } from '../../core/eval/cases';
import { recordedCalls } from '../../core/replay/recorded';
import type { CompareView, PairNode } from './compareView';
import type { DirectFork, ReplayController } from './controller';
import type { AbChange } from '../../core/replay/ab';
import type { ReceiverHost } from '../receiverHost';
import { registerCommand, runCommand, runIdOf } from '../commandRegistry';

const traceOf = runIdOf;

/** Registers the replay commands. */
export function registerReplayCommands(c: {
  host: ReceiverHost;
  replay: ReplayController;
  compare: CompareView;
  secrets: vscode.SecretStorage;
  verdict: (traceId: string) => Promise<Map<string, EvalScore[]> | null>;
}): vscode.Disposable[] {
  const reg = registerCommand;
  return [
    reg('tracefork.forkReplay', (traceId?: string, spanId?: string, direct?: DirectFork) => {
      if (typeof traceId !== 'string' || typeof spanId !== 'string') {
        void vscode.window.showInformationMessage('Tracefork: open a run, select a step, and use "Fork & Replay…" in its details.');
        return;
      }
      return c.replay.fork(traceId, spanId, direct);
    }),
    reg('tracefork.runAgent', (commandLine?: string) => c.replay.runAgent(typeof commandLine === 'string' ? commandLine : undefined)),
    reg('tracefork.abRuns', (direct?: { runs: string[]; change: AbChange }) => (direct?.runs ? c.replay.abRuns(direct.runs, direct.change) : pickAb(c))),
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
        vscode.window.showQuickPick(
          runs
            .filter((r) => r.traceId !== exclude)
            .map((r) => ({
              label: r.name,
              description: `${r.traceId.slice(0, 8)} · ${new Date(r.startTime).toLocaleString()}${r.replayOf ? ' · fork' : ''}`,
              id: r.traceId,
            })),
          { title },
        );
      const first = traceOf(arg) ?? (await pickRun('Compare: the original (left)'))?.id;
      if (!first) return;
      const second = await pickRun('Compare with (right)', first);
      if (second) return c.compare.show(first, second.id);
    }),
    reg('tracefork.openStepDiff', (index: number) => c.compare.openDiff(index)),
    reg('tracefork.compareInputs', (node: PairNode) => c.compare.openDiff(node.index, 'input')),
    reg('tracefork.compareOutputs', (node: PairNode) => c.compare.openDiff(node.index, 'output')),
    reg('tracefork.saveStepCase', (traceId: string, spanId: string) => saveStepCase(c.host, c.verdict, traceId, spanId)),
    reg('tracefork.setPlaygroundKey', async () => {
      const key = await vscode.window.showInputBox({
        title: 'API key for tracefork.playground.url',
        password: true,
        prompt: "Kept in VS Code's secret storage; empty removes it.",
      });
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
        comparison: cur && {
          left: cur.left,
          right: cur.right,
          firstDivergence: cur.comparison.firstDivergence,
          pairs: cur.comparison.pairs.map((p) => ({
            status: p.status,
            differs: p.differs,
            source: p.source,
            name: (p.right ?? p.left)!.name,
            kind: (p.right ?? p.left)!.kind,
            spanId: p.right?.spanId ?? null,
          })),
        },
        calls: trace
          ? recordedCalls(trace).map((x) => ({ spanId: x.spanId, key: x.key, op: x.op, name: x.name, source: x.source, error: x.error?.message ?? null }))
          : null,
        last: last && {
          planId: last.plan.planId,
          run: last.run?.traceId ?? null,
          exitCode: last.exitCode,
          divergences: last.divergences,
          cancelled: last.cancelled,
          forkKey: last.plan.fork?.key ?? null,
        },
      };
    }),
  ];
}

/** Asks which runs and which change for *A/B a Change over Recorded Runs…*, then runs it. */
async function pickAb(c: { host: ReceiverHost; replay: ReplayController }): Promise<unknown> {
  const runs = (c.host.current?.list() ?? []).filter((t) => !t.replayOf);
  if (!runs.length) {
    void vscode.window.showInformationMessage('Tracefork: there are no recorded runs to A/B yet.');
    return undefined;
  }
  const kind = await vscode.window.showQuickPick(
    [
      { label: 'The current code', description: 'each run again from its first call, live', change: 'code' as const },
      { label: 'An edited system prompt…', description: 'the first model call of each run with your system prompt', change: 'system' as const },
      { label: 'An edited step input…', description: 'a named step (tool or model) with your input (JSON)', change: 'step' as const },
    ],
    { title: 'Tracefork A/B: what changes?' },
  );
  if (!kind) return undefined;
  let change: AbChange = { kind: 'code' };
  if (kind.change === 'system') {
    const text = await vscode.window.showInputBox({
      title: 'Tracefork A/B: the system prompt to try',
      prompt: "Replaces the system prompt of each run's first model call; everything after it runs live.",
    });
    if (!text) return undefined;
    change = { kind: 'system', text };
  } else if (kind.change === 'step') {
    const name = await vscode.window.showInputBox({
      title: 'Tracefork A/B: the step to edit',
      prompt: 'A tool name or model id, as recorded (e.g. getWeather)',
    });
    if (!name) return undefined;
    const json = await vscode.window.showInputBox({
      title: `Tracefork A/B: the input of ${name} (JSON)`,
      validateInput: (v) => {
        try {
          JSON.parse(v);
          return null;
        } catch (e) {
          return (e as Error).message;
        }
      },
    });
    if (json === undefined) return undefined;
    change = { kind: 'step', name, input: JSON.parse(json) };
  }
  const picked = await vscode.window.showQuickPick(
    runs.slice(0, 200).map((r, i) => ({
      label: r.name,
      description: `${r.traceId.slice(0, 8)} · ${new Date(r.startTime).toLocaleString()}${r.status === 'error' ? ' · failing' : ''}`,
      picked: i < 10,
      id: r.traceId,
    })),
    { title: 'Tracefork A/B: which runs? (the 10 most recent are selected)', canPickMany: true },
  );
  if (!picked?.length) return undefined;
  return c.replay.abRuns(
    picked.map((p) => p.id),
    change,
  );
}

/** Writes one step as a regression case (input, output, failed evaluators) under .tracefork/cases/. */
async function saveStepCase(
  host: ReceiverHost,
  verdict: (traceId: string) => Promise<Map<string, EvalScore[]> | null>,
  traceId: string,
  spanId: string,
): Promise<void> {
  const trace = host.current?.get(traceId);
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!trace || !folder) {
    void vscode.window.showWarningMessage('Tracefork: open a workspace folder to save regression cases in.');
    return;
  }
  const scores = (await verdict(traceId)) ?? new Map<string, EvalScore[]>(); // the verdict the panel shows
  const steps = buildSteps(trace);
  const step = steps.find((s) => s.spanId === spanId);
  if (!step) return;
  const file = writeRegressionCase(step, steps, scores.get(spanId) ?? [], path.join(folder.uri.fsPath, CASES_DIR), new Date(), caseRecording(trace, spanId));
  void runCommand('tracefork.refreshRegressionCases');
  void vscode.window
    .showInformationMessage(`Tracefork saved "${step.name}" as a regression case in ${path.relative(folder.uri.fsPath, file)}.`, 'Open')
    .then((a) => {
      if (a) void vscode.window.showTextDocument(vscode.Uri.file(file));
    });
}
