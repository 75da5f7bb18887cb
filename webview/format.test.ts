import * as assert from 'node:assert/strict';
import { barGeometry, formatCost, formatCount, formatDuration, formatInt, formatTokens } from './format';

describe('format', () => {
  it('durations from microseconds to minutes', () => {
    assert.deepEqual([0.25, 12.4, 999, 1234, 12_345, 125_000].map(formatDuration), ['250 µs', '12 ms', '999 ms', '1.23 s', '12.3 s', '2m 05s']);
    assert.equal(formatDuration(null), '');
    assert.equal(formatDuration(Number.NaN), '');
  });

  it('token counts and in→out pairs', () => {
    assert.deepEqual([950, 1234, 56_789, 3_400_000].map(formatCount), ['950', '1.2k', '57k', '3.4M']);
    assert.equal(formatTokens(1200, 80), '1.2k→80');
    assert.equal(formatTokens(null, 5), '0→5');
    assert.equal(formatTokens(null, undefined), '');
  });

  it('costs keep two significant digits below a cent', () => {
    assert.deepEqual([0, 0.00123, 0.0456, 1.5, null].map(formatCost), ['$0', '$0.0012', '$0.046', '$1.50', '']);
  });

  it('integers with thousands separators, without Intl', () => {
    assert.deepEqual([0, 999, 1000, 100_000, 1_234_567].map(formatInt), ['0', '999', '1,000', '100,000', '1,234,567']);
  });

  it('waterfall bars stay inside the track and never vanish', () => {
    assert.deepEqual(barGeometry(250, 500, 1000), { left: 25, width: 50 });
    assert.deepEqual(barGeometry(0, 0, 1000), { left: 0, width: 0.2 });
    assert.deepEqual(barGeometry(1000, 0, 1000), { left: 99.8, width: 0.2 });
    assert.deepEqual(barGeometry(900, 500, 1000), { left: 90, width: 10 });
    assert.deepEqual(barGeometry(5, 5, 0), { left: 0, width: 100 });
  });
});
