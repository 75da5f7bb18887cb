import * as assert from 'node:assert/strict';
import { generateRows, headerOf } from './fakeTrace';

describe('fake trace generator (dev harness)', () => {
  it('builds a consistent pre-order tree: parents before children, subtrees contiguous', () => {
    const rows = generateRows(5000);
    assert.equal(rows.length, 5000);
    rows.forEach((r, i) => {
      assert.equal(r.index, i);
      if (i === 0) return assert.equal(r.parent, -1);
      const p = rows[r.parent];
      assert.ok(r.parent < i && i <= r.parent + p.descendants, `row ${i} inside its parent's range`);
      assert.equal(r.depth, p.depth + 1);
      assert.ok(r.offsetMs >= p.offsetMs && r.offsetMs + r.durationMs <= p.offsetMs + p.durationMs);
    });
    assert.equal(rows[0].descendants, 4999);
    assert.equal(Math.max(...rows.map((r) => r.depth)), 6);
    assert.ok(new Set(rows.map((r) => r.kind)).size >= 8);
  });

  it('grows like a live run: same prefix, and row 2 is the failing tool', () => {
    const small = generateRows(40);
    const big = generateRows(43);
    small.forEach((r, i) => {
      assert.equal(big[i].spanId, r.spanId);
      assert.equal(big[i].name, r.name);
      assert.equal(big[i].offsetMs, r.offsetMs);
    });
    assert.equal(small[2].status, 'error');
    assert.equal(headerOf(small).rowCount, 40);
    assert.equal(generateRows(0).length, 0);
  });
});
