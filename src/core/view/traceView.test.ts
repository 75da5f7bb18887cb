import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildTraceView, rowOnly, rowOnlyLog } from './traceView';
import { toStep } from '../model/normalize';
import { decodeTraces } from '../otlp/decode';
import type { StoredTrace } from '../store/queries';
import { hexId, span } from '../../../test/support/otlp';

function stored(file: string): StoredTrace {
  const body = fs.readFileSync(path.resolve(__dirname, '../../../test/fixtures', file));
  const groups = decodeTraces(body, 'json').groups;
  const spans = groups.flatMap((g) => g.spans.map((s) => ({ span: s, resource: g.resource, scope: g.scope, recOff: 7 })));
  return { traceId: spans[0].span.traceId, spans, logs: [] };
}

describe('buildTraceView', () => {
  it('turns the Vercel AI SDK capture into pre-order rows with subtree sizes, kinds and offsets', () => {
    const view = buildTraceView(stored('vercel-ai-sdk.otlp.json'));
    assert.deepEqual(
      view.rows.map((r) => [r.index, r.parent, r.depth, r.descendants, r.kind, r.name]),
      [
        [0, -1, 0, 3, 'chain', 'ai.generateText'],
        [1, 0, 1, 0, 'llm', 'ai.generateText.doGenerate'],
        [2, 0, 1, 0, 'tool', 'ai.toolCall'],
        [3, 0, 1, 0, 'llm', 'ai.generateText.doGenerate'],
      ],
    );
    assert.equal(view.rows[0].offsetMs, 0);
    assert.ok(view.rows[3].offsetMs > view.rows[1].offsetMs);
    assert.equal(view.rows[0].inputTokens, null, 'the outer span does not count its children twice');
    assert.equal(view.header.inputTokens, (view.rows[1].inputTokens ?? 0) + (view.rows[3].inputTokens ?? 0));
    assert.equal(view.header.rowCount, 4);
    assert.equal(view.header.name, 'ai.generateText');
    assert.deepEqual(view.recOffs, [7, 7, 7, 7]);
    assert.deepEqual(view.header.folded, [], "the AI SDK's outer span is a chain over two calls: nothing folded");
  });

  it('marks errors, counts them, and nests a deep chain with correct subtree sizes', () => {
    const traceId = hexId(16);
    const spans = [];
    let parent: string | undefined;
    for (let i = 0; i < 5; i++) {
      const s = span({ traceId, parentSpanId: parent, name: `level ${i}`, startMs: 1_700_000_000_000 + i, error: i === 4 ? 'boom' : undefined });
      spans.push(s);
      parent = s.spanId;
    }
    const view = buildTraceView({ traceId, spans: spans.reverse().map((s) => ({ span: s, resource: {}, scope: {} })), logs: [] });
    assert.deepEqual(
      view.rows.map((r) => r.descendants),
      [4, 3, 2, 1, 0],
    );
    assert.deepEqual(
      view.rows.map((r) => r.depth),
      [0, 1, 2, 3, 4],
    );
    assert.equal(view.rows[4].status, 'error');
    assert.equal(view.rows[4].error, 'boom');
    assert.equal(view.header.errorCount, 1);
  });
});

describe('rowOnly', () => {
  it('makes, for every capture in test/fixtures, the rows the full spans make', () => {
    const dir = path.resolve(__dirname, '../../../test/fixtures');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.otlp.json'));
    assert.ok(files.length >= 5);
    let emptied = 0;
    for (const file of files) {
      const trace = stored(file);
      for (const s of trace.spans) {
        const light = rowOnly(s.span);
        if (light !== s.span) emptied++;
        const full = toStep({ span: s.span, resource: s.resource, scope: s.scope });
        const row = toStep({ span: light, resource: s.resource, scope: s.scope });
        const fields = (x: typeof full) => [
          x.name,
          x.kind,
          x.status,
          x.durationMs,
          x.model,
          x.inputTokens,
          x.outputTokens,
          x.costUsd,
          x.error,
          x.code,
          x.scores,
        ];
        assert.deepEqual(fields(row), fields(full), `${file}: ${s.span.name}`);
      }
    }
    assert.ok(emptied > 0, 'some captured spans carry long messages');
  });
});

describe('rowOnlyLog', () => {
  it('keeps what rows read of a log (its event name, a short exception message) and empties long texts', () => {
    const traceId = hexId(16);
    const s = span({ traceId, name: 'execute_tool search' });
    s.status = { code: 2 };
    const long = 'x'.repeat(5000);
    const log = {
      timeUnixNano: s.startTimeUnixNano,
      traceId,
      spanId: s.spanId,
      eventName: 'exception',
      body: { stringValue: long },
      attributes: [
        { key: 'exception.message', value: { stringValue: 'search failed' } },
        { key: 'gen_ai.event.content', value: { stringValue: long } },
      ],
    };
    const light = rowOnlyLog(log);
    assert.equal(light.body?.stringValue, '');
    assert.deepEqual(
      light.attributes?.map((a) => [a.key, a.value?.stringValue?.length]),
      [
        ['exception.message', 13],
        ['gen_ai.event.content', 0],
      ],
    );
    const full = toStep({ span: s, logs: [log] });
    const row = buildTraceView({ traceId, spans: [{ span: s, resource: {}, scope: {} }], logs: [{ ...log, resource: {}, scope: {} }] }).rows[0]!;
    assert.equal(row.error, 'search failed');
    assert.equal(row.error, full.error);
    assert.equal(rowOnlyLog(light), light, 'a log with nothing long is kept as it is');
  });
});
