/**
 * The view worker's state: one RunModel per run a panel holds or that was prebuilt, read straight
 * from the journal file. An update reads only the records it has not read yet, in slices that
 * yield to the other requests (a page of another run is answered while a big one is read), and
 * reports progress. Prebuilt runs are kept within a budget of steps, least recently used first out;
 * a run no panel holds any more is dropped, so closing a panel gives its memory back.
 */
import { performance } from 'node:perf_hooks';
import { Journal, RecordType } from '../../store/journal';
import { recordBody } from '../../store/payload';
import { RecordCache, spanFromRecords } from '../../store/queries';
import { decodeLogs } from '../../otlp/decode';
import { toStep } from '../../model/normalize';
import { maskDeep } from '../maskSecrets';
import { RunModel } from '../traceView';
import { ROW_FILE_MIN_STEPS, RowFiles, type RowFilesOptions } from '../rowFile';
import type { PriceTable } from '../../model/cost';
import type { Step } from '../../model/step';
import type { StoredTrace } from '../../store/queries';
import type { RowData } from '../rows';
import type { TraceLocation, UpdateReply } from './protocol';

/**
 * Steps kept for prebuilt runs no panel holds (a panel's run is never dropped while it is open):
 * about 110 MB at most (measured: 86 MB held for a 1,000,000-step run), so a run that big is ready.
 */
export const PREBUILT_BUDGET = 1_200_000;
/** A prebuilt run nobody opened is dropped this long after it last changed. */
export const PREBUILT_TTL_MS = 120_000;
/** How long a prebuilt run stays unchanged before it is laid out. */
const SETTLE_MS = 1000;
/** A row file is written once no request came for this long (writing a 1M-step run's takes a few hundred ms of this thread). */
const SAVE_IDLE_MS = 1500;
/** Longest a slice of reading runs before other requests are answered. */
const SLICE_MS = 30;

interface RunState {
  model: RunModel;
  path: string;
  generation: string;
  read: Set<number>;
  logOffsets: number[];
  panels: number;
  usedAt: number;
  /** The layout of a prebuilt run, due once it stops changing. */
  layLater?: NodeJS.Timeout;
  prices: PriceTable | undefined;
  /** The model version last saved to (or read from) its row file. */
  savedVersion: number;
  /** The update in progress; the next one starts after it. */
  busy: Promise<unknown>;
  dropped: boolean;
}

/** Options of a session. */
export interface ViewSessionOptions {
  onProgress?: (traceId: string, done: number, total: number) => void;
  budget?: number;
  ttlMs?: number;
  /** How long a prebuilt run stays unchanged before it is laid out (default 1 s). */
  settleMs?: number;
  /** Called between slices (the worker yields to its message queue there). */
  yieldNow?: () => Promise<void>;
  /** Where big runs' rows are saved once laid out, to open fast after a reload (see rowFile.ts); none: not saved. */
  rowFiles?: RowFilesOptions;
  /** Told when a row file could not be written (the run still opens, from the journal). */
  onError?: (message: string) => void;
}

/** The runs the view worker holds. */
export class ViewSession {
  private readonly runs = new Map<string, RunState>();
  private journal: Journal | null = null;
  /** Records are read once each, in order; two cover a record shared by two runs being read. */
  private readonly cache = new RecordCache(2);
  /** The last two records a detail was read from, decoded. */
  private readonly detailRecords = new RecordCache(2);
  /** When a request last came (row files wait until none came for a moment). */
  private askedAt = 0;
  /** Journal records read so far (a run opened from its row file reads only what it gained since). */
  recordsRead = 0;
  private readonly files: RowFiles | null;
  /** Row files being written (tests await them). */
  private readonly saving = new Set<Promise<unknown>>();

  constructor(private readonly opts: ViewSessionOptions = {}) {
    this.files = opts.rowFiles ? new RowFiles(opts.rowFiles) : null;
  }

  /** Steps held over all runs. */
  get held(): number {
    let n = 0;
    for (const r of this.runs.values()) n += r.model.size;
    return n;
  }

  /** Reads what is new of a run and lays it out; see ViewRequest `update`. */
  update(traceId: string, at: TraceLocation, open: boolean, prices?: PriceTable): Promise<UpdateReply> {
    this.askedAt = performance.now();
    let run = this.runs.get(traceId);
    if (run && (run.path !== at.journal.path || run.generation !== at.journal.generation)) {
      // The journal was compacted (or the store moved): its offsets mean other records now.
      run.dropped = true;
      this.runs.delete(traceId);
      run = { ...this.fresh(traceId, at, prices), panels: run.panels };
      this.runs.set(traceId, run);
    }
    if (!run) this.runs.set(traceId, (run = this.fresh(traceId, at, prices)));
    if (open) run.panels++;
    const r = run;
    const next = r.busy.then(() => this.read(traceId, r, at));
    r.busy = next.catch(() => undefined);
    return next.finally(() => this.evict());
  }

  /** Reads a big run that changed as it arrives; a run a panel holds is left to its panel's update. */
  prebuild(traceId: string, at: TraceLocation, prices?: PriceTable): Promise<UpdateReply> {
    if ((this.runs.get(traceId)?.panels ?? 0) > 0) return Promise.resolve({ prebuilt: true });
    return this.update(traceId, at, false, prices);
  }

  /** Rows of a run's published layout, or null when the worker does not hold it. */
  rows(traceId: string, start: number, count: number): RowData[] | null {
    const run = this.touch(traceId);
    return run ? run.model.rows(start, count) : null;
  }

  /** The full step of one row, read again from its record (credentials masked), or null. */
  detail(traceId: string, spanId: string, prices?: PriceTable): Step | null {
    const run = this.touch(traceId);
    const recOff = run?.model.recOff(spanId);
    if (!run || recOff === undefined || recOff < 0) return null;
    const journal = this.open(run.path, run.generation);
    if (!journal) return null;
    // The record's spans are kept for the next detail: the steps next to one (the arrow keys) are mostly in the same record.
    const stored = spanFromRecords(
      journal,
      traceId,
      spanId,
      recOff,
      () => run.logOffsets,
      (off) => {
        const { enc, body } = recordBody(journal.read(off));
        return this.detailRecords.groups(journal.generation, off, enc, body, traceId);
      },
    );
    const s = stored?.spans[0];
    if (!s) return null;
    const step = toStep({ span: s.span, resource: s.resource, scope: s.scope, logs: stored.logs }, prices);
    return maskDeep({ ...step, depth: run.model.depthOf(spanId) ?? step.depth });
  }

  /** True when the run is held and laid out as it is now (nothing added since). */
  laidOut(traceId: string): boolean {
    const run = this.runs.get(traceId);
    return !!run && !run.model.changed;
  }

  /** Names of rows by span id (absent ids left out). */
  names(traceId: string, spanIds: readonly string[]): Array<[string, string]> {
    const run = this.runs.get(traceId);
    if (!run) return [];
    const want = new Set(spanIds);
    const out: Array<[string, string]> = [];
    for (let start = 0, n = run.model.publish().rowCount; start < n && out.length < want.size; start += 2000)
      for (const r of run.model.rows(start, 2000)) if (want.has(r.spanId)) out.push([r.spanId, r.name]);
    return out;
  }

  /** A panel let go of a run; a run no panel holds is dropped. Returns the steps still held. */
  close(traceId: string): number {
    const run = this.runs.get(traceId);
    if (run && --run.panels <= 0) this.drop(traceId, run);
    if (!this.runs.size) {
      this.journal?.close();
      this.journal = null;
      this.detailRecords.clear();
    }
    return this.held;
  }

  /** Resolves once the row files being written are in place. */
  async saved(): Promise<void> {
    while (this.saving.size) await Promise.all([...this.saving]);
  }

  /** Drops a run, saving its rows first when they changed since its file was written. */
  private drop(traceId: string, run: RunState): void {
    run.dropped = true;
    clearTimeout(run.layLater);
    this.runs.delete(traceId);
    this.save(run);
  }

  /** Writes a big run's rows to its file when they changed since (in the background). */
  private save(run: RunState): void {
    const { model } = run;
    if (!this.files || model.size < ROW_FILE_MIN_STEPS || run.savedVersion === model.version) return;
    const version = model.version;
    const current = () => model.version === version;
    const p = this.files
      .save(model.state(), { path: run.path, generation: run.generation }, [...run.read], [...run.logOffsets], run.prices, current)
      .then(
        (ok) => ok && (run.savedVersion = version),
        (e: Error) => this.opts.onError?.(`saving the rows of ${model.traceId}: ${e.message}`),
      )
      .finally(() => this.saving.delete(p));
    this.saving.add(p);
  }

  /** Releases everything. */
  dispose(): void {
    for (const r of this.runs.values()) {
      r.dropped = true;
      clearTimeout(r.layLater);
    }
    this.runs.clear();
    this.detailRecords.clear();
    this.journal?.close();
    this.journal = null;
  }

  private fresh(traceId: string, at: TraceLocation, prices?: PriceTable): RunState {
    // A big run laid out before (in this window or an earlier one) starts from its row file.
    const saved = this.files?.load(traceId, at, prices) ?? null;
    const model = saved?.model ?? new RunModel(traceId, prices);
    return {
      model,
      path: at.journal.path,
      generation: at.journal.generation,
      read: new Set(saved?.read),
      logOffsets: saved?.logOffsets ?? [],
      prices,
      savedVersion: saved ? model.version : -1,
      panels: 0,
      usedAt: performance.now(),
      busy: Promise.resolve(),
      dropped: false,
    };
  }

  private touch(traceId: string): RunState | undefined {
    this.askedAt = performance.now();
    const run = this.runs.get(traceId);
    if (run) run.usedAt = performance.now();
    return run;
  }

  private async read(traceId: string, run: RunState, at: TraceLocation): Promise<UpdateReply> {
    run.usedAt = performance.now();
    const journal = this.open(run.path, run.generation);
    if (!journal) return { stale: true };
    const { model } = run;
    let sliceStart = performance.now();
    for (const off of at.offsets) {
      if (run.dropped) break;
      if (run.read.has(off)) continue;
      const rec = journal.read(off);
      this.recordsRead++;
      const { enc, body } = recordBody(rec);
      if (rec.type === RecordType.Spans) {
        for (const g of this.cache.groups(journal.generation, off, enc, body, traceId))
          for (const span of g.spans) model.addSpan(span, g.resource, g.scope, off);
      } else if (rec.type === RecordType.Logs) {
        run.logOffsets.push(off);
        const logs: StoredTrace['logs'] = [];
        for (const g of decodeLogs(body, enc, traceId).groups) for (const l of g.logs) logs.push({ ...l, resource: g.resource, scope: g.scope });
        for (const spanId of model.addLogs(logs)) {
          const again = spanFromRecords(journal, traceId, spanId, model.recOff(spanId) ?? -1, () => []);
          const s = again?.spans[0];
          if (s) model.reseed(s.span, s.resource, s.scope);
        }
      }
      run.read.add(off);
      if (performance.now() - sliceStart > SLICE_MS) {
        this.opts.onProgress?.(traceId, model.size, Math.max(at.spanCount, model.size));
        await (this.opts.yieldNow ?? (() => new Promise<void>((resolve) => setImmediate(resolve))))();
        sliceStart = performance.now();
      }
    }
    clearTimeout(run.layLater);
    const header = run.panels > 0 && !run.dropped ? model.publish() : undefined;
    // Once it has not changed for a moment: a prebuilt run is laid out, so opening it then is
    // immediate, and a big run's rows are saved, so opening it after a reload is too. (A panel's
    // run is laid out by its panel's updates only: its rows must match the header it was sent.)
    const settle = this.opts.settleMs ?? SETTLE_MS;
    const later = (fn: () => void, ms: number) => {
      run.layLater = setTimeout(fn, ms);
      run.layLater.unref?.();
    };
    const saveWhenIdle = () => {
      if (run.dropped || model.changed) return;
      const idle = performance.now() - this.askedAt;
      if (idle < Math.min(SAVE_IDLE_MS, settle)) return later(saveWhenIdle, Math.min(SAVE_IDLE_MS, settle) - idle);
      this.save(run);
    };
    later(() => {
      if (run.dropped) return;
      if (run.panels <= 0) model.publish();
      saveWhenIdle();
    }, settle);
    return header ? { header } : { prebuilt: true };
  }

  /** Drops the prebuilt runs not used for `ttlMs`; returns the steps still held. */
  expire(now = performance.now()): number {
    for (const [id, r] of this.runs) if (r.panels <= 0 && now - r.usedAt > (this.opts.ttlMs ?? PREBUILT_TTL_MS)) this.drop(id, r);
    return this.held;
  }

  /** Drops the least recently used prebuilt runs while over the budget. */
  private evict(): void {
    const budget = this.opts.budget ?? PREBUILT_BUDGET;
    let prebuilt = 0;
    for (const r of this.runs.values()) if (r.panels <= 0) prebuilt += r.model.size;
    if (prebuilt <= budget) return;
    const byAge = [...this.runs.entries()].filter(([, r]) => r.panels <= 0).sort((a, b) => a[1].usedAt - b[1].usedAt); // stable: ties keep the order they were added in
    for (const [id, r] of byAge) {
      if (prebuilt <= budget) break;
      this.drop(id, r);
      prebuilt -= r.model.size;
    }
  }

  /** The journal of that generation, or null when the file now holds another one. */
  private open(path: string, generation: string): Journal | null {
    if (this.journal?.path === path && this.journal.generation === generation) return this.journal;
    const j = Journal.open(path, true);
    if (j.generation !== generation) {
      j.close();
      return null;
    }
    this.journal?.close();
    return (this.journal = j);
  }
}
