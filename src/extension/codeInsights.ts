/**
 * Source → steps: failing steps become Problems at their source line, and lines that produced
 * steps get a CodeLens with their runs, failures, p95 latency and cost (what each line shows is
 * insights/lines.ts; this class keeps the verdicts and hands them to VS Code). Every run that changes is
 * evaluated by the LiveEvaluator in its worker thread (the receiver's thread only says where the
 * run lies in the journal); the user's custom evaluators and the optional LLM judge then add
 * their verdicts. Lines and lenses cover the most recent runs.
 */
import * as vscode from 'vscode';
import type { DriftFinding } from '../core/eval/drift';
import { Disposable, toDisposable } from './dispose';
import { locate } from './sourceLinks';
import { LiveEvaluator, type LiveBatch } from '../core/eval/live/liveEvaluator';
import { JudgeQueue } from '../core/eval/live/judgeQueue';
import { mergeScores } from '../core/eval/engine';
import type { JudgeConfig } from '../core/eval/judge';
import type { LocatedStep } from '../core/eval/live/protocol';
import type { VerdictFilesOptions } from '../core/eval/live/verdictFile';
import type { TraceRecords } from '../core/store/queries';
import type { EvalScore } from '../core/eval/types';
import type { CustomEvaluators } from '../core/eval/custom/customEvaluators';
import type { Step } from '../core/model/step';
import type { ReceiverHost } from './receiverHost';
import { lineLenses, lineProblems, type LineStep } from './insights/lines';

/** Diagnostics and CodeLens from recent runs; evaluator verdicts of every run. */
export class CodeInsights extends Disposable implements vscode.CodeLensProvider {
  private readonly diagnostics = this._register(vscode.languages.createDiagnosticCollection('tracefork'));
  private readonly lensEmitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.lensEmitter.event;
  private readonly evaluatedEmitter = this._register(new vscode.EventEmitter<void>());
  /** Fires when the evaluator results of the runs changed. */
  readonly onDidEvaluate = this.evaluatedEmitter.event;
  private readonly judgedEmitter = this._register(new vscode.EventEmitter<string[]>());
  /** Fires with the runs whose verdicts changed ([]: any run may have: custom evaluators, the judge). */
  readonly onDidJudge = this.judgedEmitter.event;
  private readonly bigEmitter = this._register(new vscode.EventEmitter<{ journal: { path: string; generation: string }; traces: TraceRecords[] }>());
  /** Fires with where changed runs too big for the live evaluators lie (the trace panels prebuild their rows). */
  readonly onDidGrowBig = this.bigEmitter.event;
  private readonly findingsEmitter = this._register(new vscode.EventEmitter<{ findings: DriftFinding[]; first: boolean }>());
  /** Drift and session findings of each batch (`first`: the batch that re-read the history at start). */
  readonly onDidFind = this.findingsEmitter.event;
  private batches = 0;
  /** Built-in verdicts: evaluators failing in each evaluated run. */
  private failing = new Map<string, string[]>();
  /** Steps with a source line, of the recent runs. */
  private located = new Map<string, LocatedStep[]>();
  private customScores = new Map<string, Map<string, EvalScore[]>>();
  private custom: CustomEvaluators | undefined;
  private readonly judge: JudgeQueue;
  private readonly live: LiveEvaluator;
  private paths = new Map<string, string | null>();
  private lines: LineStep[] | undefined;
  private publishTimer: NodeJS.Timeout | undefined;
  private prunedAt = 0;

  constructor(
    private readonly host: ReceiverHost,
    private enabled: { lens: boolean; diagnostics: boolean },
    verdictFiles?: VerdictFilesOptions,
  ) {
    super();
    this.judge = new JudgeQueue({ onScore: () => (this.schedulePublish(), this.judgedEmitter.fire([])), notify: (m) => this.log?.(`judge: ${m}`) });
    this.live = new LiveEvaluator({
      source: () => host.current,
      onBatch: (b) => this.apply(b),
      onError: (m) => this.log?.(`evaluation: ${m}`),
      wantSteps: () => !!this.custom?.evaluators.length || this.judge.enabled,
      onBigTraces: (journal, traces) => this.bigEmitter.fire({ journal, traces }),
      verdictFiles,
    });
    this._register(toDisposable(() => (this.judge.dispose(), void this.live.dispose(), this.publishTimer && clearTimeout(this.publishTimer))));
    this._register(host.onDidChangeTraces((ids) => this.live.changed(ids)));
    this._register(vscode.languages.registerCodeLensProvider({ scheme: 'file' }, this));
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => ((this.paths = new Map()), this.publish())));
  }

  /** Applies the settings. */
  setEnabled(enabled: { lens: boolean; diagnostics: boolean }): void {
    this.enabled = enabled;
    this.publish();
  }

  /** Runs the user's custom evaluators too (trusted workspaces only; the host decides). */
  setCustom(custom: CustomEvaluators | undefined): void {
    this.custom = custom;
    this.customScores.clear();
    this.refreshNow();
  }

  /** Switches the LLM judge on (for runs that start from now on) or off (null). */
  setJudge(cfg: JudgeConfig | null): void {
    this.judge.configure(cfg);
  }

  /** True while the LLM judge grades new runs. */
  get judgeEnabled(): boolean {
    return this.judge.enabled;
  }

  /** Re-evaluates the recent runs now (tests, and after delete/clear). */
  refreshNow(): void {
    this.live.refreshNow();
  }

  /** Where notices go (the output channel). */
  log: ((message: string) => void) | undefined;

  /** Names of the evaluators that failed somewhere in a run (built-in, custom and judge). */
  failingEvaluatorsOf(traceId: string): ReadonlySet<string> | undefined {
    const builtin = this.failing.get(traceId);
    const extra = this.extraScores(traceId);
    if (!builtin && !extra) return undefined;
    const out = new Set(builtin);
    for (const list of extra?.values() ?? []) for (const sc of list) if (sc.passed === false) out.add(sc.name);
    return out;
  }

  /** Every evaluator name failing in some run. */
  allFailingEvaluators(): string[] {
    const ids = new Set([...this.failing.keys(), ...this.customScores.keys()]);
    return [...new Set([...ids].flatMap((id) => [...(this.failingEvaluatorsOf(id) ?? [])]))].sort();
  }

  /**
   * A run's scores by span id, from the verdict store: the live evaluator's (in its worker, the
   * verdicts the Runs view, diagnostics and CodeLens show) with the custom evaluators' and the
   * judge's; null when the run is not in the store.
   */
  async verdictOf(traceId: string): Promise<Map<string, EvalScore[]> | null> {
    const v = await this.live.verdict(traceId);
    return v && mergeScores(v.scores, this.extraScores(traceId) ?? new Map());
  }

  /** Scores of a run that the built-ins do not give: custom evaluators' and the judge's, by span id. */
  extraScores(traceId: string): Map<string, EvalScore[]> | undefined {
    const custom = this.customScores.get(traceId);
    const judged = this.judge.scores(traceId);
    if (!custom && !judged) return undefined;
    return mergeScores(mergeScores(new Map(), custom ?? new Map()), judged ?? new Map());
  }

  /** A batch of built-in verdicts from the live evaluator. */
  private apply(b: LiveBatch): void {
    if (this.isDisposed) return;
    const recent = new Set(b.recent);
    // What changed decides what is drawn again: while runs stream in, most batches bring passing
    // runs with no code location, and redrawing the Runs view, the Problems and every lens for them
    // only took the window's time from the user.
    let verdicts = b.rebuilt || b.removed.length > 0;
    let lines = b.rebuilt;
    for (const id of b.removed) this.forget(id);
    for (const r of b.results) {
      const before = this.failing.get(r.traceId) ?? [];
      if (before.length !== r.failing.length || before.some((e, i) => e !== r.failing[i])) verdicts = true;
      this.failing.set(r.traceId, r.failing);
      if (recent.has(r.traceId)) {
        if (this.located.get(r.traceId)?.length || r.located.length) lines = true;
        this.located.set(r.traceId, r.located);
      }
    }
    for (const [id, located] of [...this.located]) {
      if (recent.has(id)) continue;
      this.located.delete(id);
      if (located.length) lines = true;
    }
    // Runs evicted by retention are not reported removed: drop their verdicts now and then.
    if (b.rebuilt || this.failing.size > this.prunedAt + 1000) void this.pruneDeleted();
    const findings = b.results.flatMap((r) => r.findings ?? []);
    if (findings.length) this.findingsEmitter.fire({ findings, first: this.batches === 0 });
    this.batches++;
    const runs = b.results.filter((r) => r.steps?.length).map((r) => ({ traceId: r.traceId, steps: r.steps! }));
    for (const r of runs) this.judge.add(r.steps);
    if (this.custom?.evaluators.length && runs.length) void this.runCustom(this.custom, runs);
    this.publish({ lines, verdicts });
    this.judgedEmitter.fire(b.rebuilt ? [] : b.results.map((r) => r.traceId));
  }

  private forget(traceId: string): void {
    this.failing.delete(traceId);
    this.located.delete(traceId);
    this.customScores.delete(traceId);
    this.judge.forget([traceId]);
  }

  /** After a full re-evaluation: drops verdicts of runs no longer in the store. */
  private async pruneDeleted(): Promise<void> {
    const store = this.host.current;
    const list = store?.listAsync ? await store.listAsync().catch(() => null) : store?.list();
    if (!list || this.isDisposed) return;
    const alive = new Set(list.map((t) => t.traceId));
    for (const id of new Set([...this.failing.keys(), ...this.customScores.keys()])) if (!alive.has(id)) this.forget(id);
    this.prunedAt = this.failing.size;
  }

  /** Adds the custom evaluators' verdicts (isolated in a worker; errors become notices in the log). */
  private async runCustom(custom: CustomEvaluators, runs: Array<{ traceId: string; steps: Step[] }>): Promise<void> {
    for (const { traceId, steps } of runs) {
      const { scores, notices } = await custom.run(steps);
      if (this.isDisposed || custom !== this.custom) return;
      for (const n of notices) this.log?.(`custom evaluators: ${n}`);
      if (this.failing.has(traceId)) this.customScores.set(traceId, scores);
    }
    this.publish();
    this.judgedEmitter.fire(runs.map((r) => r.traceId));
  }

  private schedulePublish(): void {
    this.publishTimer ??= setTimeout(() => ((this.publishTimer = undefined), this.publish()), 100);
  }

  /** Diagnostics, lenses and the Runs view follow the verdicts (those of them that changed). */
  private publish(changed = { lines: true, verdicts: true }): void {
    if (this.isDisposed) return;
    if (changed.lines) {
      this.lines = undefined;
      this.publishDiagnostics();
      this.lensEmitter.fire();
    }
    if (changed.verdicts) this.evaluatedEmitter.fire();
  }

  private lineSteps(traceId: string, located: LocatedStep[]): LineStep[] {
    const extra = this.extraScores(traceId);
    const out: LineStep[] = [];
    for (const s of located) {
      let file = this.paths.get(s.code.file);
      if (file === undefined) this.paths.set(s.code.file, (file = locate(s.code)?.fsPath ?? null));
      if (!file || !s.code.line) continue;
      const more = (extra?.get(s.spanId) ?? []).filter((x) => x.passed === false).map((x) => ({ name: x.name, explanation: x.explanation }));
      out.push({
        file,
        line: s.code.line,
        traceId,
        spanId: s.spanId,
        name: s.name,
        failed: s.status === 'error',
        error: s.error,
        findings: [...s.findings, ...more],
        durationMs: s.durationMs,
        costUsd: s.costUsd,
        time: Date.parse(s.startTime),
      });
    }
    return out;
  }

  private all(): LineStep[] {
    this.lines ??= [...this.located].flatMap(([traceId, located]) => this.lineSteps(traceId, located));
    return this.lines;
  }

  private publishDiagnostics(): void {
    this.diagnostics.clear();
    if (!this.enabled.diagnostics) return;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of lineProblems(this.all())) {
      const d = new vscode.Diagnostic(
        new vscode.Range(p.line - 1, 0, p.line - 1, Number.MAX_SAFE_INTEGER),
        p.message,
        p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
      );
      d.source = 'Tracefork';
      d.code = { value: p.code, target: vscode.Uri.parse(`command:tracefork.openRun?${encodeURIComponent(JSON.stringify([p.traceId, p.spanId]))}`) };
      byFile.set(p.file, [...(byFile.get(p.file) ?? []), d]);
    }
    for (const [file, ds] of byFile) this.diagnostics.set(vscode.Uri.file(file), ds);
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.enabled.lens) return [];
    return lineLenses(this.all(), doc.uri.fsPath).map(
      (l) =>
        new vscode.CodeLens(new vscode.Range(l.line - 1, 0, l.line - 1, 0), {
          title: l.title,
          command: 'tracefork.openRun',
          arguments: [l.traceId, l.spanId],
          tooltip: 'Open the latest run at this step',
        }),
    );
  }
}
