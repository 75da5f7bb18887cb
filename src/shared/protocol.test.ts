import * as assert from 'node:assert/strict';
import { isFromWebview } from './protocol';

describe('protocol', () => {
  it('accepts the webview messages the host handles', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'getRows', requestId: 1, start: 0, count: 10 },
      { type: 'getDetail', requestId: 2, spanId: 'ab' },
      { type: 'openSource', spanId: 'ab', toSide: true },
      { type: 'log', level: 'warn', message: 'x' },
    ]) {
      assert.ok(isFromWebview(m), m.type);
    }
  });
  it('rejects anything else, so the host logs it instead of acting on it', () => {
    for (const m of [null, 'ready', 42, {}, { type: 'init' }, { type: 'eval', code: 'x' }, [{ type: 'ready' }]])
      assert.equal(isFromWebview(m), false, JSON.stringify(m));
  });
});
