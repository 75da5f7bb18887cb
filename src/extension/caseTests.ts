/**
 * Regression cases in VS Code's Testing view (the `vscode.tests` TestController API): each case of
 * `.tracefork/cases/cases.jsonl` is a test under its workspace folder, grouped by agent (the step's
 * source file, or the command that started the agent) and step name, at the step's source line when
 * the run is kept. *Run* re-runs it against the current code as
 * `tracefork test` does; *Debug* does so under the debugger, stopped at the case's line. Results
 * carry the failing evaluator's explanation and a diff of the rejected output against the new one.
 * Cases update when the file changes (saving a case adds it at once).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommand } from './commandRegistry';
import { CASES_DIR, readRegressionCases, type RegressionCase } from '../core/eval/cases';
import { caseDiff, caseId, failsGate, type CaseResult } from '../core/eval/caseRun';
import { buildSteps } from '../core/model/steps';
import { Disposable } from './dispose';
import { locate } from './sourceLinks';
import type { ReceiverHost } from './receiverHost';
import type { ReplayController } from './replay/controller';

/** The command that re-reads the cases files (run after a case is saved). */
export const REFRESH_CASES = 'tracefork.refreshRegressionCases' as const;

/** The Testing view's regression cases. */
export class CaseTests extends Disposable {
  readonly ctrl: vscode.TestController;
  private readonly cases = new Map<string, RegressionCase>();
  /** The results of the last run, by case id (tests). */
  readonly last = new Map<string, CaseResult>();
  /** The failure message of the last run, by case id (tests): its text and, for a diff, both sides. */
  readonly messages = new Map<string, { message: string; expected: string | null; actual: string | null }>();

  constructor(
    private readonly host: ReceiverHost,
    private readonly replay: ReplayController,
    private readonly log: vscode.OutputChannel,
  ) {
    super();
    this.ctrl = this._register(vscode.tests.createTestController('tracefork.cases', 'Tracefork Regression Cases'));
    this.ctrl.refreshHandler = () => this.refresh();
    this.ctrl.createRunProfile('Run Regression Cases', vscode.TestRunProfileKind.Run, (req, token) => this.run(req, token, false), true);
    this.ctrl.createRunProfile('Debug Regression Cases', vscode.TestRunProfileKind.Debug, (req, token) => this.run(req, token, true), true);
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(`**/${CASES_DIR.split(path.sep).join('/')}/cases.jsonl`));
    for (const ev of [watcher.onDidCreate, watcher.onDidChange, watcher.onDidDelete]) this._register(ev(() => this.refresh()));
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()));
    this._register(host.onDidChangeState(() => this.refresh())); // the store opened: cases get their source lines
    // Saving a case refreshes at once (file events can lag, or miss a folder the watcher excludes).
    this._register(registerCommand(REFRESH_CASES, () => this.refresh()));
    this.refresh();
  }

  /** Reads every folder's cases file into test items. */
  refresh(): void {
    this.cases.clear();
    const folders: vscode.TestItem[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const file = path.join(folder.uri.fsPath, CASES_DIR, 'cases.jsonl');
      if (!fs.existsSync(file)) continue;
      const root = this.ctrl.createTestItem(`folder:${folder.uri}`, folder.name, vscode.Uri.file(file));
      let cases: RegressionCase[];
      try {
        cases = readRegressionCases(file);
      } catch (e) {
        root.error = `${path.relative(folder.uri.fsPath, file)}: ${(e as Error).message}`;
        folders.push(root);
        continue;
      }
      // Folder → agent (its file, or the command that started it) → step name → case.
      const agents = new Map<string, vscode.TestItem>();
      const groups = new Map<string, vscode.TestItem>();
      for (const c of cases) {
        const id = caseId(c);
        this.cases.set(id, c);
        const where = this.location(c);
        const agentLabel = where
          ? path.relative(folder.uri.fsPath, where.uri.fsPath) || path.basename(where.uri.fsPath)
          : c.agent?.command.length
            ? c.agent.command.join(' ')
            : 'run not kept or not located';
        let agent = agents.get(agentLabel);
        if (!agent) {
          agent = this.ctrl.createTestItem(`agent:${folder.uri}:${agentLabel}`, agentLabel, where?.uri);
          agents.set(agentLabel, agent);
        }
        const groupKey = `${agentLabel}\u0000${c.step.name}`;
        let group = groups.get(groupKey);
        if (!group) {
          group = this.ctrl.createTestItem(`group:${folder.uri}:${agentLabel}:${c.step.name}`, c.step.name);
          groups.set(groupKey, group);
          agent.children.add(group);
        }
        const item = this.ctrl.createTestItem(
          id,
          `${c.failedEvaluators.map((e) => e.name).join(', ') || 'saved step'} · run ${c.traceId.slice(0, 8)}`,
          where?.uri,
        );
        if (where?.line) item.range = new vscode.Range(where.line - 1, 0, where.line - 1, 0);
        item.description = new Date(c.createdAt).toLocaleString();
        group.children.add(item);
      }
      root.children.replace([...agents.values()]);
      folders.push(root);
    }
    this.ctrl.items.replace(folders);
  }

  /** Where the case's step is in the code, when its run is still in the store. */
  private location(c: RegressionCase): { uri: vscode.Uri; line: number | null } | null {
    const trace = this.host.current?.get(c.traceId);
    if (!trace || trace.spans.length > 5000) return null;
    const code = buildSteps(trace).find((s) => s.spanId === c.spanId)?.code;
    const uri = code && locate(code);
    return uri ? { uri, line: code.line } : null;
  }

  private leaves(req: vscode.TestRunRequest): vscode.TestItem[] {
    const out: vscode.TestItem[] = [];
    const excluded = new Set((req.exclude ?? []).map((i) => i.id));
    const walk = (i: vscode.TestItem) => {
      if (excluded.has(i.id)) return;
      if (this.cases.has(i.id)) out.push(i);
      else i.children.forEach(walk);
    };
    if (req.include) req.include.forEach(walk);
    else this.ctrl.items.forEach(walk);
    return out;
  }

  private async run(req: vscode.TestRunRequest, token: vscode.CancellationToken, debug: boolean): Promise<void> {
    const run = this.ctrl.createTestRun(req);
    const items = this.leaves(req);
    items.forEach((i) => run.enqueued(i));
    for (const item of items) {
      if (token.isCancellationRequested) {
        run.skipped(item);
        continue;
      }
      const c = this.cases.get(item.id)!;
      run.started(item);
      const started = Date.now();
      let r: CaseResult;
      try {
        r = await this.replay.runCase(c, { debug, token });
      } catch (e) {
        r = { id: item.id, name: c.step.name, outcome: 'error', reason: (e as Error).message, evaluators: [], newFailures: [], traceId: null, output: null };
      }
      this.last.set(item.id, r);
      this.messages.delete(item.id);
      this.log.appendLine(`regression case ${c.step.name} (run ${c.traceId.slice(0, 8)}): ${r.outcome} — ${r.reason}`);
      run.appendOutput(`${c.step.name}: ${r.outcome} — ${r.reason}${r.traceId ? ` (run ${r.traceId})` : ''}\r\n`, undefined, item);
      const ms = Date.now() - started;
      if (r.outcome === 'skipped') run.skipped(item);
      else if (!failsGate(r)) run.passed(item, ms);
      else {
        const diff = caseDiff(c, r);
        const message = diff ? vscode.TestMessage.diff(r.reason, diff.expected, diff.actual) : new vscode.TestMessage(r.reason);
        this.messages.set(item.id, {
          message: typeof message.message === 'string' ? message.message : message.message.value,
          expected: message.expectedOutput ?? null,
          actual: message.actualOutput ?? null,
        });
        const where = this.location(c);
        if (where?.line) message.location = new vscode.Location(where.uri, new vscode.Position(where.line - 1, 0));
        if (r.outcome === 'error') run.errored(item, message, ms);
        else run.failed(item, message, ms);
      }
    }
    run.end();
  }
}
