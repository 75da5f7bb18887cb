/** Decode-only throughput: protobuf and JSON bodies of 100 spans with ~2 KB prompts, decoded to canonical spans. */
import { decodeTraces } from '../src/core/otlp/decode';
import { otlpTypes } from '../src/core/otlp/schema';
import { chatRequest } from './payload';
import type { TracesData } from '../src/core/otlp/types';

/** OTLP/JSON → protobuf bytes (ids hex → bytes), via the same schema. */
export function toProtobuf(doc: TracesData): Buffer {
  const hexToBytes = (k: string, v: unknown) => (typeof v === 'string' && /^(traceId|spanId|parentSpanId)$/.test(k) ? Buffer.from(v, 'hex') : v);
  const plain = JSON.parse(JSON.stringify(doc), hexToBytes);
  const t = otlpTypes().traceRequest;
  return Buffer.from(t.encode(t.fromObject(plain)).finish());
}

/** Spans per second decoding `rounds` bodies of 100 spans. */
export function benchDecode(rounds = 400): { protobuf: number; json: number } {
  const doc = chatRequest(100);
  const proto = toProtobuf(doc);
  const json = Buffer.from(JSON.stringify(doc));
  const run = (body: Buffer, enc: 'json' | 'protobuf') => {
    for (let i = 0; i < 20; i++) decodeTraces(body, enc); // warm up
    const t0 = process.hrtime.bigint();
    let n = 0;
    for (let i = 0; i < rounds; i++) n += decodeTraces(body, enc).accepted;
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  return { protobuf: run(proto, 'protobuf'), json: run(json, 'json') };
}

if (require.main === module) {
  const r = benchDecode();
  console.log(`decode only, 100 spans/request, ~2 KB prompts: protobuf ${Math.round(r.protobuf)} spans/s, JSON ${Math.round(r.json)} spans/s`);
}
