/**
 * Activation: registers views, commands and providers synchronously (cheap), then starts the
 * receiver in the background so activation stays fast.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readConfig, affects } from './config';
import { ReceiverHost } from './receiverHost';
import { RunsProvider } from './runsView';
import { StatusBar } from './statusBar';
import { CodeInsights } from './codeInsights';
import { registerCommands } from './commands';
import { registerCommand } from './commandRegistry';
import { CustomEvaluatorsHost } from './customEvaluatorsHost';
import { JudgeHost } from './judgeHost';
import { CompareView } from './replay/compareView';
import { ReplayController, REPORT_SCHEME, reportProvider } from './replay/controller';
import { registerReplayCommands } from './replay/commands';
import { TracePanel } from './tracePanel';
import { ViewWorker } from '../core/view/worker/client';
import { profileFromEnv } from '../core/profile';
import { PREBUILT_BUDGET } from '../core/view/worker/viewSession';
import type { PriceTable } from '../core/model/cost';
import { readForwardHeaders, registerBackendCommands } from './backend';
import { registerLmTools } from './lmTools';
import { CaseTests } from './caseTests';
import { Alerts } from './alerts';
import { TrendsPanel } from './trendsPanel';

let closing: (() => Promise<void>) | undefined;

/** Called by VS Code once startup has finished. */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  profileFromEnv('extension-host');
  const log = vscode.window.createOutputChannel('Tracefork');
  const config = readConfig();
  const storage = context.storageUri ?? context.globalStorageUri;
  const host = new ReceiverHost(path.join(storage.fsPath, 'traces.db'), config, log, () => readForwardHeaders(context.secrets));
  closing = () => host.shutdown();
  const version = String((context.extension.packageJSON as { version?: string }).version ?? 'dev');
  // The verdicts of runs too big for the live loop are judged once and saved beside the store.
  const insights = new CodeInsights(host, { lens: config.codeLens, diagnostics: config.diagnostics }, { dir: path.join(storage.fsPath, 'verdicts'), version });
  insights.log = (m) => log.appendLine(m);
  const runs = new RunsProvider(host, (id) => insights.failingEvaluatorsOf(id));
  const tree = vscode.window.createTreeView('tracefork.runs', { treeDataProvider: runs, showCollapseAll: true });
  const updateBadge = () => {
    const failing = runs.totals.failing;
    tree.badge = failing ? { value: failing, tooltip: `${failing} failing run(s)` } : undefined;
    const f = runs.currentFilter;
    tree.message =
      f.status || f.model || f.text || f.evaluator
        ? `Filtered: ${[f.status, f.evaluator && `failing ${f.evaluator}`, f.model && `model ~ ${f.model}`, f.text && `"${f.text}"`].filter(Boolean).join(', ')}`
        : undefined;
  };
  let prices = config.prices ?? undefined;
  const compare = new CompareView(host);
  // Scores come from one place, the verdict store of the live evaluator (its worker), never computed on this thread.
  const verdict = (traceId: string) => insights.verdictOf(traceId);
  // Trace panels read their runs through one view worker; big runs are prebuilt there as they grow.
  // Big runs' rows are saved beside the store once laid out, so they open fast after a reload too.
  const views = new ViewWorker((m) => log.appendLine(m), undefined, {
    rowFiles: { dir: path.join(storage.fsPath, 'views'), version },
  });
  const prebuild = insights.onDidGrowBig(({ journal, traces }) => {
    for (const t of traces.filter((x) => x.spanCount <= PREBUILT_BUDGET))
      views
        .prebuild(t.traceId, { journal, offsets: t.offsets, spanCount: t.spanCount }, prices as PriceTable | undefined)
        .catch((e: Error) => log.appendLine(`prebuilding the rows of ${t.traceId}: ${e.message}`));
  });
  const openRun = (traceId: string, spanId?: string) =>
    TracePanel.show(traceId, { extensionUri: context.extensionUri, host, log, prices: () => prices, views, verdict, onDidJudge: insights.onDidJudge }, spanId);
  const replay = new ReplayController(
    {
      extensionUri: context.extensionUri,
      host,
      log,
      secrets: context.secrets,
      openRun,
      workspaceState: context.workspaceState,
      extraScores: (id) => insights.extraScores(id),
      onDidScore: [insights.onDidEvaluate, insights.onDidJudge],
    },
    compare,
  );
  const caseTests = new CaseTests(host, replay, log);
  const alerts = new Alerts(log);
  const statusBar = new StatusBar(host, runs, alerts);
  context.subscriptions.push(
    prebuild,
    { dispose: () => void views.terminate() },
    compare,
    replay,
    caseTests,
    alerts,
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reportProvider),
    insights.onDidFind((e) => alerts.add(e.findings, e.first)),
    registerCommand('tracefork.__alerts', () => ({ findings: alerts.findings, notified: alerts.notified, statusBar: statusBar.text })),
    registerCommand(
      'tracefork.showTrends',
      (series?: string) =>
        void TrendsPanel.show(
          { extensionUri: context.extensionUri, host, extraScores: (id) => insights.extraScores(id), openRun },
          typeof series === 'string' ? series : undefined,
        ),
    ),
    registerCommand('tracefork.__trends', () => TrendsPanel.open?.model ?? null),
    registerCommand('tracefork.__caseTests', () => ({
      items: [...caseTestsIds(caseTests.ctrl.items)],
      last: Object.fromEntries(caseTests.last),
      messages: Object.fromEntries(caseTests.messages),
    })),
    ...registerReplayCommands({ host, replay, compare, secrets: context.secrets, verdict }),
    ...registerBackendCommands({ host, secrets: context.secrets, workspaceState: context.workspaceState, openRun }),
    ...registerLmTools({ host, replay, prices: () => prices }),
    log,
    host,
    runs,
    insights,
    tree,
    statusBar,
    new CustomEvaluatorsHost(insights, log),
    new JudgeHost(insights, context.secrets, log),
    runs.onDidChangeTreeData(updateBadge),
    insights.onDidEvaluate(() => runs.redraw()), // evaluator verdicts mark runs and feed the filter
    ...registerCommands({ host, runs, insights, log, activationMs: () => activationMs, openRun, verdict, views }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affects(e, 'receiver', 'retention', 'prices', 'codeLens', 'diagnostics', 'forward', 'proxy')) return;
      const next = readConfig();
      prices = next.prices ?? undefined;
      insights.setEnabled({ lens: next.codeLens, diagnostics: next.diagnostics });
      if (affects(e, 'receiver', 'retention', 'forward', 'proxy')) void host.reconfigure(next);
    }),
  );
  void vscode.workspace.fs.createDirectory(storage).then(() => host.start());
  const activationMs = performance.now() - started;
  log.appendLine(`activated in ${activationMs.toFixed(1)} ms; the receiver starts in the background`);
}

/** Every test item id under a collection (the hidden state command for the end-to-end tests). */
function* caseTestsIds(items: vscode.TestItemCollection): Iterable<{ id: string; label: string; line: number | null; parent: string | null }> {
  for (const [, item] of items) {
    yield { id: item.id, label: item.label, line: item.range ? item.range.start.line + 1 : null, parent: item.parent?.id ?? null };
    yield* caseTestsIds(item.children);
  }
}

/**
 * Everything else is in context.subscriptions; the receiver is awaited here so that its worker
 * writes the index snapshot before the extension host exits (the next window then opens at once
 * instead of re-reading the journal's tail).
 */
export function deactivate(): Promise<void> | undefined {
  return closing?.();
}
