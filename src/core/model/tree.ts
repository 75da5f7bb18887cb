/**
 * Orders a trace's spans as a tree in pre-order (children by start time) with depths, the
 * shape every view and `show --json` use. Spans whose parent never arrived become roots.
 * Iterative, so a 100k-deep chain cannot overflow the stack; `preorderIndexed` works on typed
 * arrays, so a 1M-span run is laid out without a Map or an object per span.
 */

/** The minimum a node needs to be placed in the tree. */
export interface TreeNode {
  spanId: string;
  parentSpanId: string | null;
  /** Start time in nanoseconds. */
  startNanos: bigint;
}

/** Returns [index into nodes, depth] pairs in pre-order. */
export function preorder(nodes: TreeNode[]): Array<[number, number]> {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => index.has(n.spanId) || index.set(n.spanId, i));
  const parentOf = new Int32Array(nodes.length);
  nodes.forEach((n, i) => {
    const p = n.parentSpanId && n.parentSpanId !== n.spanId ? index.get(n.parentSpanId) : undefined;
    parentOf[i] = p === undefined ? -1 : p;
  });
  const { order, depth } = preorderIndexed(parentOf, (a, b) => {
    const x = nodes[a]!.startNanos,
      y = nodes[b]!.startNanos;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  return Array.from(order, (i, r) => [i, depth[r]!] as [number, number]);
}

/**
 * Pre-order of n nodes given each one's parent index (-1: a root; a parent that is the node itself
 * counts as none). Siblings in `compare` order (which should end ties by index). Nodes in a cycle
 * (a→b→a) have no root: they follow at depth 0, in index order, rather than being dropped.
 */
export function preorderIndexed(parentOf: Int32Array, compare: (a: number, b: number) => number): { order: Int32Array; depth: Int32Array } {
  const n = parentOf.length;
  // Children of each node (slot p + 1; slot 0 holds the roots), contiguous.
  const first = new Int32Array(n + 2);
  for (let i = 0; i < n; i++) first[(parentOf[i] === i ? -1 : parentOf[i]!) + 2]++;
  for (let s = 1; s < n + 2; s++) first[s] += first[s - 1]!;
  const kids = new Int32Array(n);
  const fill = first.slice(0, n + 1);
  for (let i = 0; i < n; i++) kids[fill[(parentOf[i] === i ? -1 : parentOf[i]!) + 1]++] = i;
  for (let s = 0; s <= n; s++) if (first[s + 1]! - first[s]! > 1) kids.subarray(first[s], first[s + 1]).sort(compare);
  const order = new Int32Array(n),
    depth = new Int32Array(n);
  const visited = new Uint8Array(n);
  const stack = new Int32Array(n),
    stackDepth = new Int32Array(n);
  let out = 0;
  const walk = (from: number, to: number) => {
    let top = 0;
    for (let k = to - 1; k >= from; k--) [stack[top], stackDepth[top++]] = [kids[k]!, 0];
    while (top > 0) {
      const i = stack[--top]!,
        d = stackDepth[top]!;
      if (visited[i]) continue;
      visited[i] = 1;
      order[out] = i;
      depth[out++] = d;
      for (let k = first[i + 2]! - 1; k >= first[i + 1]!; k--) if (!visited[kids[k]!]) [stack[top], stackDepth[top++]] = [kids[k]!, d + 1];
    }
  };
  walk(first[0]!, first[1]!);
  for (let i = 0; i < n; i++) if (!visited[i]) [visited[i], order[out], depth[out++]] = [1, i, 0];
  return { order, depth };
}
