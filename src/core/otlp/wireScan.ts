/**
 * The ingest-time pass over a protobuf ExportTraceServiceRequest, read off the wire with
 * protobufjs' Reader instead of decoded into messages first: a request's prompts and completions
 * (most of its bytes) are checked as UTF-8 in place, never turned into strings, and only what the
 * index keeps is read. It took ~75% of a full decode's time the other way.
 *
 * Invariant: when it answers, it answers what `scanTraces` gives after protobufjs' decode, to the
 * entry. It answers only for a request it fully understands — every field of the expected wire
 * type, singular fields once, oneofs with one member, valid UTF-8, ids, enums and nesting in range,
 * nothing rejected. Anything else (a malformed or hostile request, a span to reject) returns null,
 * and the caller takes the full decode, which decides and words the error.
 */
import { isUtf8 } from 'node:buffer';
import * as protobuf from 'protobufjs';
import { MAX_DEPTH } from './canonical';
import { MODEL_KEYS, REPLAY_OF_KEY, SESSION_KEYS, type SpanEntry } from './scan';

/** Not understood here: decode the request in full. */
class Unusual extends Error {}

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;
/** protobufjs' own message nesting limit (Reader.recursionLimit), kept well inside. */
const MAX_MESSAGE_DEPTH = 90;

/** The attribute keys the index reads (session, model, replay), by byte length: most keys are none of them. */
const LABEL_KEYS = new Map<number, Array<[Buffer, string]>>();
for (const key of [...SESSION_KEYS, ...MODEL_KEYS, REPLAY_OF_KEY]) {
  const bytes = Buffer.from(key);
  LABEL_KEYS.set(bytes.length, [...(LABEL_KEYS.get(bytes.length) ?? []), [bytes, key]]);
}

/** The key at buf[start, end) when it is one the index reads, else null (compared as bytes, not decoded). */
function labelKey(buf: Buffer, start: number, end: number): string | null {
  for (const [bytes, key] of LABEL_KEYS.get(end - start) ?? []) if (bytes.compare(buf, start, end) === 0) return key;
  return null;
}

/** The request's index entries by scope group, or null when the full decode must decide. */
export function scanTracesWire(body: Buffer): { groups: SpanEntry[][]; accepted: number } | null {
  try {
    return new WireScan(body).request();
  } catch {
    return null; // Unusual, or the Reader's own error on a malformed request
  }
}

class WireScan {
  private readonly r: protobuf.Reader;
  private readonly groups: SpanEntry[][] = [];
  private accepted = 0;

  constructor(private readonly buf: Buffer) {
    this.r = protobuf.Reader.create(buf);
  }

  // Each message is read by one loop over its fields (no callbacks: this runs for every span).
  // A field it does not know is skipped, as protobufjs skips it; `tag` refuses wire types that
  // only malformed requests have.

  request(): { groups: SpanEntry[][]; accepted: number } {
    const r = this.r;
    while (r.pos < r.len) {
      const [field, wire] = this.tag();
      if (field === 1 && this.expect(wire, LEN)) this.resourceSpans(this.open(), 1);
      else r.skipType(wire);
    }
    return { groups: this.groups, accepted: this.accepted };
  }

  private tag(): [number, number] {
    const tag = this.r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0 || wire === 3 || wire === 4 || wire === 6 || wire === 7) throw new Unusual();
    return [field, wire];
  }

  /**
   * Enters a nested message (its length read): the Reader is held to its end, as protobufjs'
   * decoder holds it, so that every read inside fails exactly where the decoder's would.
   */
  private open(): number {
    const r = this.r;
    const end = r.size() + r.pos;
    if (end > r.len) throw new Unusual();
    this.outer.push(r.len);
    r.len = end;
    return end;
  }

  /** Leaves a nested message: read exactly to its end, not deeper than protobufjs goes. */
  private close(end: number, depth: number): void {
    if (this.r.pos !== end || depth > MAX_MESSAGE_DEPTH) throw new Unusual();
    this.r.len = this.outer.pop()!;
  }

  /** The ends of the messages entered, outermost first. */
  private readonly outer: number[] = [];

  private expect(wire: number, want: number): true {
    if (wire !== want) throw new Unusual();
    return true;
  }

  /** A singular field: of the expected wire type, and only once (protobufjs would keep the last, or merge). Returns `seen` with it. */
  private once(seen: number, field: number, wire: number, want: number): number {
    this.expect(wire, want);
    const bit = 1 << field; // singular fields are all numbered below 31
    if (seen & bit) throw new Unusual();
    return seen | bit;
  }

  /** A length-delimited field's bounds, skipped (as protobufjs reads a string or bytes). */
  private bounds(): [number, number] {
    const r = this.r;
    const len = r.size();
    const start = r.pos;
    const end = start + len;
    if (end > r.len) throw new Unusual();
    r.pos = end;
    return [start, end];
  }

  /** A string field, checked as UTF-8 (protobufjs verifies every string); its bounds. */
  private utf8(): [number, number] {
    const [start, end] = this.bounds();
    const buf = this.buf;
    // Short strings (keys, names) are mostly ASCII: checked here without a view on the buffer.
    let i = start;
    if (end - start <= 64) while (i < end && buf[i]! < 0x80) i++;
    if (i < end && !isUtf8(buf.subarray(i, end))) throw new Unusual();
    return [start, end];
  }

  /** A trace or span id: `bytes` long and not all zeros (empty only when optional), as lowercase hex. */
  private id(bytes: number, optional: boolean): string {
    const [start, end] = this.bounds();
    if (end === start && optional) return '';
    if (end - start !== bytes) throw new Unusual();
    let zero = true;
    for (let i = start; i < end; i++) if (this.buf[i] !== 0) zero = false;
    if (zero) throw new Unusual();
    return this.buf.toString('hex', start, end);
  }

  private resourceSpans(end: number, depth: number): void {
    const r = this.r;
    let seen = 0;
    const groups: SpanEntry[][] = [];
    while (r.pos < end) {
      const [field, wire] = this.tag();
      if (field === 1) {
        seen = this.once(seen, field, wire, LEN);
        this.attrsHolder(this.open(), depth + 1, 1, 2, 0, 0);
      } else if (field === 2 && this.expect(wire, LEN)) groups.push(this.scopeSpans(this.open(), depth + 1));
      else if (field === 3 && this.expect(wire, LEN)) this.utf8();
      else r.skipType(wire);
    }
    this.close(end, depth);
    for (const g of groups) if (g.length) this.groups.push(g);
  }

  /** A Resource or an InstrumentationScope: attributes at `attrField`, a count at `countField`, strings at `str1` and `str2` (0: none). */
  private attrsHolder(end: number, depth: number, attrField: number, countField: number, str1: number, str2: number): void {
    const r = this.r;
    let seen = 0;
    while (r.pos < end) {
      const [field, wire] = this.tag();
      if (field === attrField && this.expect(wire, LEN)) this.keyValue(this.open(), depth + 1, 0, null);
      else if (field === str1 || field === str2) {
        seen = this.once(seen, field, wire, LEN);
        this.utf8();
      } else if (field === countField) {
        seen = this.once(seen, field, wire, VARINT);
        r.uint32();
      } else r.skipType(wire);
    }
    this.close(end, depth);
  }

  private scopeSpans(end: number, depth: number): SpanEntry[] {
    const r = this.r;
    let seen = 0;
    const entries: SpanEntry[] = [];
    while (r.pos < end) {
      const [field, wire] = this.tag();
      if (field === 1) {
        seen = this.once(seen, field, wire, LEN);
        this.attrsHolder(this.open(), depth + 1, 3, 4, 1, 2);
      } else if (field === 2 && this.expect(wire, LEN)) {
        entries.push(this.spanEntry(this.open(), depth + 1));
        this.accepted++;
      } else if (field === 3 && this.expect(wire, LEN)) this.utf8();
      else r.skipType(wire);
    }
    this.close(end, depth);
    return entries;
  }

  private spanEntry(end: number, depth: number): SpanEntry {
    const r = this.r;
    let seen = 0;
    const e: SpanEntry = {
      traceId: '',
      spanId: '',
      parentSpanId: null,
      name: '',
      startUs: 0,
      endUs: 0,
      status: 0,
      sessionId: null,
      model: null,
      replayOf: null,
    };
    let endUs = 0;
    while (r.pos < end) {
      const [field, wire] = this.tag();
      switch (field) {
        case 1:
          seen = this.once(seen, field, wire, LEN);
          e.traceId = this.id(16, false);
          break;
        case 2:
          seen = this.once(seen, field, wire, LEN);
          e.spanId = this.id(8, false);
          break;
        case 3:
          seen = this.once(seen, field, wire, LEN);
          this.utf8();
          break;
        case 4:
          seen = this.once(seen, field, wire, LEN);
          e.parentSpanId = this.id(8, true) || null;
          break;
        case 5: {
          seen = this.once(seen, field, wire, LEN);
          const [a, b] = this.utf8();
          e.name = this.buf.toString('utf8', a, b);
          break;
        }
        case 6: {
          seen = this.once(seen, field, wire, VARINT);
          const kind = r.int32();
          if (kind < 0 || kind > 5) throw new Unusual();
          break;
        }
        case 7:
          seen = this.once(seen, field, wire, I64);
          e.startUs = this.timeUs();
          break;
        case 8:
          seen = this.once(seen, field, wire, I64);
          endUs = this.timeUs();
          break;
        case 9:
          this.expect(wire, LEN);
          this.keyValue(this.open(), depth + 1, 0, e);
          break;
        case 10:
        case 12:
        case 14:
          seen = this.once(seen, field, wire, VARINT);
          r.uint32();
          break;
        case 11:
          this.expect(wire, LEN);
          this.event(this.open(), depth + 1);
          break;
        case 13:
          this.expect(wire, LEN);
          this.link(this.open(), depth + 1);
          break;
        case 15:
          seen = this.once(seen, field, wire, LEN);
          e.status = this.status(this.open(), depth + 1);
          break;
        case 16:
          seen = this.once(seen, field, wire, I32);
          r.fixed32();
          break;
        default:
          r.skipType(wire);
      }
    }
    this.close(end, depth);
    if ((seen & 6) !== 6) throw new Unusual(); // no trace or span id: rejected by the full decode
    e.endUs = Math.max(e.startUs, endUs);
    return e;
  }

  /** A fixed64 of nanoseconds as microseconds, as scan.ts reads protobufjs' Long. */
  private timeUs(): number {
    const low = this.r.fixed32();
    const high = this.r.fixed32();
    return Math.floor((high >>> 0) * 4294967.296 + (low >>> 0) / 1000);
  }

  private status(end: number, depth: number): number {
    const r = this.r;
    let seen = 0;
    let code = 0;
    while (r.pos < end) {
      const [field, wire] = this.tag();
      if (field === 2) {
        seen = this.once(seen, field, wire, LEN);
        this.utf8();
      } else if (field === 3) {
        seen = this.once(seen, field, wire, VARINT);
        code = r.int32();
        if (code < 0 || code > 2) throw new Unusual();
      } else r.skipType(wire);
    }
    this.close(end, depth);
    return code;
  }

  private event(end: number, depth: number): void {
    const r = this.r;
    let seen = 0;
    while (r.pos < end) {
      const [field, wire] = this.tag();
      if (field === 1) {
        seen = this.once(seen, field, wire, I64);
        r.fixed64();
      } else if (field === 2) {
        seen = this.once(seen, field, wire, LEN);
        this.utf8();
      } else if (field === 3 && this.expect(wire, LEN)) this.keyValue(this.open(), depth + 1, 0, null);
      else if (field === 4) {
        seen = this.once(seen, field, wire, VARINT);
        r.uint32();
      } else r.skipType(wire);
    }
    this.close(end, depth);
  }

  private link(end: number, depth: number): void {
    const r = this.r;
    let seen = 0;
    while (r.pos < end) {
      const [field, wire] = this.tag();
      if (field === 1 || field === 2) {
        seen = this.once(seen, field, wire, LEN);
        this.id(field === 1 ? 16 : 8, false);
      } else if (field === 3) {
        seen = this.once(seen, field, wire, LEN);
        this.utf8();
      } else if (field === 4 && this.expect(wire, LEN)) this.keyValue(this.open(), depth + 1, 0, null);
      else if (field === 5) {
        seen = this.once(seen, field, wire, VARINT);
        r.uint32();
      } else if (field === 6) {
        seen = this.once(seen, field, wire, I32);
        r.fixed32();
      } else r.skipType(wire);
    }
    this.close(end, depth);
    if ((seen & 6) !== 6) throw new Unusual();
  }

  /**
   * A KeyValue whose value sits at `valueDepth` (checkAttrs' depth); a span's own attributes give
   * it the labels the index keeps (`labels`).
   */
  private keyValue(end: number, depth: number, valueDepth: number, labels: SpanEntry | null): void {
    const r = this.r;
    let seen = 0;
    let keyAt: [number, number] | null = null;
    let kind = 0;
    let valueAt = 0;
    while (r.pos < end) {
      const [field, wire] = this.tag();
      if (field === 1) {
        seen = this.once(seen, field, wire, LEN);
        keyAt = this.utf8();
      } else if (field === 2) {
        seen = this.once(seen, field, wire, LEN);
        valueAt = r.pos;
        kind = this.anyValue(this.open(), depth + 1, valueDepth);
      } else r.skipType(wire);
    }
    this.close(end, depth);
    if (labels && (kind === 1 || kind === 3)) this.label(labels, keyAt, kind, valueAt);
  }

  /** Session, model or replay labels from a span attribute whose value is a string or an int (read again at `valueAt`). */
  private label(e: SpanEntry, keyAt: [number, number] | null, kind: number, valueAt: number): void {
    const key = keyAt ? labelKey(this.buf, keyAt[0], keyAt[1]) : null;
    if (key === null) return;
    const isReplay = key === REPLAY_OF_KEY;
    const isSession = SESSION_KEYS.has(key);
    if (!isReplay && !isSession && !MODEL_KEYS.has(key)) return;
    if (isReplay && kind !== 1) return;
    const r = this.r;
    const back = r.pos;
    r.pos = valueAt;
    const end = this.open();
    let text = '';
    while (r.pos < end) {
      const [field, wire] = this.tag();
      if (field === 1) {
        const [a, b] = this.bounds();
        text = this.buf.toString('utf8', a, b);
      } else if (field === 3) {
        const l = r.int64() as unknown as { low: number; high: number };
        text = BigInt.asIntN(64, (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0)).toString();
      } else r.skipType(wire);
    }
    this.close(end, 0);
    r.pos = back;
    if (isReplay) e.replayOf ??= text;
    else if (!text) return;
    else if (isSession) e.sessionId ??= text;
    else e.model ??= text;
  }

  /** An AnyValue at `valueDepth`: which member it holds (0: none; 1 string, 2 bool, 3 int, 4 double, 5 array, 6 kvlist, 7 bytes). */
  private anyValue(end: number, depth: number, valueDepth: number): number {
    if (valueDepth > MAX_DEPTH) throw new Unusual();
    const r = this.r;
    let kind = 0;
    while (r.pos < end) {
      const [field, wire] = this.tag();
      if (field >= 1 && field <= 7) {
        if (kind) throw new Unusual(); // a second member of the oneof
        kind = field;
      }
      switch (field) {
        case 1:
          this.expect(wire, LEN);
          this.utf8();
          break;
        case 2:
          this.expect(wire, VARINT);
          r.bool();
          break;
        case 3:
          this.expect(wire, VARINT);
          r.int64();
          break;
        case 4:
          this.expect(wire, I64);
          r.double();
          break;
        case 5:
        case 6: {
          this.expect(wire, LEN);
          // ArrayValue or KeyValueList: repeated values at field 1.
          const listEnd = this.open();
          while (r.pos < listEnd) {
            const [f, w] = this.tag();
            if (f === 1 && this.expect(w, LEN)) {
              if (field === 5) this.anyValue(this.open(), depth + 2, valueDepth + 1);
              else this.keyValue(this.open(), depth + 2, valueDepth + 1, null);
            } else r.skipType(w);
          }
          this.close(listEnd, depth + 1);
          break;
        }
        case 7:
          this.expect(wire, LEN);
          this.bounds();
          break;
        default:
          r.skipType(wire);
      }
    }
    this.close(end, depth);
    return kind;
  }
}
