/**
 * One webview panel per trace. The webview asks (ready → init; getRows in pages; getDetail on
 * selection); the host answers from the store and pushes `changed` while the run grows.
 */
import * as vscode from 'vscode';
import { runCommand } from './commandRegistry';
import { Disposable } from './dispose';
import { traceHtml } from './webviewHtml';
import { openSource } from './sourceLinks';
import { buildTraceView, type TraceView } from '../core/view/traceView';
import { toStep } from '../core/model/normalize';
import { maskDeep, maskSecrets } from '../core/view/maskSecrets';
import type { EvalScore } from '../core/eval/types';
import { isFromWebview, ROW_PAGE, type FromWebview, type ToWebview } from '../shared/protocol';
import type { ReceiverHost } from './receiverHost';
import type { PriceTable } from '../core/model/cost';
import type { Step } from '../core/model/step';

/** What a panel reads. */
interface PanelContext {
  extensionUri: vscode.Uri;
  host: ReceiverHost;
  log: vscode.OutputChannel;
  prices: () => Partial<PriceTable> | undefined;
  /**
   * The run's scores by span id from the verdict store (the live evaluator's worker, with the
   * custom evaluators' and the judge's), or null when the run is gone. Never computed here.
   */
  verdict: (traceId: string) => Promise<Map<string, EvalScore[]> | null>;
  /** Fires with the runs whose verdicts changed ([]: any run may have). */
  onDidJudge: vscode.Event<string[]>;
}

/** A trace panel. */
export class TracePanel extends Disposable {
  private static readonly open = new Map<string, TracePanel>();
  private view: TraceView | undefined;
  private scores = new Map<string, EvalScore[]>();
  /** Counts verdict requests; only the latest answer is applied. */
  private asked = 0;
  private pendingChange: NodeJS.Timeout | undefined;
  private readonly panel: vscode.WebviewPanel;

  /** Opens (or reveals) the panel of a trace; optionally selects a step. */
  static show(traceId: string, ctx: PanelContext, spanId?: string): TracePanel {
    let p = TracePanel.open.get(traceId);
    if (p) p.panel.reveal();
    else TracePanel.open.set(traceId, (p = new TracePanel(traceId, ctx)));
    if (spanId) p.post({ type: 'select', spanId });
    return p;
  }

  /** Panels currently open (for tests and commands). */
  static all(): TracePanel[] {
    return [...TracePanel.open.values()];
  }

  private constructor(
    readonly traceId: string,
    private readonly ctx: PanelContext,
  ) {
    super();
    this.panel = this._register(
      vscode.window.createWebviewPanel('tracefork.trace', `Run ${traceId.slice(0, 8)}`, vscode.ViewColumn.Active, {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(ctx.extensionUri, 'dist'), vscode.Uri.joinPath(ctx.extensionUri, 'media')],
      }),
    );
    this.panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'tracefork.svg');
    this.panel.webview.html = traceHtml(this.panel.webview, ctx.extensionUri, `Run ${traceId}`);
    this._register(this.panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)));
    this._register(this.panel.onDidDispose(() => this.dispose()));
    this._register(ctx.host.onDidChangeTraces((ids) => (ids.length === 0 || ids.includes(traceId)) && this.scheduleChange()));
    this._register(ctx.onDidJudge((ids) => (ids.length === 0 || ids.includes(traceId)) && this.askScores()));
  }

  dispose(): void {
    TracePanel.open.delete(this.traceId);
    if (this.pendingChange) clearTimeout(this.pendingChange);
    super.dispose();
  }

  /** The rows as the webview sees them (for tests). */
  get rows(): TraceView['rows'] {
    return this.view?.rows ?? [];
  }

  private post(m: ToWebview): void {
    if (!this.isDisposed) void this.panel.webview.postMessage(m);
  }

  private load(): TraceView | undefined {
    const store = this.ctx.host.current;
    const trace = store?.get(this.traceId);
    if (!store || !trace) return undefined;
    const prices = this.ctx.prices() as PriceTable | undefined;
    this.view = buildTraceView(trace, prices);
    // Credentials in trace content never reach the screen (the store keeps them as received).
    for (const row of this.view.rows) {
      row.name = maskSecrets(row.name);
      if (row.error) row.error = maskSecrets(row.error);
    }
    // The scores known so far mark the rows at once; the verdict store's answer follows.
    this.markRows();
    if (!this.asked) this.askScores();
    this.panel.title = `${this.view.header.name} · ${this.view.header.rowCount} steps`;
    return this.view;
  }

  /** Marks each row with the evaluators that failed on it. */
  private markRows(): boolean {
    let changed = false;
    for (const row of this.view?.rows ?? []) {
      const failed = (this.scores.get(row.spanId) ?? []).filter((s) => s.passed === false).map((s) => s.name);
      if (failed.join('\n') === (row.failedScores ?? []).join('\n')) continue;
      row.failedScores = failed;
      changed = true;
    }
    return changed;
  }

  /** Asks the verdict store for the run's scores; the rows and the detail follow when they change. */
  private askScores(): void {
    const n = ++this.asked;
    this.ctx.verdict(this.traceId).then(
      (scores) => {
        if (n !== this.asked || this.isDisposed || !scores) return;
        this.scores = scores;
        if (this.view && this.markRows()) this.post({ type: 'changed', header: this.view.header });
      },
      (e) => this.ctx.log.appendLine(`trace panel: the scores of ${this.traceId} could not be read: ${(e as Error).message}`),
    );
  }

  private receive(raw: unknown): void {
    if (!isFromWebview(raw)) {
      this.ctx.log.appendLine(`trace webview sent an unknown message: ${JSON.stringify(raw).slice(0, 200)}`);
      return;
    }
    try {
      this.handle(raw);
    } catch (e) {
      this.ctx.log.appendLine(`trace panel error: ${(e as Error).stack}`);
      this.post({ type: 'error', message: (e as Error).message });
    }
  }

  private handle(m: FromWebview): void {
    switch (m.type) {
      case 'ready': {
        // Shown again after being hidden (VS Code reloads a hidden webview): the rows and scores
        // built before are still current (a live change rebuilds them), so nothing is re-scored.
        const view = this.view ?? this.load();
        if (view) this.post({ type: 'init', header: view.header });
        else this.post({ type: 'error', message: `Run ${this.traceId} is not in the store (deleted, or evicted by the retention setting).` });
        return;
      }
      case 'getRows': {
        const rows = this.view?.rows.slice(m.start, m.start + Math.min(m.count, ROW_PAGE)) ?? [];
        return this.post({ type: 'rows', inReplyTo: m.requestId, start: m.start, rows });
      }
      case 'getDetail':
        return this.post({ type: 'detail', inReplyTo: m.requestId, step: this.detail(m.spanId) });
      case 'openSource': {
        const step = this.detail(m.spanId);
        if (step) void openSource(step.code, step.name, m.toSide);
        return;
      }
      case 'stepAction': {
        const command = ({ fork: 'tracefork.forkReplay', playground: 'tracefork.playground', saveCase: 'tracefork.saveStepCase' } as const)[m.action];
        void runCommand(command, this.traceId, m.spanId);
        return;
      }
      case 'log':
        return this.ctx.log.appendLine(`webview ${m.level}: ${m.message}`);
      default: {
        const never: never = m;
        this.ctx.log.appendLine(`unhandled webview message ${JSON.stringify(never)}`);
      }
    }
  }

  /** The full step of a row, read again from its journal record. */
  detail(spanId: string): Step | null {
    const view = this.view;
    const i = view?.rows.findIndex((r) => r.spanId === spanId) ?? -1;
    if (!view || i < 0) return null;
    const stored = this.ctx.host.current?.getSpan(this.traceId, spanId, view.recOffs[i]);
    const s = stored?.spans[0];
    if (!s) return null;
    const step = toStep({ span: s.span, resource: s.resource, scope: s.scope, logs: stored.logs }, this.ctx.prices() as PriceTable | undefined);
    return maskDeep({ ...step, depth: view.rows[i].depth, scores: this.scores.get(spanId) ?? step.scores });
  }

  private scheduleChange(): void {
    if (this.pendingChange) return;
    this.pendingChange = setTimeout(() => {
      this.pendingChange = undefined;
      const view = this.load();
      if (view) this.post({ type: 'changed', header: view.header });
    }, 200);
  }
}
