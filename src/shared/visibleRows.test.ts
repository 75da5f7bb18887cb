import * as assert from 'node:assert/strict';
import { moveSelection, visibleRows } from './visibleRows';

// root(0) ─ a(1) ─ a1(2)
//         │      └ a2(3)
//         └ b(4)
// root2(5)
const rows = [{ descendants: 4 }, { descendants: 2 }, { descendants: 0 }, { descendants: 0 }, { descendants: 0 }, { descendants: 0 }];

describe('visibleRows', () => {
  it('shows every row when nothing is collapsed', () => {
    assert.deepEqual(visibleRows(rows, 6, new Set()), [0, 1, 2, 3, 4, 5]);
  });
  it('hides a collapsed subtree and only it', () => {
    assert.deepEqual(visibleRows(rows, 6, new Set([1])), [0, 1, 4, 5]);
    assert.deepEqual(visibleRows(rows, 6, new Set([0])), [0, 5]);
    assert.deepEqual(visibleRows(rows, 6, new Set([0, 1])), [0, 5]);
  });
  it('collapsing a leaf changes nothing', () => {
    assert.deepEqual(visibleRows(rows, 6, new Set([2])), [0, 1, 2, 3, 4, 5]);
  });
  it('treats rows not loaded yet as leaves, so the list has its full length at once', () => {
    const sparse = [rows[0], undefined, undefined, undefined, undefined, undefined];
    assert.deepEqual(visibleRows(sparse, 6, new Set([1])), [0, 1, 2, 3, 4, 5]);
  });
  it('stays linear on a 100k-row chain', () => {
    const chain = Array.from({ length: 100_000 }, (_, i) => ({ descendants: 100_000 - i - 1 }));
    assert.equal(visibleRows(chain, chain.length, new Set()).length, 100_000);
    assert.deepEqual(visibleRows(chain, chain.length, new Set([10])), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('moveSelection', () => {
  const visible = [0, 1, 4, 5];
  it('moves by one, by page, and to the ends, clamped', () => {
    assert.equal(moveSelection(visible, 1, 'ArrowDown', 10), 4);
    assert.equal(moveSelection(visible, 0, 'ArrowUp', 10), 0);
    assert.equal(moveSelection(visible, 4, 'Home', 10), 0);
    assert.equal(moveSelection(visible, 0, 'End', 10), 5);
    assert.equal(moveSelection(visible, 0, 'PageDown', 2), 4);
    assert.equal(moveSelection(visible, 5, 'PageUp', 2), 1);
    assert.equal(moveSelection(visible, 0, 'Enter', 2), undefined);
  });
});
