import * as assert from 'node:assert/strict';
import type { IngestSink } from '../receiver/ingest';
import type { Span, TracesData } from '../otlp/types';
import { inputHash } from '../../../sdk/src/contract';
import { ProxyRuns, type CallSpec } from './runs';

/** A sink that keeps the spans it is given (and can refuse, as a full disk does). */
function sink(): IngestSink & { spans: Span[]; failing: boolean } {
  const s = {
    spans: [] as Span[],
    failing: false,
    full: false,
    ingestTraces(body: Buffer) {
      if (s.failing) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      const doc = JSON.parse(body.toString()) as TracesData;
      for (const rs of doc.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) s.spans.push(...(ss.spans ?? []));
      return { accepted: 1, rejected: 0, firstRejection: null };
    },
    ingestLogs: () => ({ accepted: 0, rejected: 0, firstRejection: null }),
  };
  return s;
}

const llm = (input: unknown, name = 'm'): CallSpec => ({ op: 'llm', name, adapter: 'proxy', input, spanName: `chat ${name}`, attributes: {} });
const attr = (s: Span, k: string) => s.attributes?.find((a) => a.key === k)?.value;

describe('proxy runs', () => {
  it('keys calls per run as the SDK does, and ends an explicit run with its root span', () => {
    const out = sink();
    const runs = new ProxyRuns(out);
    const { token, traceId, spanId } = runs.create({ name: 'python agent.py', command: ['python', 'agent.py'] });
    const keys = [llm({ a: 1 }), llm({ a: 2 }), llm({ a: 3 }, 'other')].map((spec) => {
      const c = runs.begin({ token }, spec);
      c.end({ output: { status: 200 } });
      return c.key;
    });
    assert.deepEqual(keys, ['/llm:m#0', '/llm:m#1', '/llm:other#0']);
    const summary = runs.end(token, 0)!;
    assert.equal(summary.calls, 3);
    assert.equal(summary.traceId, traceId);
    assert.ok(out.spans.every((s) => s.traceId === traceId));
    const root = out.spans.at(-1)!;
    assert.equal(root.spanId, spanId);
    assert.equal(attr(root, 'tracefork.run.command')?.stringValue, '["python","agent.py"]');
    assert.ok(out.spans.slice(0, 3).every((s) => s.parentSpanId === spanId));
    assert.equal(attr(out.spans[0]!, 'tracefork.step.input_hash')?.stringValue, inputHash({ a: 1 }, 'llm'));
    assert.equal(runs.end(token), null, 'a run ends once');
  });

  it('groups untokened calls while they follow each other, and starts a new run after the idle gap', async () => {
    const out = sink();
    const runs = new ProxyRuns(out, { idleMs: 50 });
    const a = runs.begin({}, llm(1));
    const b = runs.begin({}, llm(2));
    a.end({});
    b.end({});
    assert.equal(a.traceId, b.traceId);
    assert.equal(b.key, '/llm:m#1');
    await new Promise((r) => setTimeout(r, 80));
    const c = runs.begin({}, llm(3));
    assert.notEqual(c.traceId, a.traceId);
    assert.equal(c.key, '/llm:m#0', 'a new run counts from 0');
  });

  it('a traceparent puts the call in that trace under that span; a bad one is ignored', () => {
    const runs = new ProxyRuns(sink());
    const tp = runs.begin({ traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` }, llm(1));
    assert.equal(tp.traceId, 'a'.repeat(32));
    const bad = runs.begin({ traceparent: `00-${'0'.repeat(32)}-${'b'.repeat(16)}-01` }, llm(1));
    assert.notEqual(bad.traceId, '0'.repeat(32));
  });

  it('under a plan: serves recorded calls, forks at the fork key, reports a divergence', () => {
    const runs = new ProxyRuns(sink(), { onLog: () => {} });
    const plan = {
      version: 1 as const,
      planId: 'p1',
      original: { traceId: 'f'.repeat(32), forkSpanId: 'e'.repeat(16) },
      steps: [{ key: '/llm:m#0', op: 'llm' as const, name: 'm', inputHash: inputHash({ q: 1 }, 'llm'), input: { q: 1 }, output: { status: 200 } }],
      fork: { key: '/llm:m#1', op: 'llm' as const, name: 'm', input: { q: 'edited' } },
    };
    const { token } = runs.create({ plan });
    assert.equal(runs.begin({ token }, llm({ q: 1 })).source, 'recording');
    const fork = runs.begin({ token }, llm({ q: 2 }));
    assert.equal(fork.source, 'fork');
    assert.deepEqual(fork.input, { q: 'edited' });
    assert.equal(runs.begin({ token }, llm({ q: 3 })).source, 'live');
    const other = runs.create({ plan: { ...plan, fork: null } });
    assert.equal(runs.begin({ token: other.token }, llm({ q: 'changed' })).decision.kind, 'diverged');
    assert.match(runs.status(other.token)!.divergences[0]!, /call \/llm:m#0 differs from the recording at \$\.q/);
  });

  it('soleRun names the one open run, and nothing when there are two', () => {
    const runs = new ProxyRuns(sink());
    const a = runs.create({});
    assert.equal(runs.soleRun(), a.token);
    runs.create({});
    assert.equal(runs.soleRun(), null);
  });

  it('keeps a span the store could not take and stores it once the store can write again', async () => {
    const out = sink();
    const runs = new ProxyRuns(out, { onLog: () => {} });
    out.failing = true;
    runs.begin({}, llm(1)).end({});
    assert.equal(out.spans.length, 0);
    out.failing = false;
    const until = Date.now() + 3000;
    while (!out.spans.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.equal(out.spans.length, 1, 'retried and stored');
  });
});
