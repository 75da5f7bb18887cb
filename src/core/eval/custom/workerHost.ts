/** One worker thread running custom evaluators: requests with a timeout; a crash or timeout fails what is pending. */
import { Worker } from 'node:worker_threads';
import { WORKER_SOURCE } from './workerSource';

/** A reply from the worker. */
export interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
  errors?: Array<{ file: string; message: string }>;
  /** Set on the per-step replies of a batch. */
  item?: number;
}

interface Pending {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  onItem?: (r: Reply) => void;
}

/** The worker, memory-limited; its console output is discarded so it cannot corrupt the host's output. */
export class WorkerHost {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Why the worker is unusable (exited, out of memory, timed out); null while healthy. */
  dead: string | null = null;

  constructor(maxMemoryMb: number) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb, maxYoungGenerationSizeMb: Math.max(4, Math.min(32, maxMemoryMb / 4)) },
    });
    this.worker.stdout.resume();
    this.worker.stderr.resume();
    this.worker.unref();
    this.worker.on('message', (r: Reply) => (r.item === undefined ? this.settle(r.id, (p) => p.resolve(r)) : this.item(r)));
    this.worker.on('error', (e: Error & { code?: string }) => {
      this.fail(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `ran out of memory (limit ${maxMemoryMb} MB)` : `crashed: ${e.message}`);
    });
    this.worker.on('exit', (code) => this.fail(`exited (code ${code})`));
  }

  /**
   * Sends a request; rejects when `timeoutMs` pass without a reply (the worker is then terminated)
   * or when the worker dies. For a batch, each per-step reply goes to `onItem` and restarts the clock,
   * so the timeout applies to every single evaluate() call.
   */
  request(msg: Record<string, unknown>, timeoutMs: number, onItem?: (r: Reply) => void): Promise<Reply> {
    if (this.dead) return Promise.reject(new Error(`evaluator worker ${this.dead}`));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => this.timeout(timeoutMs), timeoutMs);
      this.pending.set(id, { resolve, reject, timer, onItem });
      this.worker.postMessage({ ...msg, id });
    });
  }

  private timeout(ms: number): void {
    this.fail(`timed out after ${ms} ms`);
    void this.worker.terminate();
  }

  private item(r: Reply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    p.timer.refresh();
    p.onItem?.(r);
  }

  /** Stops the worker (pending requests fail). */
  async terminate(): Promise<void> {
    this.fail('was disposed');
    await this.worker.terminate();
  }

  private settle(id: number, fn: (p: Pending) => void): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    fn(p);
  }

  private fail(why: string): void {
    this.dead ??= why;
    for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.reject(new Error(`evaluator ${this.dead}`)));
  }
}
