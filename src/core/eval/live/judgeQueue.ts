/**
 * The LLM judge in the live loop: each gradable step (llm steps with an answer, by default) of the
 * runs that started after the judge was switched on is graded once, one request at a time, in the
 * order the steps arrived. The queue is bounded so that a burst of runs cannot turn into an
 * unbounded number of paid requests: steps beyond it are skipped and the user is told.
 */
import type { Step } from '../../model/step';
import { judgeable, judgeStep, type JudgeConfig } from '../judge';
import type { EvalScore } from '../types';

/** Options of the queue. */
export interface JudgeQueueOptions {
  /** Called after a step of the run was graded. */
  onScore: (traceId: string) => void;
  /** Things the user should know (steps skipped over the bound). */
  notify?: (message: string) => void;
  /** Most steps waiting at once (default 1000). */
  maxQueued?: number;
  /** The judge call (tests may count or replace it). */
  judge?: (step: Step, cfg: JudgeConfig) => Promise<EvalScore>;
  now?: () => number;
}

/** Grades new runs' steps with the configured judge. */
export class JudgeQueue {
  private config: JudgeConfig | null = null;
  private configKey = '';
  private since = 0;
  private generation = 0;
  private queue: Step[] = [];
  private seen = new Set<string>();
  private results = new Map<string, Map<string, EvalScore[]>>();
  private running = false;
  private skipped = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly opts: JudgeQueueOptions) {}

  /** True while a judge is configured. */
  get enabled(): boolean {
    return this.config !== null;
  }

  /** Switches the judge on (a config), off (null or not enabled) or to another config; only runs that start after this are graded. */
  configure(cfg: JudgeConfig | null): void {
    const next = cfg?.enabled ? cfg : null;
    const key = JSON.stringify(next);
    if (key === this.configKey) return;
    this.configKey = key;
    this.config = next;
    this.since = (this.opts.now ?? Date.now)();
    this.generation++;
    this.queue = [];
    this.settleIdle();
  }

  /** Queues the run's gradable steps not graded yet (the run must have started after the judge was switched on). */
  add(steps: readonly Step[]): void {
    const cfg = this.config;
    if (!cfg || !steps.length) return;
    const start = Math.min(...steps.map((s) => Date.parse(s.startTime)));
    if (!(start >= this.since)) return;
    for (const s of steps) {
      const key = `${s.traceId}/${s.spanId}`;
      if (this.seen.has(key) || !judgeable(s, cfg)) continue;
      this.seen.add(key);
      if (this.queue.length >= (this.opts.maxQueued ?? 1000)) {
        if (this.skipped++ === 0) this.opts.notify?.(`the LLM judge has ${this.queue.length} steps waiting; newer steps are not judged until it catches up`);
        continue;
      }
      this.queue.push(s);
    }
    void this.pump();
  }

  /** The judge's scores of a run's steps, by span id. */
  scores(traceId: string): ReadonlyMap<string, EvalScore[]> | undefined {
    return this.results.get(traceId);
  }

  /** Drops what is kept about deleted runs. */
  forget(traceIds: readonly string[]): void {
    const gone = new Set(traceIds);
    for (const id of gone) this.results.delete(id);
    this.queue = this.queue.filter((s) => !gone.has(s.traceId));
    for (const key of [...this.seen]) if (gone.has(key.slice(0, key.indexOf('/')))) this.seen.delete(key);
  }

  /** Resolves once no step is waiting or being graded. */
  idle(): Promise<void> {
    if (!this.running && !this.queue.length) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops grading (what is waiting is dropped). */
  dispose(): void {
    this.configure(null);
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let step = this.queue.shift(); step; step = this.queue.shift()) {
        const cfg = this.config;
        const gen = this.generation;
        if (!cfg) break;
        const score = await (this.opts.judge ?? judgeStep)(step, cfg);
        if (gen !== this.generation || !this.seen.has(`${step.traceId}/${step.spanId}`)) continue; // switched off, reconfigured or deleted meanwhile
        let run = this.results.get(step.traceId);
        if (!run) this.results.set(step.traceId, (run = new Map()));
        run.set(step.spanId, [score]);
        this.opts.onScore(step.traceId);
      }
    } finally {
      this.running = false;
      if (!this.queue.length) this.skipped = 0;
      this.settleIdle();
    }
  }

  private settleIdle(): void {
    if (this.running || this.queue.length) return;
    for (const r of this.idleWaiters.splice(0)) r();
  }
}
