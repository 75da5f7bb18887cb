import * as assert from 'node:assert/strict';
import type { RowData } from '../src/shared/protocol';
import { visibleRows } from '../src/shared/visibleRows';
import { treeKeyAction, type TreeKeyContext } from './treeKeys';

// root(0) ─ a(1) ─ a1(2)
//         │      └ a2(3)
//         └ b(4)
const shape: [number, number][] = [
  [-1, 4],
  [0, 2],
  [1, 0],
  [1, 0],
  [0, 0],
];
const rows = shape.map(([parent, descendants], index) => ({ index, parent, descendants }) as RowData);

function ctx(selected: number, collapsed: number[] = []): TreeKeyContext {
  const set = new Set(collapsed);
  return { visible: visibleRows(rows, rows.length, set), rows, selected, collapsed: set, pageSize: 2 };
}

describe('treeKeyAction', () => {
  it('with nothing selected, movement keys select the first row and End the last', () => {
    assert.deepEqual(treeKeyAction('ArrowDown', false, ctx(-1)), { type: 'select', index: 0 });
    assert.deepEqual(treeKeyAction('End', false, ctx(-1)), { type: 'select', index: 4 });
    assert.equal(treeKeyAction('Enter', false, ctx(-1)), undefined);
  });

  it('moves over the visible rows only', () => {
    assert.deepEqual(treeKeyAction('ArrowDown', false, ctx(1, [1])), { type: 'select', index: 4 });
    assert.deepEqual(treeKeyAction('ArrowUp', false, ctx(4, [1])), { type: 'select', index: 1 });
    assert.deepEqual(treeKeyAction('PageDown', false, ctx(0)), { type: 'select', index: 2 });
    assert.deepEqual(treeKeyAction('Home', false, ctx(3)), { type: 'select', index: 0 });
  });

  it('Right expands a collapsed row, then enters it; does nothing on a leaf', () => {
    assert.deepEqual(treeKeyAction('ArrowRight', false, ctx(1, [1])), { type: 'expand', index: 1 });
    assert.deepEqual(treeKeyAction('ArrowRight', false, ctx(1)), { type: 'select', index: 2 });
    assert.equal(treeKeyAction('ArrowRight', false, ctx(2)), undefined);
  });

  it('Left collapses an expanded row, else goes to the parent; nothing at a collapsed root', () => {
    assert.deepEqual(treeKeyAction('ArrowLeft', false, ctx(1)), { type: 'collapse', index: 1 });
    assert.deepEqual(treeKeyAction('ArrowLeft', false, ctx(3)), { type: 'select', index: 1 });
    assert.deepEqual(treeKeyAction('ArrowLeft', false, ctx(1, [1])), { type: 'select', index: 0 });
    assert.equal(treeKeyAction('ArrowLeft', false, ctx(0, [0])), undefined);
  });

  it('Enter opens the source, Alt+Enter to the side; other keys are left alone', () => {
    assert.deepEqual(treeKeyAction('Enter', false, ctx(2)), { type: 'open', index: 2, toSide: false });
    assert.deepEqual(treeKeyAction('Enter', true, ctx(2)), { type: 'open', index: 2, toSide: true });
    assert.equal(treeKeyAction('a', false, ctx(2)), undefined);
    assert.equal(treeKeyAction('Tab', false, ctx(2)), undefined);
  });

  it('a selection hidden in a collapsed subtree restarts from the top', () => {
    assert.deepEqual(treeKeyAction('ArrowDown', false, ctx(2, [1])), { type: 'select', index: 0 });
  });
});
