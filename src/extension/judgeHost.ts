/**
 * The optional LLM judge in the extension: off until `tracefork.judge.url` is set, and only in a
 * trusted workspace, since it sends trace content (prompts, answers) to that endpoint. The API key
 * comes from VS Code's secret storage ("Tracefork: Set Judge API Key"), else from the
 * TRACEFORK_JUDGE_API_KEY environment variable; it is never a setting.
 */
import * as vscode from 'vscode';
import { registerCommand } from './commandRegistry';
import { DEFAULT_CRITERIA, type JudgeConfig } from '../core/eval/judge';
import { Disposable } from './dispose';
import { affects, readConfig } from './config';
import type { CodeInsights } from './codeInsights';

const SECRET = 'tracefork.judge.apiKey';
export const JUDGE_KEY_ENV = 'TRACEFORK_JUDGE_API_KEY';

/** Keeps the judge of CodeInsights in line with the settings, the key and workspace trust. */
export class JudgeHost extends Disposable {
  private told = false;
  private applying: Promise<void> = Promise.resolve();

  constructor(
    private readonly insights: CodeInsights,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.OutputChannel,
  ) {
    super();
    this._register(vscode.workspace.onDidChangeConfiguration((e) => affects(e, 'judge') && this.apply()));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.apply()));
    this._register(secrets.onDidChange((e) => e.key === SECRET && this.apply()));
    this._register(registerCommand('tracefork.setJudgeApiKey', (key?: unknown) => this.setKey(key)));
    void this.apply();
  }

  /** Re-reads settings, key and trust; resolves once the judge is (re)configured. */
  apply(): Promise<void> {
    return (this.applying = this.applying.then(() => this.configure()).catch((e) => this.log.appendLine(`judge: ${(e as Error).message}`)));
  }

  private async configure(): Promise<void> {
    const j = readConfig().judge;
    if (!j.url) return this.insights.setJudge(null);
    if (!vscode.workspace.isTrusted) {
      this.insights.setJudge(null);
      if (!this.told)
        void vscode.window
          .showInformationMessage(
            'Tracefork does not run the LLM judge: this workspace is not trusted, and the judge sends trace content to tracefork.judge.url.',
            'Manage Workspace Trust',
          )
          .then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
      this.told = true;
      return;
    }
    if (!j.model) {
      this.insights.setJudge(null);
      void vscode.window.showWarningMessage('Tracefork: the LLM judge needs tracefork.judge.model as well as tracefork.judge.url.');
      return;
    }
    const apiKey = (await this.secrets.get(SECRET)) || process.env[JUDGE_KEY_ENV] || undefined;
    const cfg: JudgeConfig = { enabled: true, baseUrl: j.url, model: j.model, criteria: j.criteria || DEFAULT_CRITERIA, threshold: j.threshold, apiKey };
    this.insights.setJudge(cfg);
    this.log.appendLine(`judge: on, ${j.model} at ${j.url} (${apiKey ? 'with' : 'without'} an API key); grading the llm steps of new runs`);
  }

  /** Stores the key (asked for when not given); an empty key removes it. */
  private async setKey(given: unknown): Promise<void> {
    const key =
      typeof given === 'string'
        ? given
        : await vscode.window.showInputBox({
            title: 'Tracefork: API key of the LLM judge',
            prompt: "Kept in VS Code's secret storage. Leave empty to remove it.",
            password: true,
            ignoreFocusOut: true,
          });
    if (key === undefined) return;
    if (key) await this.secrets.store(SECRET, key);
    else await this.secrets.delete(SECRET);
    await this.apply();
  }
}
