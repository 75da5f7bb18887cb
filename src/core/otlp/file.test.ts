import * as assert from 'node:assert/strict';
import { DecodeError } from './decode';
import { importOtlpText, otlpDocuments } from './file';
import { hexId, request, span } from '../../../test/support/otlp';

describe('OTLP/JSON files (the one parser)', () => {
  const doc = (name: string) => JSON.stringify(request([span({ traceId: hexId(16), name })]));
  const logs = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1', body: { stringValue: 'x' } }] }] }] });

  it('reads one pretty-printed request, and JSONL with one request per line (traces and logs)', () => {
    assert.equal(otlpDocuments(JSON.stringify(JSON.parse(doc('a')), null, 2)).length, 1);
    const docs = otlpDocuments(`${doc('a')}\n\n${doc('b')}\n${logs}\n`);
    assert.deepEqual(
      docs.map((d) => [d.traces, d.logs]),
      [
        [true, false],
        [true, false],
        [false, true],
      ],
    );
  });

  it('names the line that is not OTLP/JSON, and imports nothing from such a file', () => {
    assert.throws(
      () => otlpDocuments(`${doc('a')}\n{"resourceSpans": [\n`),
      (e: Error) => e instanceof DecodeError && /line 2 is not JSON/.test(e.message),
    );
    assert.throws(() => otlpDocuments(`${doc('a')}\n{"hello": 1}`), /line 2: no resourceSpans or resourceLogs/);
    let calls = 0;
    const sink = { ingestTraces: () => (calls++, { accepted: 1, rejected: 0 }), ingestLogs: () => (calls++, { accepted: 1, rejected: 0 }) };
    assert.throws(() => importOtlpText(sink, `${doc('a')}\nnot json`));
    assert.equal(calls, 0);
    assert.deepEqual(importOtlpText(sink, `${doc('a')}\n${logs}`), { spans: 1, logs: 1, rejected: 0 });
  });
});
