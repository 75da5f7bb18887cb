import * as assert from 'node:assert/strict';
import type { RowData } from '../src/shared/protocol';
import { RowsCache } from './rowsCache';

function rowsOf(start: number, count: number, prefix = 's'): RowData[] {
  return Array.from({ length: count }, (_, k) => ({
    index: start + k,
    spanId: `${prefix}${start + k}`,
    parent: -1,
    depth: 0,
    descendants: 0,
    name: 'n',
    kind: 'llm',
    status: 'ok',
    offsetMs: 0,
    durationMs: 1,
    model: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    error: null,
    hasCode: false,
    failedScores: [],
  }));
}

function cacheOf(total: number, pageSize = 10) {
  let id = 0;
  const c = new RowsCache(() => ++id, pageSize);
  c.reset(total);
  return c;
}

describe('RowsCache', () => {
  it('asks once for each page holding the wanted rows, the last page short', () => {
    const c = cacheOf(25);
    assert.deepEqual(c.request([0, 3, 9, 10, 24, 30, -1]), [
      { requestId: 1, start: 0, count: 10 },
      { requestId: 2, start: 10, count: 10 },
      { requestId: 3, start: 20, count: 5 },
    ]);
    assert.deepEqual(c.request([1, 11, 21]), [], 'pages in flight are not asked again');
    assert.ok(c.busy);
  });

  it('stores an answer, then never asks for that page again', () => {
    const c = cacheOf(25);
    const [r] = c.request([5]);
    assert.equal(c.receive(r.requestId, r.start, rowsOf(0, 10)), true);
    assert.equal(c.rows[7]?.spanId, 's7');
    assert.equal(c.rows[10], undefined);
    assert.ok(c.has(9) && !c.has(10));
    assert.deepEqual(c.request([0, 9]), []);
    assert.equal(c.indexOf('s7'), 7);
    assert.equal(c.indexOf('nope'), -1);
    assert.equal(c.busy, false);
  });

  it('ignores answers to requests made before a reset, and unknown ones', () => {
    const c = cacheOf(25);
    const [old] = c.request([0]);
    c.reset(30);
    assert.equal(c.receive(old.requestId, 0, rowsOf(0, 10)), false);
    assert.equal(c.receive(999, 0, rowsOf(0, 10)), false);
    assert.equal(c.rows[0], undefined);
    assert.equal(c.request([0])[0].start, 0, 'the page is asked for again');
  });

  it('invalidate keeps old rows on screen until fresh pages replace them', () => {
    const c = cacheOf(20);
    const [r] = c.request([0]);
    c.receive(r.requestId, 0, rowsOf(0, 10, 'old'));
    c.invalidate(23);
    assert.equal(c.rows.length, 23);
    assert.equal(c.rows[3]?.spanId, 'old3', 'kept while the new page is on its way');
    assert.equal(c.indexOf('old3'), 3);
    assert.equal(c.has(3), false);
    const [again] = c.request([3]);
    c.receive(again.requestId, 0, rowsOf(0, 10, 'new'));
    assert.equal(c.rows[3]?.spanId, 'new3');
    assert.equal(c.indexOf('old3'), -1, 'a span id no longer at its index is not found');
  });

  it('walks the missing pages one at a time (to find a span), skipping loaded and pending ones', () => {
    const c = cacheOf(30);
    const [first] = c.request([0]);
    c.receive(first.requestId, 0, rowsOf(0, 10));
    assert.equal(c.requestNextMissing()?.start, 10);
    assert.equal(c.requestNextMissing()?.start, 20);
    assert.equal(c.requestNextMissing(), undefined);
    c.abandonInFlight();
    assert.equal(c.requestNextMissing()?.start, 10, 'after a host error the pages can be asked again');
  });

  it('clips an answer to the trace length', () => {
    const c = cacheOf(5);
    const [r] = c.request([0]);
    c.receive(r.requestId, 0, rowsOf(0, 10));
    assert.equal(c.rows.length, 5);
  });

  it('asks for the last page once after a reset, only once the first page has arrived', () => {
    const c = cacheOf(95);
    assert.deepEqual(c.prefetchTail(), [], 'nothing before the first answer');
    const [first] = c.request([0]);
    assert.deepEqual(c.prefetchTail(), [], 'nor while the first page is in flight');
    c.receive(first.requestId, 0, rowsOf(0, 10));
    assert.deepEqual(c.prefetchTail(), [{ requestId: 2, start: 90, count: 5 }]);
    assert.deepEqual(c.prefetchTail(), [], 'once');
    c.invalidate(120); // a live run growing: no new prefetch
    const [again] = c.request([0]);
    c.receive(again.requestId, 0, rowsOf(0, 10));
    assert.deepEqual(c.prefetchTail(), []);
    const small = cacheOf(8); // one page: the tail is the page already here
    const [only] = small.request([0]);
    small.receive(only.requestId, 0, rowsOf(0, 8));
    assert.deepEqual(small.prefetchTail(), []);
  });
});
