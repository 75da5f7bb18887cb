import * as assert from 'node:assert/strict';
import { traceToOtlpJson, writeOtlpJson, writePrettyJson } from './exportJson';
import type { StoredTrace } from '../store/queries';

const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'agent' } }] };
const other = { attributes: [{ key: 'service.name', value: { stringValue: 'tool-server' } }] };
const scope = { name: 'tracefork' };
const span = (i: number, extra: Record<string, unknown> = {}) => ({
  traceId: 'a'.repeat(32),
  spanId: i.toString(16).padStart(16, '0'),
  name: `step ${i} "quoted"\nnew line`,
  startTimeUnixNano: '1',
  endTimeUnixNano: '2',
  attributes: [{ key: 'key', value: { stringValue: i === 2 ? 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789' : 'plain' } }],
  ...extra,
});
const trace: StoredTrace = {
  traceId: 'a'.repeat(32),
  spans: [
    { span: span(1), resource, scope },
    { span: span(2), resource, scope: { name: 'other' } },
    { span: span(3), resource: other, scope },
  ],
  logs: [
    {
      traceId: 'a'.repeat(32),
      spanId: span(1).spanId,
      timeUnixNano: '1',
      body: { stringValue: 'log with sk-ant-api03-abcdefghijklmnopqrstuvwxyz' },
      resource,
      scope,
    },
  ],
} as unknown as StoredTrace;

const collect = (fn: (w: (c: string) => void) => void, chunks: string[] = []) => (fn((c) => chunks.push(c)), chunks.join(''));

describe('otlp: writing a stored trace in pieces', () => {
  for (const unmasked of [false, true]) {
    it(`writeOtlpJson is JSON.stringify(traceToOtlpJson(…)) byte for byte (${unmasked ? 'unmasked' : 'masked'})`, () => {
      assert.equal(
        collect((w) => writeOtlpJson(trace, w, { unmasked })),
        JSON.stringify(traceToOtlpJson(trace, { unmasked })),
      );
    });
  }

  it('masks keys in each piece, and without logs writes no resourceLogs', () => {
    const text = collect((w) => writeOtlpJson({ ...trace, logs: [] }, w));
    assert.ok(!text.includes('sk-proj-abcdefghijklmnopqrstuvwxyz0123456789'));
    assert.equal(JSON.parse(text).resourceLogs, undefined);
  });

  it('writePrettyJson is JSON.stringify(…, null, 2) byte for byte, in chunks', () => {
    const steps = Array.from({ length: 3000 }, (_, i) => ({ i, name: `s\n${i} ${'x'.repeat(500)}`, nested: { list: [1, { a: null }], empty: [], obj: {} } }));
    const chunks: string[] = [];
    const text = collect((w) => writePrettyJson({ traceId: 'abc', meta: { n: 1 } }, 'steps', steps, w), chunks);
    assert.equal(text, JSON.stringify({ traceId: 'abc', meta: { n: 1 }, steps }, null, 2));
    assert.ok(chunks.length > 1, 'written in more than one piece');
    assert.equal(
      collect((w) => writePrettyJson({ traceId: 'abc' }, 'steps', [], w)),
      JSON.stringify({ traceId: 'abc', steps: [] }, null, 2),
    );
  });
});
