/**
 * The user's own evaluators (`.tracefork/evaluators/*.js` in the first workspace folder): loaded
 * in an isolated worker and reloaded on change — only in a trusted workspace. In an untrusted one
 * nothing is loaded, and the user is told why once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CustomEvaluators } from '../core/eval/custom/customEvaluators';
import { Disposable, toDisposable } from './dispose';
import type { CodeInsights } from './codeInsights';

const DIR = path.join('.tracefork', 'evaluators');

/** Keeps CodeInsights supplied with the workspace's custom evaluators. */
export class CustomEvaluatorsHost extends Disposable {
  private custom: CustomEvaluators | undefined;
  /** The untrusted-workspace message is shown once, not again on every change of the folder. */
  private toldUntrusted = false;

  constructor(
    private readonly insights: CodeInsights,
    private readonly log: vscode.OutputChannel,
  ) {
    super();
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reload()));
    this._register(toDisposable(() => void this.custom?.dispose()));
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return;
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `${DIR}/*.{js,mjs,cjs}`)));
    for (const ev of [watcher.onDidChange, watcher.onDidCreate, watcher.onDidDelete]) this._register(ev(() => void this.reload()));
    void this.reload();
  }

  /** Loads (again) every evaluator module; reports load errors in the log and in a message. */
  async reload(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return;
    const dir = path.join(folder.uri.fsPath, DIR);
    const present = fs.existsSync(dir) && fs.readdirSync(dir).some((f) => /\.(?:js|mjs|cjs)$/.test(f));
    if (!vscode.workspace.isTrusted) {
      if (present && !this.toldUntrusted) {
        this.toldUntrusted = true;
        void vscode.window
          .showInformationMessage(
            `Tracefork does not run the custom evaluators in ${DIR}: this workspace is not trusted. Trust it to run them.`,
            'Manage Workspace Trust',
          )
          .then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
      }
      return;
    }
    await this.custom?.dispose();
    this.custom = undefined;
    if (!present) return this.insights.setCustom(undefined);
    const custom = new CustomEvaluators({ trusted: vscode.workspace.isTrusted }); // true here; the core checks it again
    const { evaluators, notices } = await custom.load(dir);
    if (this.isDisposed) return void custom.dispose();
    for (const n of notices) this.log.appendLine(`custom evaluators: ${n}`);
    if (notices.length) void vscode.window.showWarningMessage(`Tracefork: ${notices[0]}`);
    this.log.appendLine(`custom evaluators: loaded ${evaluators.map((e) => `${e.name}@${e.version}`).join(', ') || 'none'} from ${dir}`);
    this.custom = custom;
    this.insights.setCustom(custom);
  }
}
