/**
 * Source → steps: failing steps become Problems at their source line, and lines that produced
 * steps get a CodeLens with their runs, failures, p95 latency and cost. Built from the most
 * recent runs (per-trace cache, refreshed for the traces that change).
 */
import * as vscode from 'vscode';
import { Disposable } from './dispose';
import { locate } from './sourceLinks';
import { buildSteps } from '../core/model/steps';
import { runEvaluators } from '../core/eval/engine';
import { Baseline } from '../core/eval/baseline';
import type { CustomEvaluators } from '../core/eval/custom/customEvaluators';
import type { Step } from '../core/model/step';
import type { ReceiverHost } from './receiverHost';

/** One step that has a source line on this machine. */
interface LineStep {
  file: string;
  line: number;
  traceId: string;
  spanId: string;
  name: string;
  failed: boolean;
  error: string | null;
  /** Evaluators that failed on this step, with their explanations. */
  findings: Array<{ name: string; explanation: string | null }>;
  durationMs: number;
  costUsd: number | null;
  time: number;
}

const MAX_TRACES = 200;
const MAX_SPANS = 5000;

/** Diagnostics and CodeLens from recent runs. */
export class CodeInsights extends Disposable implements vscode.CodeLensProvider {
  private readonly diagnostics = this._register(vscode.languages.createDiagnosticCollection('tracefork'));
  private readonly lensEmitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.lensEmitter.event;
  private byTrace = new Map<string, LineStep[]>();
  private failingEvaluators = new Map<string, Set<string>>();
  private baseline = new Baseline();
  private custom: CustomEvaluators | undefined;
  private readonly evaluatedEmitter = this._register(new vscode.EventEmitter<void>());
  /** Fires when the evaluator results of the recent runs changed. */
  readonly onDidEvaluate = this.evaluatedEmitter.event;
  private paths = new Map<string, string | null>();
  private timer: NodeJS.Timeout | undefined;
  private dirty = new Set<string>();
  private rebuildAll = true;

  constructor(private readonly host: ReceiverHost, private enabled: { lens: boolean; diagnostics: boolean }) {
    super();
    this._register(host.onDidChangeTraces((ids) => this.schedule(ids)));
    this._register(vscode.languages.registerCodeLensProvider({ scheme: 'file' }, this));
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => ((this.paths = new Map()), this.schedule([]))));
  }

  /** Applies the settings. */
  setEnabled(enabled: { lens: boolean; diagnostics: boolean }): void {
    this.enabled = enabled;
    this.schedule([]);
  }

  /** Runs the user's custom evaluators too (trusted workspaces only; the host decides). */
  setCustom(custom: CustomEvaluators | undefined): void {
    this.custom = custom;
    this.refreshNow();
  }

  /** Recomputes now (tests, and after delete/clear). */
  refreshNow(): void {
    this.rebuildAll = true;
    this.update();
  }

  private schedule(ids: string[]): void {
    if (ids.length === 0) this.rebuildAll = true;
    for (const id of ids) this.dirty.add(id);
    this.timer ??= setTimeout(() => this.update(), 500);
  }

  private update(): void {
    this.timer = undefined;
    if (this.isDisposed) return;
    const store = this.host.current;
    const recent = (store?.list() ?? []).slice(0, MAX_TRACES).reverse(); // oldest first, for the baseline
    const keep = new Set(recent.map((r) => r.traceId));
    for (const id of [...this.byTrace.keys()]) if (!keep.has(id)) (this.byTrace.delete(id), this.failingEvaluators.delete(id));
    if (this.rebuildAll) this.baseline = new Baseline();
    const evaluated: Array<{ traceId: string; steps: Step[] }> = [];
    for (const r of recent) {
      if (!this.rebuildAll && !this.dirty.has(r.traceId) && this.byTrace.has(r.traceId)) continue;
      const trace = r.spanCount <= MAX_SPANS ? store?.get(r.traceId) : null;
      const steps = trace ? buildSteps(trace) : [];
      const { scores } = runEvaluators(steps, { baseline: this.baseline });
      this.baseline.observe(steps);
      const failing = new Set<string>();
      for (const list of scores.values()) for (const sc of list) if (sc.passed === false) failing.add(sc.name);
      this.failingEvaluators.set(r.traceId, failing);
      this.byTrace.set(r.traceId, this.lineSteps(r.traceId, steps, scores));
      if (steps.length) evaluated.push({ traceId: r.traceId, steps });
    }
    this.evaluatedEmitter.fire();
    if (this.custom?.evaluators.length && evaluated.length) void this.runCustom(this.custom, evaluated);
    this.dirty.clear();
    this.rebuildAll = false;
    this.publishDiagnostics();
    this.lensEmitter.fire();
  }

  /** Adds the custom evaluators' verdicts (isolated in a worker; errors become notices in the log). */
  private async runCustom(custom: CustomEvaluators, runs: Array<{ traceId: string; steps: Step[] }>): Promise<void> {
    for (const { traceId, steps } of runs) {
      const { scores, notices } = await custom.run(steps);
      if (this.isDisposed) return;
      for (const n of notices) this.log?.(n);
      const failing = this.failingEvaluators.get(traceId) ?? new Set<string>();
      const lines = this.byTrace.get(traceId) ?? [];
      for (const [spanId, list] of scores) {
        for (const sc of list.filter((x) => x.passed === false)) {
          failing.add(sc.name);
          lines.find((l) => l.spanId === spanId)?.findings.push({ name: sc.name, explanation: sc.explanation });
        }
      }
      this.failingEvaluators.set(traceId, failing);
    }
    this.publishDiagnostics();
    this.lensEmitter.fire();
    this.evaluatedEmitter.fire();
  }

  /** Where notices go (the output channel). */
  log: ((message: string) => void) | undefined;

  /** Names of the evaluators that failed somewhere in a run (recent runs only). */
  failingEvaluatorsOf(traceId: string): ReadonlySet<string> | undefined {
    return this.failingEvaluators.get(traceId);
  }

  /** Every evaluator name failing in some recent run. */
  allFailingEvaluators(): string[] {
    return [...new Set([...this.failingEvaluators.values()].flatMap((s) => [...s]))].sort();
  }

  private lineSteps(traceId: string, steps: Step[], scores: Map<string, Array<{ name: string; passed: boolean | null; explanation: string | null }>>): LineStep[] {
    const out: LineStep[] = [];
    for (const s of steps) {
      if (!s.code?.line) continue;
      let file = this.paths.get(s.code.file);
      if (file === undefined) this.paths.set(s.code.file, (file = locate(s.code)?.fsPath ?? null));
      if (!file) continue;
      const findings = (scores.get(s.spanId) ?? []).filter((x) => x.passed === false).map((x) => ({ name: x.name, explanation: x.explanation }));
      out.push({ file, line: s.code.line, traceId, spanId: s.spanId, name: s.name, failed: s.status === 'error', error: s.error, findings, durationMs: s.durationMs, costUsd: s.costUsd, time: Date.parse(s.startTime) });
    }
    return out;
  }

  private all(): LineStep[] {
    return [...this.byTrace.values()].flat();
  }

  private publishDiagnostics(): void {
    this.diagnostics.clear();
    if (!this.enabled.diagnostics) return;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const [key, steps] of groupBy(this.all(), (s) => `${s.file}\0${s.line}\0${s.name}`)) {
      const failures = steps.filter((s) => s.failed).sort((a, b) => b.time - a.time);
      if (!failures.length) continue;
      const latest = failures[0];
      const runs = new Set(steps.map((s) => s.traceId)).size;
      const d = new vscode.Diagnostic(
        new vscode.Range(latest.line - 1, 0, latest.line - 1, Number.MAX_SAFE_INTEGER),
        `${latest.name} failed in ${new Set(failures.map((s) => s.traceId)).size} of ${runs} run(s): ${latest.error ?? 'error status'}`,
        vscode.DiagnosticSeverity.Error,
      );
      d.source = 'Tracefork';
      d.code = { value: 'open run', target: vscode.Uri.parse(`command:tracefork.openRun?${encodeURIComponent(JSON.stringify([latest.traceId, latest.spanId]))}`) };
      const file = key.split('\0')[0];
      byFile.set(file, [...(byFile.get(file) ?? []), d]);
    }
    const seen = new Set<string>();
    for (const s of this.all().sort((a, b) => b.time - a.time)) {
      for (const f of s.failed ? [] : s.findings) {
        const key = `${s.file}|${s.line}|${s.name}|${f.name}`;
        if (seen.has(key)) continue; // the latest run's finding stands for the others
        seen.add(key);
        const d = new vscode.Diagnostic(new vscode.Range(s.line - 1, 0, s.line - 1, Number.MAX_SAFE_INTEGER), `${s.name}: evaluator ${f.name} failed${f.explanation ? ` — ${f.explanation}` : ''}`, vscode.DiagnosticSeverity.Warning);
        d.source = 'Tracefork';
        d.code = { value: f.name, target: vscode.Uri.parse(`command:tracefork.openRun?${encodeURIComponent(JSON.stringify([s.traceId, s.spanId]))}`) };
        byFile.set(s.file, [...(byFile.get(s.file) ?? []), d]);
      }
    }
    for (const [file, ds] of byFile) this.diagnostics.set(vscode.Uri.file(file), ds);
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.enabled.lens) return [];
    const steps = this.all().filter((s) => s.file === doc.uri.fsPath);
    return [...groupBy(steps, (s) => String(s.line))].map(([line, group]) => {
      const latest = group.reduce((a, b) => (b.time > a.time ? b : a));
      const runs = new Set(group.map((s) => s.traceId)).size;
      const failing = new Set(group.filter((s) => s.failed).map((s) => s.traceId)).size;
      const cost = group.reduce((n, s) => n + (s.costUsd ?? 0), 0);
      const title = [`$(pulse) ${runs} run${runs === 1 ? '' : 's'}`, failing ? `$(error) ${failing} failing` : null, `p95 ${fmtMs(p95(group.map((s) => s.durationMs)))}`, cost ? `$${cost.toFixed(4)}` : null].filter(Boolean).join(' · ');
      const range = new vscode.Range(Number(line) - 1, 0, Number(line) - 1, 0);
      return new vscode.CodeLens(range, { title, command: 'tracefork.openRun', arguments: [latest.traceId, latest.spanId], tooltip: 'Open the latest run at this step' });
    });
  }
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) m.set(key(it), [...(m.get(key(it)) ?? []), it]);
  return m;
}

/** The 95th percentile (nearest rank). */
export function p95(values: number[]): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`;
}
