/**
 * The user's own evaluators (`.tracefork/evaluators/*.js|mjs|cjs`), run in a worker thread with a
 * per-call timeout and a memory limit: a throwing, slow, looping or memory-hungry evaluator becomes
 * an error score (source 'custom', passed null) and is skipped for the rest of that run; nothing it
 * does stops the host. Runs only in a trusted workspace. The host reloads on change (`load` again).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Step } from '../../model/step';
import { errorScore } from '../score';
import type { EvalScore } from '../types';
import { WorkerHost } from './workerHost';
import { toScores } from './normalize';

/** Options; `trusted` must be said explicitly. */
export interface CustomOptions {
  /** False in an untrusted workspace: nothing is loaded or run. */
  trusted: boolean;
  /** Per evaluate() call (default 2000 ms). */
  timeoutMs?: number;
  /** Loading all modules (default 5000 ms). */
  loadTimeoutMs?: number;
  /** Worker heap limit (default 128 MB). */
  maxMemoryMb?: number;
}

/** A loaded evaluator. */
export interface CustomEvaluatorInfo {
  index: number;
  file: string;
  name: string;
  version: string;
}

/** Scores of a run, and what the user should be told (load errors, untrusted workspace). */
export interface CustomRunResult {
  scores: Map<string, EvalScore[]>;
  notices: string[];
}

export const UNTRUSTED_NOTICE = 'Custom evaluators were not run: the workspace is not trusted.';
const FILES = /\.(?:js|mjs|cjs)$/;

/** Loads and runs custom evaluators in an isolated worker. */
export class CustomEvaluators {
  evaluators: CustomEvaluatorInfo[] = [];
  private host: WorkerHost | null = null;
  private files: string[] = [];
  private loadNotices: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: CustomOptions) {}

  /** (Re)loads every evaluator module of `dir` in a fresh worker; returns what loaded and the load errors. */
  load(dir: string): Promise<{ evaluators: CustomEvaluatorInfo[]; notices: string[] }> {
    return this.serial(async () => {
      if (!this.opts.trusted) return { evaluators: [], notices: [UNTRUSTED_NOTICE] };
      this.files = fs.existsSync(dir)
        ? fs
            .readdirSync(dir)
            .filter((f) => FILES.test(f))
            .sort()
            .map((f) => path.resolve(dir, f))
        : [];
      this.loadNotices = [];
      await this.start();
      return { evaluators: this.evaluators, notices: this.loadNotices };
    });
  }

  /** Runs every loaded evaluator on every step of one run. */
  run(steps: readonly Step[]): Promise<CustomRunResult> {
    return this.serial(async () => {
      if (!this.opts.trusted) return { scores: new Map(), notices: [UNTRUSTED_NOTICE] };
      const scores = new Map<string, EvalScore[]>(steps.map((s) => [s.spanId, []]));
      const notices: string[] = [];
      if (!this.evaluators.length) return { scores, notices };
      const evs = [...this.evaluators];
      await this.ensure(steps);
      for (const ev of evs) {
        if (!this.evaluators.some((e) => e.index === ev.index && e.file === ev.file)) continue; // lost in a failed restart (noticed at load)
        const fatal = await this.batch(ev, steps, (i, s) => scores.get(steps[i].spanId)?.push(...s));
        if (fatal) notices.push(`${ev.name} (${path.basename(ev.file)}) ${fatal}; skipped for the rest of this run`);
      }
      return { scores, notices };
    });
  }

  /** Stops the worker. */
  async dispose(): Promise<void> {
    await this.serial(async () => {
      await this.host?.terminate();
      this.host = null;
      this.evaluators = [];
      this.files = [];
    });
  }

  /**
   * Runs one evaluator over all steps (the worker streams one reply per step); returns why it was
   * stopped (timeout, crash) or null. The step it was on when stopped gets the error score.
   */
  private async batch(ev: CustomEvaluatorInfo, steps: readonly Step[], add: (i: number, s: EvalScore[]) => void): Promise<string | null> {
    let next = 0;
    try {
      await this.host!.request({ type: 'batch', evaluator: ev.index, from: 0, to: steps.length }, this.opts.timeoutMs ?? 2000, (r) => {
        add(r.item!, r.ok ? toScores(r.value, ev) : [errorScore(ev.name, ev.version, 'custom', `evaluator threw: ${r.error}`)]);
        next = r.item! + 1;
      });
      return null;
    } catch (e) {
      const why = (e as Error).message.replace(/^evaluator /, '');
      if (next < steps.length) add(next, [errorScore(ev.name, ev.version, 'custom', `evaluator ${why} on this step; skipped for the rest of the run`)]);
      await this.start(); // a fresh worker for the other evaluators and the next runs
      await this.ensure(steps);
      return why;
    }
  }

  /** A fresh worker with the current files loaded. */
  private async start(): Promise<void> {
    await this.host?.terminate();
    this.host = new WorkerHost(this.opts.maxMemoryMb ?? 128);
    this.evaluators = [];
    if (!this.files.length) return;
    try {
      const r = await this.host.request({ type: 'load', files: this.files }, this.opts.loadTimeoutMs ?? 5000);
      this.evaluators = (r.value as CustomEvaluatorInfo[]) ?? [];
      for (const err of r.errors ?? []) this.notice(`could not load ${path.basename(err.file)}: ${err.message}`);
    } catch (e) {
      this.notice(`custom evaluators could not be loaded: ${(e as Error).message}`);
    }
  }

  private notice(text: string): void {
    if (!this.loadNotices.includes(text)) this.loadNotices.push(text);
  }

  /** Sends the run to the worker (after a restart too). */
  private async ensure(steps: readonly Step[]): Promise<void> {
    if (this.host && !this.host.dead && this.evaluators.length) {
      await this.host.request({ type: 'run', traceId: steps[0]?.traceId ?? null, steps }, this.opts.loadTimeoutMs ?? 5000).catch(() => undefined);
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
