/**
 * What journal records hold. Spans and Logs records hold one request body as it was decoded
 * (after decompression), behind one byte naming its encoding; tombstones hold JSON.
 */
import { RecordType, type JournalRecord } from './journal';
import { scanLogs, scanTraces, type BodyEncoding } from '../otlp/decode';
import type { PendingRecord } from './indexer';

const ENC_BYTE: Record<BodyEncoding, number> = { json: 0, protobuf: 1 };

/** The one-byte prefix naming a body's encoding. */
export function encodingPrefix(enc: BodyEncoding): Buffer {
  return Buffer.from([ENC_BYTE[enc]]);
}

/** A Spans/Logs record's body and its encoding. */
export function recordBody(rec: JournalRecord): { enc: BodyEncoding; body: Buffer } {
  return { enc: rec.payload[0] === 1 ? 'protobuf' : 'json', body: rec.payload.subarray(1) };
}

/** Rebuilds the index work for a record read back from the journal (replay, readers). */
export function pendingFromRecord(rec: JournalRecord): PendingRecord {
  const base = { off: rec.off, len: rec.len };
  switch (rec.type) {
    case RecordType.Spans: {
      const { enc, body } = recordBody(rec);
      return { ...base, type: RecordType.Spans, entries: scanTraces(body, enc).groups.flat() };
    }
    case RecordType.Logs: {
      const { enc, body } = recordBody(rec);
      return { ...base, type: RecordType.Logs, entries: scanLogs(body, enc).groups.flat() };
    }
    case RecordType.Tombstone:
      return { ...base, type: RecordType.Tombstone, traces: (JSON.parse(rec.payload.toString('utf8')) as { traces: string[] }).traces };
    case RecordType.Clear:
      return { ...base, type: RecordType.Clear };
  }
}
