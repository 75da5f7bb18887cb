/**
 * Waiting for a run to be in the store, on the store's own change events (no polling): a replay's
 * or *Run Agent*'s run lands in batches as the agent's exporter flushes; once it is there and no
 * change to it has come for `settleMs`, its last batch has landed.
 */
import type * as vscode from 'vscode';
import type { ReceiverHost } from '../receiverHost';

type Store = NonNullable<ReceiverHost['current']>;

/**
 * Resolves with what `find` returns once it returns something and that run has been quiet for
 * `settleMs`; with what was found (or null) at `timeoutMs`; with null when cancelled.
 */
export function waitForStoreRun<T extends { traceId: string }>(
  host: Pick<ReceiverHost, 'current' | 'onDidChangeTraces' | 'onDidChangeState'>,
  find: (store: Store) => T | null,
  token?: vscode.CancellationToken,
  timeoutMs = 15_000,
  settleMs = 300,
): Promise<T | null> {
  return new Promise((resolve) => {
    let found: T | null = null;
    let settle: NodeJS.Timeout | undefined;
    let done = false;
    const subs: Array<{ dispose(): void }> = [];
    const finish = (v: T | null) => {
      if (done) return;
      done = true;
      clearTimeout(settle);
      clearTimeout(deadline);
      subs.forEach((d) => d.dispose());
      resolve(v);
    };
    const check = (changed?: readonly string[]) => {
      const store = host.current;
      if (!store || done) return;
      if (found && changed && !changed.includes(found.traceId)) return; // another run changed
      const run = find(store);
      if (!run) return;
      found = run;
      clearTimeout(settle);
      settle = setTimeout(() => finish((host.current && find(host.current)) ?? found), settleMs);
    };
    const deadline = setTimeout(() => finish(found), timeoutMs);
    subs.push(host.onDidChangeTraces((ids) => check(ids)));
    subs.push(host.onDidChangeState(() => check()));
    if (token) subs.push(token.onCancellationRequested(() => finish(null)));
    check();
  });
}

/** Resolves with what `get` returns once it returns something, checked now and on each of `events`; undefined at `timeoutMs`. */
export function waitForEvent<T>(events: ReadonlyArray<vscode.Event<unknown>>, get: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const now = get();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve) => {
    const subs: vscode.Disposable[] = [];
    const finish = (v: T | undefined) => {
      clearTimeout(deadline);
      subs.forEach((d) => d.dispose());
      resolve(v);
    };
    const deadline = setTimeout(() => finish(undefined), timeoutMs);
    for (const e of events)
      subs.push(
        e(() => {
          const v = get();
          if (v !== undefined) finish(v);
        }),
      );
  });
}
