/** The fork editor panel: hosts the webview form and relays launch/cancel to the controller. */
import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { traceHtml } from '../webviewHtml';
import { isFromForkEditor, type ForkModel, type FromForkEditor, type ToForkEditor, type ToolChoice } from '../../shared/protocol';

/** What the editor asks of its owner. */
export interface ForkEditorHandler {
  launch(editor: ForkEditorPanel, input: unknown, tools: Record<string, ToolChoice>, debug: boolean): Promise<void>;
  cancel(editor: ForkEditorPanel): void;
}

/** One editor per step and mode. */
export class ForkEditorPanel extends Disposable {
  private static readonly open = new Map<string, ForkEditorPanel>();
  private readonly panel: vscode.WebviewPanel;

  /** Opens (or reveals) the editor for a step. */
  static show(model: ForkModel, extensionUri: vscode.Uri, handler: ForkEditorHandler, log: vscode.OutputChannel): ForkEditorPanel {
    const id = `${model.mode}:${model.traceId}:${model.spanId}`;
    const existing = ForkEditorPanel.open.get(id);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const p = new ForkEditorPanel(id, model, extensionUri, handler, log);
    ForkEditorPanel.open.set(id, p);
    return p;
  }

  /** Editors currently open (tests). */
  static all(): ForkEditorPanel[] {
    return [...ForkEditorPanel.open.values()];
  }

  private constructor(
    private readonly id: string,
    readonly model: ForkModel,
    extensionUri: vscode.Uri,
    private readonly handler: ForkEditorHandler,
    private readonly log: vscode.OutputChannel,
  ) {
    super();
    const title = `${model.mode === 'playground' ? 'Playground' : 'Fork'}: ${model.stepName}`;
    this.panel = this._register(
      vscode.window.createWebviewPanel('tracefork.fork', title, vscode.ViewColumn.Beside, {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
      }),
    );
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'tracefork.svg');
    this.panel.webview.html = traceHtml(this.panel.webview, extensionUri, title, 'forkEditor.js');
    this._register(this.panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)));
    this._register(this.panel.onDidDispose(() => this.dispose()));
  }

  dispose(): void {
    ForkEditorPanel.open.delete(this.id);
    super.dispose();
  }

  /** Sends a message to the form. */
  post(m: ToForkEditor): void {
    if (!this.isDisposed) void this.panel.webview.postMessage(m);
  }

  /** Shows progress or errors in the form. */
  status(busy: boolean, message: string, errors?: string[]): void {
    this.post({ type: 'forkStatus', busy, message, errors });
  }

  private receive(raw: unknown): void {
    if (!isFromForkEditor(raw)) {
      this.log.appendLine(`fork editor sent an unknown message: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    const m: FromForkEditor = raw;
    switch (m.type) {
      case 'forkReady':
        return this.post({ type: 'forkInit', model: this.model });
      case 'forkLaunch':
        void this.handler.launch(this, m.input, m.tools, m.debug).catch((e: unknown) => this.status(false, '', [(e as Error).message]));
        return;
      case 'forkCancel':
        this.handler.cancel(this);
        return;
      case 'log':
        return this.log.appendLine(`fork editor ${m.level}: ${m.message}`);
      default: {
        const never: never = m;
        this.log.appendLine(`unhandled fork editor message ${JSON.stringify(never)}`);
      }
    }
  }
}
