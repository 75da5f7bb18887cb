/**
 * One model call, one step in the totals. When two instrumentations describe the same model call
 * — a framework's LLM span and, nested in it, the client's or the SDK's span of the request — both
 * carry the call's usage, and a run's tokens and cost would count it twice. Recognised from the
 * data alone: an llm step whose only nearest llm descendant names the same model (or one names
 * none; a dated model id matches its alias) and reports the same input and output tokens. The
 * outer one's usage is then shown, never summed (as the AI SDK's outer spans: `rollupTokens`).
 */

/** What the rule reads of a step or a view row (items in tree pre-order). */
export interface CallLike {
  kind: string;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
}

function sameModel(a: string | null, b: string | null): boolean {
  return !a || !b || a === b || a.startsWith(`${b}-`) || b.startsWith(`${a}-`);
}

/** Indexes of the outer steps whose usage repeats their one nested model call's. `parentOf(i)` is the index of i's parent, -1 for a root. */
export function duplicateModelCalls(items: readonly CallLike[], parentOf: (i: number) => number): Set<number> {
  return duplicateModelCallsBy(items.length, (i) => items[i]!, parentOf);
}

/** The same over n items read by `at` (a view's columns: no object per row is kept). */
export function duplicateModelCallsBy(n: number, at: (i: number) => CallLike, parentOf: (i: number) => number): Set<number> {
  const llm = new Uint8Array(n);
  for (let i = 0; i < n; i++) llm[i] = at(i).kind === 'llm' ? 1 : 0;
  const inner = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (!llm[i]) continue;
    let p = parentOf(i);
    while (p >= 0 && !llm[p]) p = parentOf(p);
    if (p < 0) continue;
    const list = inner.get(p);
    if (list)
      list.push(i); // not a copy per child: an agent span may hold 100,000 model calls
    else inner.set(p, [i]);
  }
  const out = new Set<number>();
  for (const [outer, nested] of inner) {
    if (nested.length !== 1) continue;
    const a = at(outer),
      b = at(nested[0]!);
    const tokens = a.inputTokens !== null && a.inputTokens === b.inputTokens && a.outputTokens === b.outputTokens;
    if (tokens && sameModel(a.model, b.model)) out.add(outer);
  }
  return out;
}
