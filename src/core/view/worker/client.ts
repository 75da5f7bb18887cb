/**
 * The extension host's side of the view worker: starts the thread on first use, sends requests,
 * relays progress, and ends the thread once it holds no run for a while (its whole heap goes back
 * to the system, which a collected heap in this thread would not do). A thread that dies is
 * started again on the next request; the requests it had are rejected with why.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../../workerEntry';
import type { CloseReply, RowData, Step, TraceLocation, UpdateReply, ViewCall, ViewMessage, ViewRequest, ViewWorkerData } from './protocol';
import type { PriceTable } from '../../model/cost';

/** The view worker's heap limit (MB): what a run held there can cost the extension host at most. */
export const VIEW_HEAP_MB = 768;

/** The view worker, as the trace panels use it. */
export class ViewWorker {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly progress = new Set<(traceId: string, done: number, total: number) => void>();
  private idle: NodeJS.Timeout | undefined;
  /** Requests in flight other than `held` and `saved`. */
  private active = 0;
  /** Requests made other than `held` and `saved`. */
  private uses = 0;

  /** `idleMs`: how long a worker holding nothing stays before it ends; `data`: what the thread starts with (where rows are saved). */
  constructor(
    private readonly onError: (message: string) => void = () => undefined,
    private readonly idleMs = 10_000,
    private readonly data: ViewWorkerData = {},
  ) {}

  /** Counts the threads started: a panel that opened its run in an earlier one opens it again. */
  epoch = 0;

  /** True while the thread runs (for tests of the memory it gives back). */
  get running(): boolean {
    return !!this.worker;
  }

  /** Calls fn while runs are read. */
  onProgress(fn: (traceId: string, done: number, total: number) => void): () => void {
    this.progress.add(fn);
    return () => this.progress.delete(fn);
  }

  update(traceId: string, at: TraceLocation, open: boolean, prices?: PriceTable): Promise<UpdateReply> {
    return this.request({ op: 'update', traceId, at, open, prices });
  }

  prebuild(traceId: string, at: TraceLocation, prices?: PriceTable): Promise<UpdateReply> {
    return this.request({ op: 'prebuild', traceId, at, prices });
  }

  rows(traceId: string, start: number, count: number): Promise<RowData[] | null> {
    return this.request({ op: 'rows', traceId, start, count });
  }

  detail(traceId: string, spanId: string, prices?: PriceTable): Promise<Step | null> {
    return this.request({ op: 'detail', traceId, spanId, prices });
  }

  names(traceId: string, spanIds: string[]): Promise<Array<[string, string]>> {
    return this.request({ op: 'names', traceId, spanIds });
  }

  /** Resolves once the row files being written are in place (nothing to wait for when the thread is not running). */
  async saved(): Promise<void> {
    if (this.worker) await this.request({ op: 'saved' });
  }

  /** Steps the worker holds over all runs. */
  held(): Promise<number> {
    return this.request<number>({ op: 'held' }).catch(() => 0);
  }

  /** A panel let go of a run; the thread ends after `idleMs` once it holds nothing. */
  async close(traceId: string): Promise<void> {
    if (!this.worker) return;
    const { held } = await this.request<CloseReply>({ op: 'close', traceId });
    this.holding(held);
  }

  /** Once the worker holds nothing, it ends after `idleMs` unless asked something meanwhile. */
  private holding(held: number): void {
    if (held !== 0 || this.active > 0) return;
    clearTimeout(this.idle);
    // Row files still being written are finished first.
    this.idle = setTimeout(() => {
      const uses = this.uses;
      if (this.active) return;
      void this.saved()
        .catch(() => undefined)
        .then(() => {
          if (!this.active && this.uses === uses) void this.terminate();
        });
    }, this.idleMs);
    this.idle.unref?.();
  }

  /** Ends the thread now. */
  async terminate(): Promise<void> {
    clearTimeout(this.idle);
    const w = this.worker;
    this.worker = undefined;
    this.fail('was stopped');
    await w?.terminate();
  }

  private request<T>(req: ViewRequest): Promise<T> {
    const use = req.op !== 'held' && req.op !== 'saved'; // asking what it holds, or waiting for its writes, is no use of it
    if (use) clearTimeout(this.idle);
    const worker = this.ensure();
    const id = ++this.seq;
    if (use) [this.active, this.uses] = [this.active + 1, this.uses + 1];
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...req, id } as ViewCall);
    }).finally(() => use && this.active--);
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const entry = workerEntry(__dirname, 'viewWorker.js', 'viewWorker.ts');
    if (!entry) throw new Error(`the view worker is missing (no ${path.join(__dirname, 'viewWorker.js')})`);
    // A bigger young generation: reading a run allocates a decoded copy of every record, which the
    // default one would scavenge many times over (measured: a 100,000-step read 5.6 s → 4.5 s). And
    // a bounded old one (the memory budget of the view: the rows of a 1,000,000-step run are 86 MB).
    const worker = new Worker(entry.file, {
      execArgv: entry.execArgv,
      workerData: this.data,
      resourceLimits: { maxYoungGenerationSizeMb: 96, maxOldGenerationSizeMb: VIEW_HEAP_MB },
    });
    worker.on('message', (m: ViewMessage) => {
      if (m.type === 'progress') return this.progress.forEach((fn) => fn(m.traceId, m.done, m.total));
      if (m.type === 'held') return this.holding(m.held);
      if (m.type === 'error') return this.onError(m.message);
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.value);
    });
    const gone = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.onError(`the view worker ${why}`);
      this.fail(why);
    };
    worker.on('error', (e) => gone(`crashed: ${e.stack ?? e.message}`));
    worker.on('exit', (code) => gone(`exited (code ${code})`));
    this.epoch++;
    return (this.worker = worker);
  }

  private fail(why: string): void {
    for (const p of this.pending.values()) p.reject(new Error(`the view worker ${why}`));
    this.pending.clear();
  }
}
