/**
 * The live evaluation loop of the extension (and of the bench that measures it): every trace the
 * store reports changed is evaluated, debounced, in a worker thread at low priority, so the
 * receiver's thread only looks up where the traces lie in the journal. Under load it coalesces
 * more: while the receiver's thread is busy (event loop utilization over `busyUtilization`) a
 * batch waits, up to `maxDelayMs`, and one batch is in flight at a time, traces that change
 * meanwhile going into the next one. So a run in a burst is evaluated less often (once the burst
 * is over at the latest), never skipped.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../../workerEntry';
import type { TraceRecords } from '../../store/queries';
import type { PriceTable } from '../../model/cost';
import type { EvalOptions } from '../types';
import { EvalSession, MAX_ON_DEMAND_SPANS } from './session';
import { VerdictFiles, type VerdictFilesOptions } from './verdictFile';
import type { EvaluateReply, EvaluateRequest, TraceResult, VerdictReply, VerdictRequest, WorkerReply, WorkerRequest } from './protocol';
import type { EvalScore } from '../types';

/** The part of TraceStore the loop reads. */
export interface LiveSource {
  recent(limit: number): string[];
  locate(traceIds: readonly string[]): Located;
  /** Asynchronous variants, used when present (a store in another thread: this one is not blocked meanwhile). */
  recentAsync?(limit: number): Promise<string[]>;
  locateAsync?(traceIds: readonly string[]): Promise<Located>;
}

type Located = { journal: { path: string; generation: string }; traces: TraceRecords[] };

const recentOf = (s: LiveSource, limit: number) => (s.recentAsync ? s.recentAsync(limit) : s.recent(limit));
const locateIn = (s: LiveSource, ids: readonly string[]) => (s.locateAsync ? s.locateAsync(ids) : s.locate(ids));

/** What one batch produced. */
export interface LiveBatch {
  results: TraceResult[];
  /** Changed traces that are no longer in the store (deleted or evicted). */
  removed: string[];
  /** The `window` most recent traces at the time of the batch, newest first. */
  recent: string[];
  /** True when the batch re-evaluated the recent traces against a fresh baseline. */
  rebuilt: boolean;
  errors: EvaluateReply['errors'];
}

/** Options of the loop. */
export interface LiveOptions {
  source: () => LiveSource | undefined;
  onBatch: (batch: LiveBatch) => void;
  onError?: (message: string) => void;
  /** Wait after a change before evaluating (default 500 ms). */
  debounceMs?: number;
  /** The receiver's thread counts as busy above this event loop utilization (default 0.5)… */
  busyUtilization?: number;
  /** …and a busy thread delays a batch by at most this long after the change (default 5000 ms; 0: never). */
  maxDelayMs?: number;
  /** How many recent traces a rebuild re-evaluates and `recent` lists (default 200). */
  window?: number;
  /** Traces with more spans are not evaluated live (default 5000). */
  maxSpans?: number;
  /** Told where the changed traces over `maxSpans` lie (the trace panels prebuild their rows from it). */
  onBigTraces?: (journal: Located['journal'], traces: TraceRecords[]) => void;
  /** About how many spans one batch holds (default 20,000; a bigger trace goes alone). */
  batchSpans?: number;
  /** Whether to send back full steps and scores of the recent traces (custom evaluators, the judge). */
  wantSteps?: () => boolean;
  options?: () => Partial<EvalOptions> | undefined;
  prices?: () => PriceTable | undefined;
  /** Where the verdicts of big runs are saved (without: they are judged again at each first open after a restart). */
  verdictFiles?: VerdictFilesOptions;
  /**
   * A big run (over `maxSpans`, up to MAX_ON_DEMAND_SPANS) is judged ahead of its first open once
   * it and the loop were quiet this long (default 2000 ms; 0: only when asked for).
   */
  aheadDelayMs?: number;
  /** Evaluate on this thread instead of a worker (tests; also the fallback when no worker starts). */
  inProcess?: boolean;
  /** The worker's script (default: dist/evalWorker.js beside the bundle, else the TypeScript source under tsx). */
  workerFile?: string;
}

/** Runs the built-in evaluators over changed traces, off the receiver's thread. */
export class LiveEvaluator {
  private dirty = new Set<string>();
  private rebuild = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: { id: number; traces: string[]; recent: string[]; rebuilt: boolean; removed: string[] } | null = null;
  private due = false;
  private worker: Worker | null = null;
  private session: EvalSession | null = null;
  private nextId = 1;
  private retried = new Set<string>();
  private idleWaiters: Array<() => void> = [];
  private disposed = false;
  /** When the oldest change not yet sent happened (ms, performance.now()). */
  private pendingSince = 0;
  private elu: EventLoopUtilization | undefined;
  /** Big runs changed and not judged ahead since. */
  private ahead = new Set<string>();
  private aheadTimer: NodeJS.Timeout | undefined;
  private aheadElu: EventLoopUtilization | undefined;
  /** Ahead-of-time verdicts being located or in the worker. */
  private aheadPending = 0;
  /** Totals since start (bench, tests). */
  readonly stats = { batches: 0, traces: 0, steps: 0 };

  constructor(private readonly opts: LiveOptions) {}

  /** Traces changed; an empty list means everything may have (a rebuild of the recent window). */
  changed(traceIds: readonly string[]): void {
    if (this.disposed) return;
    if (!this.dirty.size && !this.rebuild) this.pendingSince = performance.now();
    if (traceIds.length === 0) this.rebuild = true;
    for (const id of traceIds) this.dirty.add(id);
    this.stopAhead(); // started again once the loop is idle
    this.wait();
  }

  /** Re-evaluates the recent window now (after delete/clear, a settings change, tests). */
  refreshNow(): void {
    this.rebuild = true;
    if (this.timer) clearTimeout(this.timer);
    this.fire(true);
  }

  private readonly verdictWaiters = new Map<number, (r: VerdictReply) => void>();

  /**
   * The scores of a trace's steps from the verdict store (the worker): the live verdict, or one
   * evaluated on demand when the loop has none (a run too big for it, or judged long ago); null
   * when the trace is not in the store. Answered after the batch in flight, never on this thread.
   */
  async verdict(traceId: string): Promise<{ scores: Map<string, EvalScore[]>; source: 'live' | 'saved' | 'now' } | null> {
    for (let attempt = 0; attempt < 3 && !this.disposed; attempt++) {
      const source = this.opts.source();
      if (!source) return null;
      let located: Located;
      try {
        located = await locateIn(source, [traceId]);
      } catch {
        return null; // the store closed meanwhile
      }
      const { journal, traces } = located;
      const req: VerdictRequest = {
        type: 'verdict',
        id: this.nextId++,
        traceId,
        journal,
        trace: traces[0] ?? null,
        options: this.opts.options?.(),
        prices: this.opts.prices?.(),
      };
      const reply = await new Promise<VerdictReply>((resolve) => {
        this.verdictWaiters.set(req.id, resolve);
        this.post(req);
      });
      if (reply.scores && reply.source) return { scores: new Map(reply.scores), source: reply.source };
      if (!reply.error) return null;
      this.opts.onError?.(`run ${traceId} could not be evaluated: ${reply.error}`);
    }
    return null;
  }

  /** Answers the verdict requests in flight (the worker is gone): with an error to ask again, or null. */
  private answerVerdicts(error: string | null): void {
    for (const [id, waiter] of this.verdictWaiters) waiter({ type: 'verdict', id, traceId: '', scores: null, source: null, ...(error ? { error } : {}) });
    this.verdictWaiters.clear();
  }

  /** Resolves once nothing is waiting or being evaluated, big runs judged ahead included. */
  idle(): Promise<void> {
    if (this.isSettled()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops the worker; pending work is dropped. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.answerVerdicts(null);
    if (this.timer) clearTimeout(this.timer);
    this.stopAhead();
    this.session?.close();
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
    this.settleIdle(true);
  }

  private isIdle(): boolean {
    return !this.inFlight && !this.sending && !this.timer && !this.due && !this.dirty.size && !this.rebuild;
  }

  private isSettled(): boolean {
    return this.isIdle() && !this.aheadTimer && !this.aheadPending;
  }

  private settleIdle(force = false): void {
    if (!force && !this.isSettled()) return;
    for (const r of this.idleWaiters.splice(0)) r();
  }

  private wait(ms = this.opts.debounceMs ?? 500): void {
    if (this.timer) return;
    this.elu = performance.eventLoopUtilization();
    this.timer = setTimeout(() => this.fire(), ms);
  }

  /** True while the receiver's thread was mostly busy since the wait began (a burst is being ingested). */
  private busy(): boolean {
    const since = this.elu;
    if (!since) return false;
    return performance.eventLoopUtilization(since).utilization > (this.opts.busyUtilization ?? 0.5);
  }

  private fire(now = false): void {
    this.timer = undefined;
    if (this.disposed) return;
    if (this.inFlight || this.sending) {
      this.due = true; // sent as soon as the batch in flight is answered
      return;
    }
    if (!now && this.busy() && performance.now() - this.pendingSince < (this.opts.maxDelayMs ?? 5000)) return this.wait();
    this.due = false;
    void this.send();
  }

  /** True while a batch is being located (before it is in flight). */
  private sending = false;

  /**
   * Sends one batch: the changed traces (plus the recent window on a rebuild), oldest first, up to
   * `batchSpans` spans; the rest go in the next batch, sent as soon as this one is answered.
   */
  private async send(): Promise<void> {
    const source = this.opts.source();
    const rebuilt = this.rebuild;
    const ids = new Set(this.dirty);
    this.dirty.clear();
    this.rebuild = false;
    if (!source) return this.settleIdle();
    let recent: string[];
    let located: Located;
    this.sending = true;
    try {
      recent = await recentOf(source, this.opts.window ?? 200);
      if (rebuilt) for (const id of recent) ids.add(id);
      located = await locateIn(source, [...ids]);
    } catch (e) {
      // The store closed meanwhile (a restart): the traces are evaluated once it is back.
      for (const id of ids) this.dirty.add(id);
      if (rebuilt) this.rebuild = true;
      this.opts.onError?.(`the store could not be read: ${(e as Error).message}`);
      return this.after();
    } finally {
      this.sending = false;
    }
    if (this.disposed) return;
    const { journal, traces: all } = located;
    const found = new Set(all.map((t) => t.traceId));
    const removed = [...ids].filter((id) => !found.has(id));
    const maxSpans = this.opts.maxSpans ?? 5000;
    const big = all.filter((t) => t.spanCount > maxSpans);
    if (big.length) this.opts.onBigTraces?.(journal, big);
    for (const t of big) if (t.spanCount <= MAX_ON_DEMAND_SPANS && this.opts.aheadDelayMs !== 0) this.ahead.add(t.traceId);
    const traces: TraceRecords[] = [];
    let budget = this.opts.batchSpans ?? 20_000;
    for (const t of all) {
      const n = Math.min(t.spanCount, maxSpans);
      if (traces.length && (this.dirty.size || n > budget))
        this.dirty.add(t.traceId); // keeps oldest first
      else {
        traces.push(t);
        budget -= n;
      }
    }
    if (this.dirty.size) this.due = true;
    const req: EvaluateRequest = {
      type: 'evaluate',
      id: this.nextId++,
      journal,
      traces: traces.map((t) => (t.spanCount <= maxSpans ? t : { ...t, offsets: [] })),
      resetBaseline: rebuilt,
      stepsFor: this.opts.wantSteps?.() ? recent : [],
      options: this.opts.options?.(),
      prices: this.opts.prices?.(),
    };
    this.inFlight = { id: req.id, traces: traces.map((t) => t.traceId), recent, rebuilt, removed };
    this.post(req);
  }

  private post(req: WorkerRequest): void {
    const worker = this.opts.inProcess ? null : this.ensureWorker();
    if (worker) return worker.postMessage(req);
    const files = this.opts.verdictFiles;
    this.session ??= new EvalSession(files ? new VerdictFiles(files) : null, (m) => this.opts.onError?.(m));
    const session = this.session;
    setImmediate(() => !this.disposed && this.receive(req.type === 'verdict' ? session.verdict(req) : session.evaluate(req)));
  }

  private ensureWorker(): Worker | null {
    if (this.worker) return this.worker;
    const entry = this.opts.workerFile ? { file: this.opts.workerFile, execArgv: [] } : workerEntry(__dirname, 'evalWorker.js', 'worker.ts');
    if (!entry) {
      this.opts.onError?.('the evaluation worker was not found; evaluating on the main thread');
      return null;
    }
    try {
      const w = new Worker(entry.file, { execArgv: entry.execArgv, workerData: { verdictFiles: this.opts.verdictFiles } });
      w.unref();
      w.on('message', (r: WorkerReply) => this.receive(r));
      w.on('error', (e) => this.crashed(w, `crashed: ${e.message}`));
      w.on('exit', (code) => this.crashed(w, `exited (code ${code})`));
      return (this.worker = w);
    } catch (e) {
      this.opts.onError?.(`the evaluation worker could not start (${(e as Error).message}); evaluating on the main thread`);
      return null;
    }
  }

  /** The worker died: its batch is tried once more in a new worker, then reported. */
  private crashed(w: Worker, why: string): void {
    if (this.worker !== w || this.disposed) return;
    this.worker = null;
    this.answerVerdicts(`the evaluation worker ${why}`);
    const batch = this.inFlight;
    this.inFlight = null;
    this.opts.onError?.(`the evaluation worker ${why}`);
    if (batch) {
      const again = batch.traces.filter((t) => !this.retried.has(t));
      for (const t of again) {
        this.retried.add(t);
        this.dirty.add(t);
      }
      if (batch.rebuilt) this.rebuild = true;
      const dropped = batch.traces.length - again.length;
      if (dropped) this.opts.onError?.(`${dropped} run(s) were not evaluated: the worker failed on them twice`);
    }
    this.after();
  }

  private receive(reply: WorkerReply): void {
    if (reply.type === 'notice') return this.opts.onError?.(reply.message);
    if (reply.type === 'verdict') {
      const waiter = this.verdictWaiters.get(reply.id);
      this.verdictWaiters.delete(reply.id);
      return waiter?.(reply);
    }
    const batch = this.inFlight;
    if (!batch || reply.id !== batch.id) return;
    this.inFlight = null;
    for (const id of reply.stale) this.dirty.add(id);
    for (const r of reply.results) {
      this.retried.delete(r.traceId);
      this.stats.steps += r.stepCount;
    }
    this.stats.batches++;
    this.stats.traces += reply.results.length;
    if (reply.stale.length && batch.rebuilt) this.rebuild = true;
    for (const e of reply.errors) this.opts.onError?.(`run ${e.traceId} could not be evaluated: ${e.message}`);
    try {
      this.opts.onBatch({ results: reply.results, removed: batch.removed, recent: batch.recent, rebuilt: batch.rebuilt, errors: reply.errors });
    } finally {
      this.after(reply.stale.length > 0);
    }
  }

  /** After a batch: send the next one now if its debounce already ran out (or traces went stale), else wait. */
  private after(now = false): void {
    if (this.disposed) return;
    if (this.due || now) {
      this.due = false;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.wait(0);
    } else if (this.dirty.size || this.rebuild) {
      this.wait();
    } else if (this.isIdle()) {
      this.startAhead();
    }
    this.settleIdle();
  }

  /** Waits for the loop and the receiver's thread to be quiet, then judges the big runs ahead. */
  private startAhead(): void {
    if (!this.ahead.size || this.aheadTimer || this.disposed) return;
    this.aheadElu = performance.eventLoopUtilization();
    this.aheadTimer = setTimeout(() => void this.judgeAhead(), this.opts.aheadDelayMs ?? 2000);
  }

  private stopAhead(): void {
    if (this.aheadTimer) clearTimeout(this.aheadTimer);
    this.aheadTimer = undefined;
  }

  /**
   * Asks the worker to judge the big runs that changed, so that opening one reads its verdict
   * (kept, or from its file after a restart) instead of building and judging every step then.
   */
  private async judgeAhead(): Promise<void> {
    this.aheadTimer = undefined;
    if (this.disposed || !this.isIdle()) return; // started again once the loop is idle
    const since = this.aheadElu;
    if (since && performance.eventLoopUtilization(since).utilization > (this.opts.busyUtilization ?? 0.5)) return this.startAhead();
    const source = this.opts.source();
    const ids = [...this.ahead];
    this.ahead.clear();
    if (!source) return this.settleIdle();
    this.aheadPending++;
    try {
      const { journal, traces } = await locateIn(source, ids);
      for (const trace of traces.filter((t) => t.spanCount <= MAX_ON_DEMAND_SPANS)) {
        const req: VerdictRequest = {
          type: 'verdict',
          id: this.nextId++,
          traceId: trace.traceId,
          journal,
          trace,
          options: this.opts.options?.(),
          prices: this.opts.prices?.(),
          ahead: true,
        };
        this.aheadPending++;
        this.verdictWaiters.set(req.id, (r) => {
          this.aheadPending--;
          if (r.error) this.opts.onError?.(`run ${trace.traceId} could not be judged ahead: ${r.error}`);
          this.settleIdle();
        });
        this.post(req);
      }
    } catch {
      // the store closed meanwhile: the runs are judged when opened
    } finally {
      this.aheadPending--;
      this.settleIdle();
    }
  }
}
