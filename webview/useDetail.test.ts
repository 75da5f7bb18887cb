import * as assert from 'node:assert/strict';
import type { Step } from '../src/shared/protocol';
import { DETAILS_KEPT, DetailCache } from './useDetail';

const step = (name: string) => ({ name }) as unknown as Step;

describe('DetailCache', () => {
  it('keeps the most recently used details, and null answers too', () => {
    const c = new DetailCache();
    for (let i = 0; i < DETAILS_KEPT; i++) c.set(`s${i}`, step(`step ${i}`));
    assert.equal(c.get('s0')?.name, 'step 0'); // s0 is now the most recent
    c.set('gone', null);
    assert.equal(c.get('gone'), null, 'a step the host no longer has is kept as null');
    assert.equal(c.get('s1'), undefined, 's1 was the least recently used');
    assert.equal(c.get('s0')?.name, 'step 0');
  });

  it('tells which request is on its way for a step, and which step an answer was for', () => {
    const c = new DetailCache();
    c.fetching(7, 'a');
    assert.equal(c.inFlight('a'), 7);
    assert.equal(c.inFlight('b'), undefined);
    assert.equal(c.answered(8), undefined, 'not a fetch ahead');
    assert.equal(c.answered(7), 'a');
    assert.equal(c.inFlight('a'), undefined);
  });

  it('forgets everything when the run changes', () => {
    const c = new DetailCache();
    c.set('a', step('a'));
    c.fetching(1, 'b');
    c.clear();
    assert.equal(c.get('a'), undefined);
    assert.equal(c.answered(1), undefined);
  });
});
