/**
 * One webview panel per trace. The webview asks (ready → init; getRows in pages; getDetail on
 * selection); the host answers through the view worker, which reads the run from the journal and
 * keeps its rows, so nothing of a big run is decoded or held on this thread. The host adds the
 * verdict store's scores and pushes `changed` while the run grows (the worker reads only what is new).
 */
import * as vscode from 'vscode';
import { runCommand } from './commandRegistry';
import { Disposable } from './dispose';
import { traceHtml } from './webviewHtml';
import { openSource } from './sourceLinks';
import { maskDeep } from '../core/view/maskSecrets';
import type { EvalScore } from '../core/eval/types';
import { isFromWebview, ROW_PAGE, type FromWebview, type ToWebview } from '../shared/protocol';
import type { ReceiverHost } from './receiverHost';
import type { PriceTable } from '../core/model/cost';
import type { Step } from '../core/model/step';
import type { RowData, TraceHeader } from '../core/view/rows';
import type { ViewWorker } from '../core/view/worker/client';
import type { TraceLocation } from '../core/view/worker/protocol';

/** What a panel reads. */
interface PanelContext {
  extensionUri: vscode.Uri;
  host: ReceiverHost;
  log: vscode.OutputChannel;
  prices: () => Partial<PriceTable> | undefined;
  /** The view worker every panel reads its run through. */
  views: ViewWorker;
  /**
   * The run's scores by span id from the verdict store (the live evaluator's worker, with the
   * custom evaluators' and the judge's), or null when the run is gone. Never computed here.
   */
  verdict: (traceId: string) => Promise<Map<string, EvalScore[]> | null>;
  /** Fires with the runs whose verdicts changed ([]: any run may have). */
  onDidJudge: vscode.Event<string[]>;
}

/** Where a run lies in the store's journal, or null when it is not in the store. */
async function locateRun(host: ReceiverHost, traceId: string): Promise<TraceLocation | null> {
  const store = host.current;
  if (!store) return null;
  const found = await (store.locateAsync ? store.locateAsync([traceId]) : store.locate([traceId]));
  const t = found.traces[0];
  return t ? { journal: found.journal, offsets: t.offsets, spanCount: t.spanCount } : null;
}

/** A trace panel. */
export class TracePanel extends Disposable {
  private static readonly open = new Map<string, TracePanel>();
  private header: TraceHeader | undefined;
  /** The view worker's thread (epoch) that counts this panel as holding the run; -1 before. */
  private heldIn = -1;
  /** The load in progress, and whether another is due after it (the run changed meanwhile). */
  private loading: Promise<TraceHeader | undefined> | undefined;
  private reload = false;
  private scores = new Map<string, EvalScore[]>();
  /** The scores arrived from the verdict store (until then rows show the agent's own). */
  private scored = false;
  private failingKey = '';
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
    // The worker drops the run once no panel holds it: its memory goes back.
    if (this.holding) this.ctx.views.close(this.traceId).catch((e: Error) => this.ctx.log.appendLine(`trace panel: ${e.message}`));
    super.dispose();
  }

  /** The number of rows, and the failing rows' names and evaluators (for tests). */
  async testView(): Promise<{ rows: number; failedRows: Array<[string, string[]]> }> {
    const failing = [...this.scores].filter(([, list]) => list.some((s) => s.passed === false));
    const names = new Map(this.holding ? await this.ctx.views.names(this.traceId, failing.map(([id]) => id).slice(0, 50)) : []);
    return {
      rows: this.header?.rowCount ?? 0,
      failedRows: failing.filter(([id]) => names.has(id)).map(([id, list]) => [names.get(id)!, failedNames(list)]),
    };
  }

  private post(m: ToWebview): void {
    if (!this.isDisposed) void this.panel.webview.postMessage(m);
  }

  private get prices(): PriceTable | undefined {
    return this.ctx.prices() as PriceTable | undefined;
  }

  /** Has the worker read what is new of the run; one load at a time, another after it if the run changed meanwhile. */
  private load(): Promise<TraceHeader | undefined> {
    if (this.loading) {
      this.reload = true;
      return this.loading;
    }
    const first = !this.header;
    const run = this.readRun(first).finally(() => {
      this.loading = undefined;
      if (this.reload && !this.isDisposed) {
        this.reload = false;
        this.scheduleChange();
      }
    });
    this.loading = run;
    return run;
  }

  /** True while the view worker holds the run for this panel. */
  private get holding(): boolean {
    return this.heldIn >= 0;
  }

  private async readRun(first: boolean): Promise<TraceHeader | undefined> {
    const progress = first ? this.showProgress() : undefined;
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const at = await locateRun(this.ctx.host, this.traceId);
        if (!at || this.isDisposed) return undefined;
        // Opened in a thread that ended meanwhile (a crash): the new one is told a panel holds it.
        const open = this.heldIn !== this.ctx.views.epoch || !this.ctx.views.running;
        const reply = await this.ctx.views.update(this.traceId, at, open, this.prices);
        this.heldIn = this.ctx.views.epoch;
        if (reply.stale || !reply.header) continue; // compacted between the two calls: locate again
        this.header = reply.header;
        this.panel.title = `${reply.header.name} · ${reply.header.rowCount} steps`;
        if (!this.asked) this.askScores();
        return reply.header;
      }
      throw new Error('the store was compacted three times while the run was read; open it again');
    } finally {
      progress?.();
    }
  }

  /** A notification with the steps read so far, when reading the run takes longer than a moment. Returns its end. */
  private showProgress(): () => void {
    let end: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (end = resolve));
    const timer = setTimeout(() => {
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Opening run ${this.traceId.slice(0, 8)}` }, (progress) => {
        let last = 0;
        const stop = this.ctx.views.onProgress((traceId, read, total) => {
          if (traceId !== this.traceId) return;
          progress.report({
            message: `${read.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} steps read`,
            increment: ((read - last) / total) * 100,
          });
          last = read;
        });
        return done.finally(stop);
      });
    }, 400);
    return () => (clearTimeout(timer), end());
  }

  /** Asks the verdict store for the run's scores; the rows and the detail follow when they change. */
  private askScores(): void {
    const n = ++this.asked;
    this.ctx.verdict(this.traceId).then(
      (scores) => {
        if (n !== this.asked || this.isDisposed || !scores) return;
        this.scores = scores;
        this.scored = true;
        const key = [...scores]
          .map(([id, list]) => `${id}:${failedNames(list).join(',')}`)
          .filter((k) => !k.endsWith(':'))
          .join('\n');
        if (key === this.failingKey) return;
        this.failingKey = key;
        if (this.header) this.post({ type: 'changed', header: this.header });
      },
      (e) => this.ctx.log.appendLine(`trace panel: the scores of ${this.traceId} could not be read: ${(e as Error).message}`),
    );
  }

  private receive(raw: unknown): void {
    if (!isFromWebview(raw)) {
      this.ctx.log.appendLine(`trace webview sent an unknown message: ${JSON.stringify(raw).slice(0, 200)}`);
      return;
    }
    this.handle(raw).catch((e: Error) => {
      this.ctx.log.appendLine(`trace panel error: ${e.stack}`);
      this.post({ type: 'error', message: e.message });
    });
  }

  private async handle(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready': {
        // Shown again after being hidden (VS Code reloads a hidden webview): the worker still
        // holds the rows, so nothing is read again.
        const header = this.header ?? (await this.load());
        if (header) this.post({ type: 'init', header });
        else this.post({ type: 'error', message: `Run ${this.traceId} is not in the store (deleted, or evicted by the retention setting).` });
        return;
      }
      case 'getRows': {
        const rows = this.holding ? ((await this.ctx.views.rows(this.traceId, m.start, Math.min(m.count, ROW_PAGE))) ?? []) : [];
        return this.post({ type: 'rows', inReplyTo: m.requestId, start: m.start, rows: this.marked(rows) });
      }
      case 'getDetail':
        return this.post({ type: 'detail', inReplyTo: m.requestId, step: await this.detail(m.spanId) });
      case 'openSource': {
        const step = await this.detail(m.spanId);
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

  /** Rows marked with the evaluators that failed on them, once the verdict store answered. */
  private marked(rows: RowData[]): RowData[] {
    if (!this.scored) return rows;
    for (const row of rows) row.failedScores = failedNames(this.scores.get(row.spanId) ?? []);
    return rows;
  }

  /** The full step of a row, read again from its journal record by the view worker, with its scores. */
  private async detail(spanId: string): Promise<Step | null> {
    if (!this.holding) return null;
    const step = await this.ctx.views.detail(this.traceId, spanId, this.prices);
    if (!step) return null;
    const scores = this.scores.get(spanId);
    return scores ? { ...step, scores: maskDeep(scores) } : step;
  }

  private scheduleChange(): void {
    if (this.pendingChange) return;
    this.pendingChange = setTimeout(() => {
      this.pendingChange = undefined;
      // Not shown yet: the webview's ready loads it.
      if (!this.header) return;
      this.load().then(
        (header) => header && this.post({ type: 'changed', header }),
        (e: Error) => this.ctx.log.appendLine(`trace panel: ${this.traceId} could not be read again: ${e.message}`),
      );
    }, 200);
  }
}

function failedNames(scores: readonly EvalScore[]): string[] {
  return scores.filter((s) => s.passed === false).map((s) => s.name);
}
