import * as assert from 'node:assert/strict';
import { preorder } from './tree';

const node = (spanId: string, parentSpanId: string | null, start: number) => ({ spanId, parentSpanId, startNanos: BigInt(start) });

describe('preorder', () => {
  it('orders children by start (ties by arrival), with depths; a missing or own parent makes a root', () => {
    const nodes = [
      node('c2', 'r', 30),
      node('r', null, 0),
      node('c1', 'r', 10),
      node('g', 'c1', 20),
      node('c3', 'r', 30),
      node('orphan', 'gone', 5),
      node('self', 'self', 1),
    ];
    assert.deepEqual(
      preorder(nodes).map(([i, d]) => [nodes[i]!.spanId, d]),
      [
        ['r', 0],
        ['c1', 1],
        ['g', 2],
        ['c2', 1],
        ['c3', 1],
        ['self', 0],
        ['orphan', 0],
      ],
    );
  });

  it('keeps the nodes of a cycle, at depth 0 after the tree, and walks a 100,000-deep chain', () => {
    const cycle = [node('a', 'b', 1), node('b', 'a', 2), node('root', null, 0)];
    assert.deepEqual(
      preorder(cycle).map(([i, d]) => [cycle[i]!.spanId, d]),
      [
        ['root', 0],
        ['a', 0],
        ['b', 0],
      ],
    );
    const chain = Array.from({ length: 100_000 }, (_, i) => node(`s${i}`, i ? `s${i - 1}` : null, i));
    const out = preorder(chain.reverse());
    assert.equal(out.length, 100_000);
    assert.deepEqual(out[99_999], [0, 99_999]);
  });
});
