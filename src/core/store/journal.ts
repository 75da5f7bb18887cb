/**
 * The append-only journal: the durable source of truth beside the SQLite index.
 * Layout: a 16-byte header ("TFJ1", 4 reserved bytes, an 8-byte generation), then records
 * of [type u8][3 reserved][length u32][crc32 u32][payload]. A record is written with one
 * write() before the receiver acknowledges, so a killed process loses nothing it acknowledged;
 * fdatasync runs at most a second later for power loss.
 */
import * as fs from 'node:fs';
import { crc32 } from 'node:zlib';

/** What a record holds. */
export enum RecordType {
  Spans = 1,
  Logs = 2,
  Tombstone = 3,
  Clear = 4,
}

/** One record read back. */
export interface JournalRecord {
  off: number;
  len: number;
  type: RecordType;
  payload: Buffer;
}

/** How a scan ended. */
export interface ScanEnd {
  /** Offset just past the last good record. */
  end: number;
  /** 'eof' clean; 'torn' an incomplete record at the tail; 'corrupt' a full record whose checksum fails. */
  state: 'eof' | 'torn' | 'corrupt';
}

const MAGIC = Buffer.from('TFJ1');
export const HEADER_SIZE = 16;
const REC_HEADER = 12;
const MAX_RECORD = 256 * 1024 * 1024;

/** A journal file that is either written (one writer) or read. */
export class Journal {
  private constructor(
    readonly path: string,
    private fd: number,
    readonly generation: string,
    public size: number,
    readonly readOnly: boolean,
  ) {}

  /** Opens (or, for a writer, creates) the journal; throws when the header is not a journal's. */
  static open(path: string, readOnly: boolean): Journal {
    if (!fs.existsSync(path)) {
      if (readOnly) throw new Error(`no journal at ${path}`);
      return Journal.create(path);
    }
    const fd = fs.openSync(path, readOnly ? 'r' : 'r+');
    const header = Buffer.alloc(HEADER_SIZE);
    const n = fs.readSync(fd, header, 0, HEADER_SIZE, 0);
    if (n < HEADER_SIZE || !header.subarray(0, 4).equals(MAGIC)) {
      fs.closeSync(fd);
      throw new JournalHeaderError(`${path} is not a Tracefork journal (bad header)`);
    }
    const generation = header.readBigUInt64BE(8).toString(16);
    return new Journal(path, fd, generation, fs.fstatSync(fd).size, readOnly);
  }

  /** Creates a new, empty journal with a fresh generation (replacing any file at path). */
  static create(path: string): Journal {
    const header = Buffer.alloc(HEADER_SIZE);
    MAGIC.copy(header, 0);
    const gen = BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000));
    header.writeBigUInt64BE(gen, 8);
    const fd = fs.openSync(path, 'w+');
    fs.writeSync(fd, header, 0, HEADER_SIZE, 0);
    fs.fsyncSync(fd);
    return new Journal(path, fd, gen.toString(16), HEADER_SIZE, false);
  }

  /** Appends one record whose payload is the concatenation of `parts`; returns its offset. */
  append(type: RecordType, ...parts: Buffer[]): number {
    if (this.readOnly) throw new Error('journal is open read-only');
    let len = 0;
    let crc = 0;
    for (const p of parts) {
      len += p.length;
      crc = crc32(p, crc);
    }
    const head = Buffer.alloc(REC_HEADER);
    head.writeUInt8(type, 0);
    head.writeUInt32BE(len, 4);
    head.writeUInt32BE(crc, 8);
    const off = this.size;
    let pos = off;
    try {
      for (const b of [head, ...parts]) {
        writeAll(this.fd, b, pos);
        pos += b.length;
      }
    } catch (e) {
      // Disk full or I/O error mid-record: cut the partial record so the journal stays whole.
      try {
        fs.ftruncateSync(this.fd, off);
      } catch {
        /* the next open cuts a torn tail anyway */
      }
      throw e;
    }
    this.size = pos;
    return off;
  }

  /** Reads the record at off; throws when it is damaged. */
  read(off: number): JournalRecord {
    const head = Buffer.alloc(REC_HEADER);
    if (fs.readSync(this.fd, head, 0, REC_HEADER, off) < REC_HEADER) throw new Error(`journal record at ${off} is truncated`);
    const len = head.readUInt32BE(4);
    const payload = Buffer.alloc(len);
    if (fs.readSync(this.fd, payload, 0, len, off + REC_HEADER) < len) throw new Error(`journal record at ${off} is truncated`);
    if (crc32(payload) !== head.readUInt32BE(8)) throw new Error(`journal record at ${off} fails its checksum`);
    return { off, len: REC_HEADER + len, type: head.readUInt8(0) as RecordType, payload };
  }

  /** Reads records from `from` to the end, calling `each`; returns how the scan ended. */
  scan(from: number, each: (rec: JournalRecord) => void): ScanEnd {
    const end = fs.fstatSync(this.fd).size;
    let off = Math.max(from, HEADER_SIZE);
    const head = Buffer.alloc(REC_HEADER);
    while (off < end) {
      if (end - off < REC_HEADER) return { end: off, state: 'torn' };
      fs.readSync(this.fd, head, 0, REC_HEADER, off);
      const len = head.readUInt32BE(4);
      const type = head.readUInt8(0);
      if (type < RecordType.Spans || type > RecordType.Clear || len > MAX_RECORD) return { end: off, state: 'corrupt' };
      if (off + REC_HEADER + len > end) return { end: off, state: 'torn' };
      const payload = Buffer.alloc(len);
      fs.readSync(this.fd, payload, 0, len, off + REC_HEADER);
      if (crc32(payload) !== head.readUInt32BE(8)) return { end: off, state: 'corrupt' };
      each({ off, len: REC_HEADER + len, type, payload });
      off += REC_HEADER + len;
    }
    return { end: off, state: 'eof' };
  }

  /** Cuts the file at `end` (after a torn tail). */
  truncate(end: number): void {
    fs.ftruncateSync(this.fd, end);
    this.size = end;
  }

  /** Flushes written records to the disk. */
  sync(): void {
    if (!this.readOnly) fs.fdatasyncSync(this.fd);
  }

  /** An fdatasync in flight (syncInBackground), which close() waits for before closing the file. */
  private background = false;
  private closeAfterSync = false;

  /**
   * Flushes written records to the disk on libuv's thread pool, not this thread: under load the
   * once-a-second fdatasync held the receiver's thread (and every request and query behind it)
   * for up to ~120 ms. One at a time: returns false (and does nothing) while one is in flight, so
   * the caller tries again later. Errors are told to `onError`.
   */
  syncInBackground(onError: (e: NodeJS.ErrnoException) => void = () => {}): boolean {
    if (this.readOnly || this.background || this.fd < 0) return false;
    this.background = true;
    const fd = this.fd;
    fs.fdatasync(fd, (err) => {
      this.background = false;
      if (this.closeAfterSync) {
        this.closeAfterSync = false;
        fs.close(fd, () => {});
      }
      if (err) onError(err);
    });
    return true;
  }

  /** Closes the file (after the background flush in flight, if any, which still holds it). */
  close(): void {
    if (this.fd >= 0) {
      if (this.background) this.closeAfterSync = true;
      else fs.closeSync(this.fd);
    }
    this.fd = -1;
  }
}

/** The file exists but is not a journal. */
export class JournalHeaderError extends Error {}

function writeAll(fd: number, buf: Buffer, pos: number): void {
  let done = 0;
  while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, pos + done);
}
