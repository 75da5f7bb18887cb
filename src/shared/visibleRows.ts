/**
 * The visible rows of a tree kept in pre-order: one pure pass over (rows, collapsed). A
 * collapsed row hides its subtree, which is the contiguous range after it (`descendants`).
 */

/** What visibleRows needs of a row. */
export interface TreeRow {
  descendants: number;
}

/**
 * Indices of the rows to show. `rows` may be sparse (pages not loaded yet): a missing row is
 * shown as a placeholder and treated as a leaf. Runs in O(visible + collapsed subtrees skipped).
 */
export function visibleRows(rows: ReadonlyArray<TreeRow | undefined>, total: number, collapsed: ReadonlySet<number>): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < total) {
    out.push(i);
    const row = rows[i];
    i += row && collapsed.has(i) ? row.descendants + 1 : 1;
  }
  return out;
}

/** The row to select after a key press, or undefined when the key does not move. */
export function moveSelection(visible: readonly number[], current: number, key: string, pageSize: number): number | undefined {
  const pos = Math.max(0, visible.indexOf(current));
  const to = (p: number) => visible[Math.max(0, Math.min(visible.length - 1, p))];
  switch (key) {
    case 'ArrowDown':
      return to(pos + 1);
    case 'ArrowUp':
      return to(pos - 1);
    case 'Home':
      return to(0);
    case 'End':
      return to(visible.length - 1);
    case 'PageDown':
      return to(pos + pageSize);
    case 'PageUp':
      return to(pos - pageSize);
    default:
      return undefined;
  }
}
