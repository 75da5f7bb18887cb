/**
 * The Trends view: a webview with a chart of one step's score, latency or cost over the last runs,
 * against the band of the runs before each (the drift detector's baseline). Reads the last 50 runs
 * when it opens or is refreshed (runs over 5,000 spans are left out), built-in scores plus the
 * custom evaluators' and the judge's; a point opens its run.
 */
import * as vscode from 'vscode';
import { chronological, evaluateTrace } from '../core/eval/trace';
import { mergeScores } from '../core/eval/engine';
import type { EvalScore } from '../core/eval/types';
import { trendPoints, trendSeries, type EvaluatedRun } from '../core/eval/trends';
import { isFromTrends, type ToTrends, type TrendsModel } from '../shared/protocol';
import { Disposable } from './dispose';
import { traceHtml } from './webviewHtml';
import type { ReceiverHost } from './receiverHost';

const RUNS = 50;
const MAX_SPANS = 5000;

/** The one Trends panel. */
export class TrendsPanel extends Disposable {
  private static current: TrendsPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private runs: EvaluatedRun[] = [];
  private selected: string | null = null;
  /** What the view was last sent (tests). */
  model: TrendsModel | null = null;

  /** Opens (or reveals) the view; `series` selects one (`<step name>\u0000<metric>`). */
  static show(
    ctx: {
      extensionUri: vscode.Uri;
      host: ReceiverHost;
      extraScores: (id: string) => Map<string, EvalScore[]> | undefined;
      openRun: (traceId: string, spanId?: string) => void;
    },
    series?: string,
  ): TrendsPanel {
    const p = (TrendsPanel.current ??= new TrendsPanel(ctx));
    p.panel.reveal();
    p.reload(series);
    return p;
  }

  static get open(): TrendsPanel | undefined {
    return TrendsPanel.current;
  }

  private constructor(
    private readonly ctx: {
      extensionUri: vscode.Uri;
      host: ReceiverHost;
      extraScores: (id: string) => Map<string, EvalScore[]> | undefined;
      openRun: (traceId: string, spanId?: string) => void;
    },
  ) {
    super();
    this.panel = this._register(
      vscode.window.createWebviewPanel('tracefork.trends', 'Tracefork Trends', vscode.ViewColumn.Active, {
        enableScripts: true,
        retainContextWhenHidden: false,
        localResourceRoots: [vscode.Uri.joinPath(ctx.extensionUri, 'dist')],
      }),
    );
    this.panel.iconPath = new vscode.ThemeIcon('graph-line');
    this.panel.webview.html = traceHtml(this.panel.webview, ctx.extensionUri, 'Tracefork Trends', 'trends.js');
    this._register(this.panel.onDidDispose(() => this.dispose()));
    this._register(
      this.panel.webview.onDidReceiveMessage((m: unknown) => {
        if (!isFromTrends(m)) return;
        if (m.type === 'trendsReady') this.send();
        else if (m.type === 'trendsSelect') {
          this.selected = m.id;
          this.send();
        } else if (m.type === 'trendsOpen') ctx.openRun(m.traceId, m.spanId);
      }),
    );
    this._register(ctx.host.onDidChangeTraces(() => this.scheduleReload()));
  }

  private timer: NodeJS.Timeout | undefined;
  private scheduleReload(): void {
    this.timer ??= setTimeout(() => ((this.timer = undefined), this.reload()), 2000);
  }

  /** Reads the last runs again and sends the model. */
  reload(series?: string): void {
    const store = this.ctx.host.current;
    const list = chronological((store?.list() ?? []).filter((t) => !t.replayOf)).slice(-RUNS);
    this.runs = [];
    for (const t of list) {
      if (t.spanCount > MAX_SPANS) continue;
      const trace = store!.get(t.traceId);
      if (!trace) continue;
      const { steps, scores } = evaluateTrace(trace);
      const extra = this.ctx.extraScores(t.traceId);
      if (extra) mergeScores(scores, extra);
      this.runs.push({ traceId: t.traceId, name: t.name, startTime: t.startTime, steps, scores });
    }
    if (series) this.selected = series;
    this.send();
  }

  private send(): void {
    const series = trendSeries(this.runs);
    if (!this.selected || !series.some((s) => s.id === this.selected))
      this.selected = (series.find((s) => s.metric.startsWith('score:')) ?? series[0])?.id ?? null;
    const model: TrendsModel = {
      series: series.map((s) => ({ id: s.id, label: s.label, metric: s.metric, runs: s.runs })),
      selected: this.selected,
      points: this.selected ? trendPoints(this.runs, this.selected) : [],
      runs: this.runs.length,
    };
    this.model = model;
    void this.panel.webview.postMessage({ type: 'trendsModel', model } satisfies ToTrends);
  }

  override dispose(): void {
    if (TrendsPanel.current === this) TrendsPanel.current = undefined;
    if (this.timer) clearTimeout(this.timer);
    super.dispose();
  }
}
