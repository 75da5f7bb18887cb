/**
 * Drift and session alerts in the editor: the live evaluator's findings (core/eval/drift), each
 * told once — one notification at a time at most once a minute (with *Open Run* and *Fork &
 * Replay*), the rest counted in the status bar and written to the log.
 */
import * as vscode from 'vscode';
import type { DriftFinding } from '../core/eval/drift';
import { Disposable } from './dispose';
import { runCommand } from './commandRegistry';

/** The alerts of this window. */
export class Alerts extends Disposable {
  private readonly byId = new Map<string, DriftFinding>();
  /** Ids of the findings a notification was shown for (tests). */
  readonly notified: string[] = [];
  private lastNotice = 0;
  private readonly emitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly log: vscode.OutputChannel,
    private readonly intervalMs = 60_000,
  ) {
    super();
  }

  /** Every finding so far, newest last. */
  get findings(): DriftFinding[] {
    return [...this.byId.values()];
  }

  /** Adds findings (known ids are ignored); `quiet` records them without a notification (history re-read at start). */
  add(findings: DriftFinding[], quiet: boolean): void {
    const fresh = findings.filter((f) => !this.byId.has(f.id));
    if (!fresh.length) return;
    for (const f of fresh) {
      this.byId.set(f.id, f);
      this.log.appendLine(`alert (${f.kind}): ${f.message} — run ${f.traceId}`);
    }
    this.emitter.fire();
    if (quiet || Date.now() - this.lastNotice < this.intervalMs) return;
    this.lastNotice = Date.now();
    const f = fresh[fresh.length - 1]!;
    this.notified.push(f.id);
    const more = fresh.length > 1 ? ` (+${fresh.length - 1} more in the Tracefork log)` : '';
    const actions = [...(f.spanId ? ['Open Run', 'Fork & Replay…'] : ['Open Run']), ...(f.kind === 'drift' && f.stepName ? ['Show Trends'] : [])];
    void vscode.window.showWarningMessage(`Tracefork ${f.kind === 'drift' ? 'drift' : 'session'} alert: ${f.message}${more}`, ...actions).then((a) => {
      if (a === 'Open Run') void runCommand('tracefork.openRun', f.traceId, f.spanId ?? undefined);
      else if (a === 'Fork & Replay…') void runCommand('tracefork.forkReplay', f.traceId, f.spanId ?? undefined);
      else if (a === 'Show Trends') void runCommand('tracefork.showTrends', `${f.stepName}\u0000${f.metric}`);
    });
  }
}
