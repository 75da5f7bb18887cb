/**
 * Step keys: `<parent key>/<op>:<name>#<occurrence>`, where the occurrence counts earlier calls
 * with the same op and name under the same parent (the enclosing `step()`, else the run). The
 * key holds no input, so an edited input still finds its step; the input hash is kept beside it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface Scope {
  key: string;
  counts: Map<string, number>;
}

const MAX_TRACES = 1000; // a long-running server: the oldest runs' counts are forgotten

/** Per-process step scopes (one root per run). */
export class StepScopes {
  private readonly als = new AsyncLocalStorage<Scope>();
  private root: Scope = { key: '', counts: new Map() };
  private readonly traces = new Map<string, Scope>();

  /** The top of the run `traceId` (the process's own root when the call starts a trace of its own). */
  private top(traceId: string | undefined): Scope {
    if (!traceId) return this.root;
    let scope = this.traces.get(traceId);
    if (!scope) {
      scope = { key: '', counts: new Map() };
      this.traces.set(traceId, scope);
      if (this.traces.size > MAX_TRACES) this.traces.delete(this.traces.keys().next().value!);
    }
    return scope;
  }

  /**
   * The next key for a call of `op` named `name` in the current scope; at the top of a run,
   * `traceId` is the run the call joins (none: it starts one), so a run's keys count from 0
   * whatever ran before it in the process.
   */
  nextKey(op: string, name: string, traceId?: string): string {
    const scope = this.als.getStore() ?? this.top(traceId);
    const id = `${op}:${name}`;
    const n = scope.counts.get(id) ?? 0;
    scope.counts.set(id, n + 1);
    return `${scope.key}/${id}#${n}`;
  }

  /** Runs fn with `key` as the parent of the calls it makes. */
  within<T>(key: string, fn: () => T): T {
    return this.als.run({ key, counts: new Map() }, fn);
  }

  /** Starts counting afresh (a new run in the same process). */
  reset(): void {
    this.root = { key: '', counts: new Map() };
    this.traces.clear();
  }
}
