/**
 * The wire scan answers what the full decode answers, or nothing: on the real exporter's bytes
 * (the OpenTelemetry JS SDK's own protobuf serializer), on requests that hold every shape the
 * schema allows, on hand-made hostile ones, and on thousands of mutations of them. Where it
 * answers, the full decode must accept the same spans and give the same index entries.
 */
import * as assert from 'node:assert/strict';
import { context, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { DecodeError, scanTraces, scanTracesDecoded } from './decode';
import * as protobuf from 'protobufjs';
import { otlpTypes } from './schema';
import { scanTracesWire } from './wireScan';

/** Bodies as the real SDK serializes them: kinds, statuses, events, links, labels of every convention, non-ASCII text, int and array attributes. */
function sdkBodies(): Buffer[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'wire-agent', 'deployment.environment': 'dev', 'host.cores': 2 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('wire-test', '1.0.0');
  const bodies: Buffer[] = [];
  for (let run = 0; run < 4; run++) {
    const root = tracer.startSpan('invoke_agent support', {
      kind: SpanKind.SERVER,
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'session.id': `s-${run}` },
    });
    const ctx = trace.setSpan(context.active(), root);
    for (let i = 0; i < 12; i++) {
      const sp = tracer.startSpan(
        i % 3 ? 'chat gpt-4o' : 'execute_tool search',
        {
          kind: i % 2 ? SpanKind.CLIENT : SpanKind.INTERNAL,
          attributes: {
            'gen_ai.request.model': i % 4 ? 'gpt-4o' : '',
            'llm.model_name': 'claude-3-5-sonnet',
            'gen_ai.conversation.id': i === 5 ? 42 : `c-${run}`,
            'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Résumé ☃ 🧭 \uFEFFbom ${'x'.repeat(i * 40)}` }] }]),
            'gen_ai.usage.input_tokens': 100 + i,
            tags: ['a', 'b', 'ü'],
            scores: [0.5, 1.5],
            flags: [true, false],
            ...(i === 7 ? { 'tracefork.replay.original_trace_id': 'ab'.repeat(16) } : {}),
          },
          links: i === 4 ? [{ context: root.spanContext(), attributes: { why: 'retry' } }] : [],
        },
        ctx,
      );
      sp.addEvent('gen_ai.choice', { index: i, 'message.content': 'It is sunny ☀' });
      if (i % 5 === 0) sp.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout ⏱' });
      else if (i % 5 === 1) sp.setStatus({ code: SpanStatusCode.OK });
      sp.end();
    }
    root.end();
    const body = ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans());
    bodies.push(Buffer.from(body!));
    exporter.reset();
  }
  return bodies;
}

/** A request with what the SDK never sends but the schema allows: nested arrays and kvlists, bytes, doubles, empty values, unknown fields. */
function schemaBody(nest = 3): Buffer {
  const long = (n: number) => ({ low: n, high: 0x18a, unsigned: true });
  let value: Record<string, unknown> = { stringValue: 'leaf' };
  for (let d = 0; d < nest; d++)
    value = d % 2 ? { arrayValue: { values: [value, { doubleValue: 1.5 }] } } : { kvlistValue: { values: [{ key: `k${d}`, value }, { key: 'empty' }] } };
  const req = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'schema' } }], droppedAttributesCount: 1 },
        scopeSpans: [
          { scope: { name: 'empty scope' }, spans: [] },
          {
            scope: { name: 's', version: '2', attributes: [{ key: 'x', value: { bytesValue: Buffer.from([1, 2, 3]) } }] },
            schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
            spans: [
              {
                traceId: Buffer.alloc(16, 0xab),
                spanId: Buffer.alloc(8, 0x01),
                traceState: 'k=v',
                name: 'nested',
                kind: 3,
                startTimeUnixNano: long(5),
                endTimeUnixNano: long(4), // before its start: the end is clamped
                attributes: [{ key: 'deep', value }, { key: 'ai.model.id', value: { intValue: { low: -1, high: -1, unsigned: false } } }, { key: 'none' }],
                events: [{ timeUnixNano: long(6), name: 'e', attributes: [{ key: 'b', value: { boolValue: true } }], droppedAttributesCount: 2 }],
                links: [{ traceId: Buffer.alloc(16, 0xcd), spanId: Buffer.alloc(8, 0x02), flags: 1 }],
                status: { message: '', code: 0 },
                flags: 257,
                droppedEventsCount: 3,
              },
            ],
          },
        ],
      },
    ],
  };
  const t = otlpTypes().traceRequest;
  return Buffer.from(t.encode(t.fromObject(req)).finish());
}

/** What the full decode says of a body: its answer, or the DecodeError that refuses it. */
function decoded(body: Buffer) {
  try {
    return scanTracesDecoded(body, 'protobuf');
  } catch (e) {
    if (e instanceof DecodeError) return { error: e.message };
    throw e;
  }
}

/** Asserts the wire scan answers exactly the full decode's entries (or nothing); returns whether it answered. */
function agrees(body: Buffer, why: string): boolean {
  const fast = scanTracesWire(body);
  if (!fast) return false;
  const full = decoded(body);
  assert.ok(!('error' in full), `${why}: the wire scan accepted a request the full decode refuses (${'error' in full ? full.error : ''})`);
  assert.deepEqual({ ...fast, rejected: 0, firstRejection: null }, full, why);
  return true;
}

/** A small deterministic generator, so a failure is reproducible. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

describe('otlp: the wire scan (ingest without decoding the whole request)', () => {
  it('answers for the real SDK’s bodies, the same entries as the full decode', () => {
    const bodies = sdkBodies();
    for (const [i, b] of bodies.entries()) assert.ok(agrees(b, `SDK body ${i}`), `SDK body ${i}: answered`);
    const entries = scanTracesWire(bodies[0]!)!.groups.flat();
    assert.equal(entries.length, 13);
    assert.ok(entries.some((e) => e.sessionId === '42') && entries.some((e) => e.model === 'gpt-4o') && entries.some((e) => e.replayOf === 'ab'.repeat(16)));
  });

  it('answers for every shape the schema allows, nesting included, the same as the full decode', () => {
    for (const nest of [0, 1, 2, 5, 20]) assert.ok(agrees(schemaBody(nest), `nesting ${nest}`), `nesting ${nest}: answered`);
    assert.equal(scanTracesWire(schemaBody())!.groups.flat()[0]!.model, '-1', 'an int model id, signed');
  });

  it('leaves to the full decode what it would refuse or reject, and scanTraces then answers as the full decode does', () => {
    const t = otlpTypes().traceRequest;
    const enc = (o: Record<string, unknown>) => Buffer.from(t.encode(t.fromObject(o)).finish());
    const span = (extra: Record<string, unknown>) =>
      enc({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), name: 'x', ...extra }] }] }] });
    // A request written field by field: a span with its ids, then what `more` adds.
    const msg = (build: (w: protobuf.Writer) => void) => {
      const w = protobuf.Writer.create();
      build(w);
      return w.finish();
    };
    const raw = (more: (w: protobuf.Writer) => void) => {
      const spanBytes = msg((w) => more(w.uint32(10).bytes(Buffer.alloc(16, 1)).uint32(18).bytes(Buffer.alloc(8, 2))));
      return Buffer.from(msg((w) => w.uint32(10).bytes(msg((r) => r.uint32(18).bytes(msg((sc) => sc.uint32(18).bytes(spanBytes)))))));
    };
    assert.ok(
      agrees(
        raw(() => undefined),
        'the hand-written request itself',
      ),
      'answered',
    );
    let deep: Record<string, unknown> = { stringValue: 'leaf' };
    for (let d = 0; d < 40; d++) deep = { arrayValue: { values: [deep] } };
    const badUtf8 = span({ name: 'MARK' });
    badUtf8.set([0xc3, 0x28, 0x41, 0x41], badUtf8.indexOf('MARK'));
    const cases: Array<[string, Buffer]> = [
      ['invalid UTF-8 in a name', badUtf8],
      ['a span without a trace id', span({ traceId: Buffer.alloc(0) })],
      ['an all-zero span id', span({ spanId: Buffer.alloc(8) })],
      ['a parent id of the wrong length', span({ parentSpanId: Buffer.alloc(3, 1) })],
      ['an unknown span kind', span({ kind: 9 })],
      ['an unknown status code', span({ status: { code: 7 } })],
      ['attributes nested 40 deep', span({ attributes: [{ key: 'deep', value: deep }] })],
      ['a link without a span id', span({ links: [{ traceId: Buffer.alloc(16, 3) }] })],
      ['a truncated body', span({}).subarray(0, 20)],
      ['the name field twice', raw((sp) => sp.uint32(42).string('a').uint32(42).string('b'))],
      ['the kind as a length-delimited field', raw((sp) => sp.uint32(50).bytes(Buffer.from([1])))],
      ['an end-group tag', raw((sp) => sp.uint32(4 * 8 + 4))],
    ];
    for (const [why, body] of cases) {
      assert.equal(scanTracesWire(body), null, `${why}: not answered`);
      const full = decoded(body);
      if ('error' in full) assert.throws(() => scanTraces(body, 'protobuf'), DecodeError, why);
      else assert.deepEqual(scanTraces(body, 'protobuf'), full, why);
    }
  });

  it('never answers differently from the full decode on 4,000 mutated requests', () => {
    const seeds = [...sdkBodies(), schemaBody(4)];
    const next = rng(20261204);
    let answered = 0;
    for (let i = 0; i < 4000; i++) {
      const base = seeds[i % seeds.length]!;
      const b = Buffer.from(base);
      const op = next(4);
      let body: Buffer;
      if (op === 0) {
        for (let k = 0; k <= next(3); k++) b[next(b.length)] = next(2) ? 0x20 + next(0x5f) : next(256); // bytes changed (often to ASCII, which keeps strings valid)
        body = b;
      } else if (op === 1)
        body = b.subarray(0, next(b.length)); // cut short
      else if (op === 2) {
        const at = next(b.length);
        body = Buffer.concat([b.subarray(0, at), Buffer.from([next(256), next(256)]), b.subarray(at)]); // bytes inserted
      } else {
        const at = next(b.length);
        const len = next(Math.min(64, b.length - at) + 1);
        body = Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)]); // a range repeated
      }
      if (agrees(body, `mutation ${i} (op ${op})`)) answered++;
    }
    assert.ok(answered > 200, `the mutations reach the answering path too (${answered} answered)`);
  });
});
