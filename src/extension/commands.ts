/** Every command Tracefork registers; titles and categories live in package.json. */
import { caseRecording } from '../core/eval/caseRun';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { importOtlpText } from '../core/otlp/file';
import { TracePanel } from './tracePanel';
import { traceToOtlpJson } from '../core/otlp/exportJson';
import { buildSteps } from '../core/model/steps';
import { CASES_DIR, writeRegressionCase } from '../core/eval/cases';
import * as path from 'node:path';
import type { ReceiverHost } from './receiverHost';
import type { RunFilter, RunsProvider } from './runsView';
import { registerCommand, runCommand, runIdOf } from './commandRegistry';
import type { CodeInsights } from './codeInsights';
import type { EvalScore } from '../core/eval/types';
import type { ViewWorker } from '../core/view/worker/client';

/** What the commands act on. */
export interface CommandContext {
  host: ReceiverHost;
  runs: RunsProvider;
  insights: CodeInsights;
  log: vscode.OutputChannel;
  activationMs: () => number;
  /** Opens a run's trace panel (optionally at a step). */
  openRun: (traceId: string, spanId?: string) => void;
  /** A run's scores by span id from the verdict store (built-in, custom, judge), null when it is gone. */
  verdict: (traceId: string) => Promise<Map<string, EvalScore[]> | null>;
  /** The trace panels' view worker (its state is shown to the tests). */
  views: ViewWorker;
}

const runId = runIdOf;

/** Registers the commands; returns their disposables. */
export function registerCommands(c: CommandContext): vscode.Disposable[] {
  const reg = registerCommand;
  const store = () => {
    const s = c.host.current;
    if (!s) throw new Error('Tracefork has no store open yet; see the Tracefork output channel.');
    return s;
  };
  return [
    reg('tracefork.openRun', (arg, spanId) => {
      const id = runId(arg);
      if (id) c.openRun(id, typeof spanId === 'string' ? spanId : undefined);
    }),
    reg('tracefork.showRuns', () => vscode.commands.executeCommand('tracefork.runs.focus')),
    reg('tracefork.refresh', () => c.runs.refresh()),
    reg('tracefork.filterRuns', () => filterRuns(c.runs, c.insights.allFailingEvaluators())),
    reg('tracefork.saveRegressionCase', (arg) => saveRegressionCases(c, runId(arg))),
    reg('tracefork.clearFilter', () => c.runs.setFilter({})),
    reg('tracefork.deleteRun', async (arg) => {
      const id = runId(arg);
      if (!id) return;
      store().delete([id]);
      c.insights.refreshNow();
    }),
    reg('tracefork.clearRuns', async () => {
      const ok = await vscode.window.showWarningMessage('Delete every run Tracefork has stored for this workspace?', { modal: true }, 'Delete All');
      if (ok !== 'Delete All') return;
      store().clear();
      c.insights.refreshNow();
    }),
    reg('tracefork.importOtlp', () => importFiles(c)),
    reg('tracefork.exportRun', (arg) => exportRun(c, runId(arg))),
    reg('tracefork.restartReceiver', () => c.host.start()),
    reg('tracefork.useFreePort', () => c.host.useFreePort()),
    reg('tracefork.copyEndpoint', async () => {
      const url = c.host.state.url ?? `http://127.0.0.1:${c.host.state.port ?? 4318}`;
      const grpcPort = c.host.state.grpcPort;
      const http = { label: 'OTLP/HTTP (Node, most SDKs)', text: `OTEL_EXPORTER_OTLP_ENDPOINT=${url}` };
      const grpc = grpcPort
        ? {
            label: 'OTLP/gRPC (Python auto-instrumentation, Phoenix register())',
            text: `OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:${grpcPort} OTEL_EXPORTER_OTLP_PROTOCOL=grpc`,
          }
        : undefined;
      const pick = grpc
        ? await vscode.window.showQuickPick(
            [http, grpc].map((p) => ({ ...p, detail: p.text })),
            { title: 'Copy the endpoint variables for…' },
          )
        : http;
      if (!pick) return;
      await vscode.env.clipboard.writeText(pick.text);
      void vscode.window.showInformationMessage(`Copied ${pick.text}`);
    }),
    reg('tracefork.showLog', () => c.log.show()),
    // Hidden: exposes state to the end-to-end tests running inside the extension host.
    reg('tracefork.__state', async () => ({
      activationMs: c.activationMs(),
      receiver: c.host.state,
      runs: c.runs.runs,
      failingEvaluators: c.insights.allFailingEvaluators(),
      judge: c.insights.judgeEnabled,
      panels: await Promise.all(TracePanel.all().map(async (p) => ({ traceId: p.traceId, ...(await p.testView()) }))),
      views: { running: c.views.running, held: c.views.running ? await c.views.held() : 0 },
    })),
    // Hidden: a listed run's tooltip as VS Code resolves it on hover (headless code-server shows no hover to read).
    reg('tracefork.__runTooltip', (traceId: string) => c.runs.tooltipOf(traceId)),
  ];
}

async function filterRuns(runs: RunsProvider, evaluators: string[]): Promise<void> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: '$(error) Failing runs only', f: { status: 'error' } as RunFilter },
      ...evaluators.map((e) => ({ label: `$(checklist) Failing on evaluator ${e}`, f: { evaluator: e } as RunFilter })),
      { label: '$(pass) Passing runs only', f: { status: 'ok' } as RunFilter },
      { label: '$(symbol-method) By model…', f: { model: '?' } as RunFilter },
      { label: '$(search) By text (name, session, trace id)…', f: { text: '?' } as RunFilter },
      { label: '$(clear-all) No filter', f: {} as RunFilter },
    ],
    { title: 'Filter runs' },
  );
  if (!pick) return;
  if (pick.f.model || pick.f.text) {
    const key = pick.f.model ? 'model' : 'text';
    const value = await vscode.window.showInputBox({ title: `Filter runs by ${key}`, value: runs.currentFilter[key] ?? '' });
    if (value === undefined) return;
    runs.setFilter({ ...runs.currentFilter, [key]: value || undefined });
  } else {
    runs.setFilter(Object.keys(pick.f).length ? { ...runs.currentFilter, ...pick.f } : {});
  }
}

/** Writes the run's failing steps as regression cases (JSONL) under the workspace's .tracefork/cases/. */
async function saveRegressionCases(c: CommandContext, traceId: string | undefined): Promise<void> {
  const trace = traceId ? c.host.current?.get(traceId) : undefined;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!trace || !folder) {
    void vscode.window.showWarningMessage('Tracefork: open a workspace folder to save regression cases in.');
    return;
  }
  const scores = (await c.verdict(trace.traceId)) ?? new Map<string, EvalScore[]>();
  const steps = buildSteps(trace);
  const failing = steps.filter((s) => s.status === 'error' || (scores.get(s.spanId) ?? []).some((x) => x.passed === false));
  if (!failing.length) {
    void vscode.window.showInformationMessage('Tracefork: no step of this run failed, so there is no regression case to save.');
    return;
  }
  const dir = path.join(folder.uri.fsPath, CASES_DIR);
  let file = '';
  for (const step of failing) file = writeRegressionCase(step, steps, scores.get(step.spanId) ?? [], dir, new Date(), caseRecording(trace, step.spanId));
  void runCommand('tracefork.refreshRegressionCases');
  void vscode.window
    .showInformationMessage(`Tracefork saved ${failing.length} regression case(s) to ${path.relative(folder.uri.fsPath, file)}.`, 'Open')
    .then((open) => {
      if (open) void vscode.window.showTextDocument(vscode.Uri.file(file));
    });
}

async function importFiles(c: CommandContext): Promise<void> {
  const uris = await vscode.window.showOpenDialog({ canSelectMany: true, filters: { 'OTLP JSON': ['json', 'jsonl'] }, title: 'Import OTLP/JSON traces' });
  if (!uris?.length) return;
  const s = c.host.current;
  if (!s || c.host.state.mode === 'follower') {
    void vscode.window.showWarningMessage("Tracefork: this window is showing another window's runs; import from the window that is receiving.");
    return;
  }
  let spans = 0;
  for (const uri of uris) {
    try {
      spans += importOtlpText(s, fs.readFileSync(uri.fsPath, 'utf8')).spans;
    } catch (e) {
      void vscode.window.showErrorMessage(`Tracefork: ${uri.fsPath} is not OTLP/JSON (${(e as Error).message}).`);
      return;
    }
  }
  s.flush();
  void vscode.window.showInformationMessage(`Tracefork imported ${spans} spans from ${uris.length} file(s).`);
}

async function exportRun(c: CommandContext, traceId: string | undefined): Promise<void> {
  const trace = traceId ? c.host.current?.get(traceId) : undefined;
  if (!trace) return;
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(`${traceId}.otlp.json`), filters: { 'OTLP JSON': ['json'] } });
  if (!target) return;
  fs.writeFileSync(target.fsPath, JSON.stringify(traceToOtlpJson(trace), null, 1));
  void vscode.window.showInformationMessage(`Tracefork exported run ${traceId} to ${target.fsPath}.`);
}
