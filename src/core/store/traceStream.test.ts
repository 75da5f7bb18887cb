/**
 * A big trace read record by record gives what reading it whole gives: the same export, byte for
 * byte, and the same steps in the same order (`tracefork export` and `show` of big runs stream
 * through these).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { tmpDir } from '../../../test/support/tmp';
import { hexId, span } from '../../../test/support/otlp';
import { TraceStore } from './store';
import { buildSteps } from '../model/steps';
import { writeOtlpJson, writeOtlpParts } from '../otlp/exportJson';
import type { Span } from '../otlp/types';

const TRACE = hexId(16);
const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });
/** One request body: spans under (service, scope) pairs, in the order given. */
const body = (...groups: Array<[string, string, Span[]]>) =>
  Buffer.from(
    JSON.stringify({ resourceSpans: groups.map(([svc, scope, spans]) => ({ resource: resource(svc), scopeSpans: [{ scope: { name: scope }, spans }] })) }),
  );

describe('store: a trace read record by record (streamed export and steps)', () => {
  let tmp: ReturnType<typeof tmpDir>;
  let store: TraceStore;

  beforeEach(async () => {
    tmp = tmpDir('tracefork-stream-');
    store = await TraceStore.open(path.join(tmp.dir, 'traces.db'));
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  /** What makes the two readings differ if one is wrong: resources and scopes interleaved across records, resent spans, children before their parent, an orphan, a span its own parent, logs, one model call described twice. */
  function ingestVaried(): void {
    const root = span({ traceId: TRACE, spanId: 'a'.repeat(16), name: 'invoke_agent support', startMs: 1000, durMs: 500 });
    const chat = (id: string, parent: string, startMs: number, name = 'chat gpt-4o') =>
      span({
        traceId: TRACE,
        spanId: id,
        parentSpanId: parent,
        name,
        startMs,
        attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 9 },
      });
    const tool = (id: string, startMs: number, error?: string) =>
      span({
        traceId: TRACE,
        spanId: id,
        parentSpanId: root.spanId,
        name: 'execute_tool search',
        startMs,
        attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'code.filepath': 'agent.ts', 'code.lineno': 7 },
        ...(error ? { error } : {}),
      });
    const other = span({ traceId: hexId(16), name: 'another run' });
    // Children first (the batch exporter sends a parent when it ends), two services, two scopes.
    store.ingestTraces(
      body(['agent', 'ai', [chat('b'.repeat(16), 'c'.repeat(16), 1010)]], ['tools', 'mcp', [tool('d'.repeat(16), 1020, 'timeout')]], ['agent', 'x', [other]]),
      'json',
    );
    store.ingestTraces(
      body(
        ['agent', 'ai', [chat('c'.repeat(16), root.spanId, 1005, 'ai.generateText'), tool('d'.repeat(16), 1020)]], // d resent: the first copy wins
        ['agent', 'ai2', [span({ traceId: TRACE, spanId: 'e'.repeat(16), parentSpanId: 'f'.repeat(16), name: 'orphan', startMs: 1030 })]],
        ['tools', 'mcp', [tool('1'.repeat(16), 1003), tool('1'.repeat(16), 1003)]], // twice in one group
      ),
      'json',
    );
    const log = (spanId: string, text: string) => ({ traceId: TRACE, spanId, timeUnixNano: '1000000005000000', body: { stringValue: text }, attributes: [] });
    store.ingestLogs(
      Buffer.from(
        JSON.stringify({
          resourceLogs: [{ resource: resource('agent'), scopeLogs: [{ scope: { name: 'log' }, logRecords: [log('d'.repeat(16), 'search: 3 hits')] }] }],
        }),
      ),
      'json',
    );
    store.ingestTraces(
      body(['agent', 'ai', [root, span({ traceId: TRACE, spanId: '2'.repeat(16), parentSpanId: '2'.repeat(16), name: 'self', startMs: 1040 })]]),
      'json',
    );
    store.ingestLogs(
      Buffer.from(
        JSON.stringify({
          resourceLogs: [{ resource: resource('tools'), scopeLogs: [{ scope: { name: 'log' }, logRecords: [log('1'.repeat(16), 'retrying')] }] }],
        }),
      ),
      'json',
    );
  }

  const collect = (fn: (w: (s: string) => void) => void) => {
    const parts: string[] = [];
    fn((s) => parts.push(s));
    return parts.join('');
  };

  it('exports the same bytes as writing the whole trace, masked or not', () => {
    ingestVaried();
    for (const unmasked of [false, true]) {
      const whole = collect((w) => writeOtlpJson(store.get(TRACE)!, w, { unmasked }));
      const streamed = collect((w) => writeOtlpParts(store.otlpParts(TRACE)!, w, { unmasked }));
      assert.equal(streamed, whole);
    }
    const doc = JSON.parse(collect((w) => writeOtlpParts(store.otlpParts(TRACE)!, w))) as { resourceSpans: unknown[]; resourceLogs: unknown[] };
    assert.equal(doc.resourceSpans.length, 2, 'two services');
    assert.equal(doc.resourceLogs.length, 2);
    assert.equal(store.otlpParts(hexId(16)), null, 'no such trace');
  });

  it('builds the same steps as buildSteps, in the same order, one at a time', () => {
    ingestVaried();
    const whole = buildSteps(store.get(TRACE)!);
    const stream = store.stepStream(TRACE)!;
    const streamed: unknown[] = [];
    stream.each((s) => streamed.push(s));
    assert.equal(stream.count, whole.length);
    assert.equal(whole.length, 7, 'the resent spans once each');
    assert.deepEqual(streamed, whole);
    assert.ok(
      whole.some((s) => s.rollupTokens),
      'the case covers a model call described twice',
    );
    assert.ok(
      whole.some((s) => s.events.some((e) => e.source === 'log')),
      'and a step with its logs',
    );
  });
});
