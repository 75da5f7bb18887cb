/**
 * What a key press on the step tree does, as a pure function of the tree's state (the
 * WAI-ARIA tree pattern): arrows, Page keys, Home/End move; Right expands or enters; Left
 * collapses or goes to the parent; Enter opens the source, Alt+Enter to the side.
 */
import type { RowData } from '../src/shared/protocol';
import { moveSelection } from '../src/shared/visibleRows';

/** The effect of one key press on the tree. */
export type TreeAction =
  | { type: 'select'; index: number }
  | { type: 'expand'; index: number }
  | { type: 'collapse'; index: number }
  | { type: 'open'; index: number; toSide: boolean };

/** The tree state a key press is judged against. */
export interface TreeKeyContext {
  visible: readonly number[];
  rows: ReadonlyArray<RowData | undefined>;
  selected: number;
  collapsed: ReadonlySet<number>;
  pageSize: number;
}

const MOVES = new Set(['ArrowDown', 'ArrowUp', 'Home', 'End', 'PageDown', 'PageUp']);

/** The action for `key` (with Alt held or not), or undefined when the tree ignores the key. */
export function treeKeyAction(key: string, altKey: boolean, ctx: TreeKeyContext): TreeAction | undefined {
  const { visible, selected } = ctx;
  if (visible.length === 0) return undefined;
  if (selected < 0 || !visible.includes(selected)) return firstSelection(key, visible);
  const row = ctx.rows[selected];
  switch (key) {
    case 'ArrowRight':
      if (!row || row.descendants === 0) return undefined;
      return ctx.collapsed.has(selected) ? { type: 'expand', index: selected } : { type: 'select', index: selected + 1 };
    case 'ArrowLeft':
      if (row && row.descendants > 0 && !ctx.collapsed.has(selected)) return { type: 'collapse', index: selected };
      return row && row.parent >= 0 ? { type: 'select', index: row.parent } : undefined;
    case 'Enter':
      return row ? { type: 'open', index: selected, toSide: altKey } : undefined;
    default: {
      if (!MOVES.has(key)) return undefined;
      const to = moveSelection(visible, selected, key, ctx.pageSize);
      return to === undefined ? undefined : { type: 'select', index: to };
    }
  }
}

/** With nothing selected (or the selection hidden), movement keys select the first or last row. */
function firstSelection(key: string, visible: readonly number[]): TreeAction | undefined {
  if (key === 'End') return { type: 'select', index: visible[visible.length - 1] };
  return MOVES.has(key) || key === 'ArrowRight' ? { type: 'select', index: visible[0] } : undefined;
}
