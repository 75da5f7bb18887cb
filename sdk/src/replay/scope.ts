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

/** Per-process step scopes (one root per run). */
export class StepScopes {
  private readonly als = new AsyncLocalStorage<Scope>();
  private root: Scope = { key: '', counts: new Map() };

  /** The next key for a call of `op` named `name` in the current scope. */
  nextKey(op: string, name: string): string {
    const scope = this.als.getStore() ?? this.root;
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
  }
}
