/**
 * Orders a trace's spans as a tree in pre-order (children by start time) with depths, the
 * shape every view and `show --json` use. Spans whose parent never arrived become roots.
 * Iterative, so a 100k-deep chain cannot overflow the stack.
 */

/** The minimum a node needs to be placed in the tree. */
export interface TreeNode {
  spanId: string;
  parentSpanId: string | null;
  /** Start time in nanoseconds (a number when relative to a base, exact below 2^53). */
  startNanos: bigint | number;
}

/** Returns [index into nodes, depth] pairs in pre-order. */
export function preorder(nodes: TreeNode[]): Array<[number, number]> {
  const ids = new Set(nodes.map((n) => n.spanId));
  const children = new Map<string | null, number[]>();
  nodes.forEach((n, i) => {
    const parent = n.parentSpanId && ids.has(n.parentSpanId) && n.parentSpanId !== n.spanId ? n.parentSpanId : null;
    const list = children.get(parent);
    if (list) list.push(i);
    else children.set(parent, [i]);
  });
  const byStart = (a: number, b: number) => {
    const x = nodes[a].startNanos,
      y = nodes[b].startNanos;
    return x < y ? -1 : x > y ? 1 : a - b;
  };
  for (const list of children.values()) list.sort(byStart);
  const out: Array<[number, number]> = [];
  const visited = new Set<number>();
  const stack: Array<[number, number]> = (children.get(null) ?? []).map((i) => [i, 0] as [number, number]).reverse();
  while (stack.length) {
    const [i, depth] = stack.pop()!;
    if (visited.has(i)) continue;
    visited.add(i);
    out.push([i, depth]);
    const kids = children.get(nodes[i].spanId) ?? [];
    for (let k = kids.length - 1; k >= 0; k--) stack.push([kids[k], depth + 1]);
  }
  // Cycles (a→b→a) have no root: show them rather than drop them.
  nodes.forEach((_, i) => {
    if (!visited.has(i)) out.push([i, 0]);
  });
  return out;
}
