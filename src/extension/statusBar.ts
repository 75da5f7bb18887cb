/** The status bar item: where Tracefork receives, how many runs, how many failing. */
import * as vscode from 'vscode';
import { Disposable } from './dispose';
import type { ReceiverHost } from './receiverHost';
import type { RunsProvider } from './runsView';
import type { Alerts } from './alerts';

/** Keeps the item in step with the receiver and the runs. */
export class StatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('tracefork.status', vscode.StatusBarAlignment.Left, 50));

  constructor(
    private readonly host: ReceiverHost,
    private readonly runs: RunsProvider,
    private readonly alerts?: Alerts,
  ) {
    super();
    if (alerts) this._register(alerts.onDidChange(() => this.render()));
    this.item.name = 'Tracefork';
    this.item.command = 'tracefork.showRuns';
    this._register(host.onDidChangeState(() => this.render()));
    this._register(runs.onDidChangeTreeData(() => this.render()));
    this.render();
    this.item.show();
  }

  /** What the status bar shows now (tests). */
  get text(): string {
    return this.item.text;
  }

  private render(): void {
    const s = this.host.state;
    const { total, failing } = this.runs.totals;
    const alerts = this.alerts?.findings.length ?? 0;
    const counts = `${total} run${total === 1 ? '' : 's'}${failing ? `, $(error) ${failing}` : ''}${alerts ? ` · $(bell) ${alerts}` : ''}`;
    this.item.backgroundColor = undefined;
    switch (s.mode) {
      case 'owner': {
        const f = s.forward;
        const upstream = f ? ` · $(${f.stats.lastError || f.stats.dropped ? 'warning' : 'cloud-upload'}) forwarding` : '';
        const forwardLine = f
          ? `\nForwarding to ${f.endpoint}: ${f.stats.sent} sent, ${f.stats.pending} queued, ${f.stats.dropped} dropped${f.stats.lastError ? `; now failing: ${f.stats.lastError}` : ''}.`
          : s.forwardDetail
            ? `\n${s.forwardDetail}.`
            : '';
        this.item.text = `$(pulse) Tracefork :${s.port}${s.grpcPort ? ` · gRPC :${s.grpcPort}` : ''}${upstream} · ${counts}`;
        this.item.tooltip = `Tracefork is receiving OTLP/HTTP on ${s.url}${s.grpcPort ? ` and OTLP/gRPC on port ${s.grpcPort}` : ''}\nSet OTEL_EXPORTER_OTLP_ENDPOINT=${s.url} in your agent${s.grpcPort ? ` (gRPC exporters: http://localhost:${s.grpcPort})` : ''}.${s.grpcDetail ? `\n${s.grpcDetail}.` : ''}${forwardLine}\n${total} runs, ${failing} failing${alerts ? `, ${alerts} drift/session alert${alerts === 1 ? '' : 's'} (in the Tracefork log)` : ''}. Click to show the runs.`;
        break;
      }
      case 'follower':
        this.item.text = `$(broadcast) Tracefork :${s.port} (shared) · ${counts}`;
        this.item.tooltip = `Another Tracefork window receives on :${s.port}; this window shows its runs and takes over when it closes.\n${s.detail}`;
        break;
      case 'conflict':
      case 'stopped':
        this.item.text = `$(warning) Tracefork: not receiving`;
        this.item.tooltip = `${s.detail}. Click to show the runs; run "Tracefork: Restart Receiver" or change tracefork.receiver.port.`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        break;
      default:
        this.item.text = '$(loading~spin) Tracefork';
        this.item.tooltip = 'Tracefork is starting its receiver';
    }
    this.item.accessibilityInformation = {
      label: `Tracefork, ${s.mode === 'owner' ? `receiving on port ${s.port}` : s.detail}, ${counts.replace('$(error)', 'failing').replace('$(bell)', 'alerts')}`,
    };
  }
}
