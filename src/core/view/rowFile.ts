/**
 * The rows of big runs, saved beside the store (`<storage>/views/`), so that a run the view worker
 * laid out once opens after a window reload (or after the worker let it go) by reading one file,
 * instead of reading and decoding every journal record of the run again (~40 µs a step: 22 s for
 * 1,000,000 steps).
 *
 * A file holds one RunModel's state (`RunModelState`) and what it was read from: the journal's
 * path and generation, the record offsets read, the price table and the code's version. It is
 * used only when all of them still hold, and only for the records it covers: records the run
 * gained since are read as usual. A file that does not check out (another format, a version of the
 * code, a compacted journal, a torn or damaged file) is deleted and the run read from the journal.
 *
 * Layout: "TFROWS01", the length of a JSON part (u32 LE) and that part, then the columns as raw
 * little-endian typed arrays, each padded to 8 bytes. Written to a temporary file and renamed, so
 * a reader never sees half a file; the files are kept within a byte budget, least recently used
 * out first.
 */
import * as fs from 'node:fs';
import { hashOf, pruneSaved, readSaved, savedFileOf, writeSaved } from '../store/savedFiles';
import { FLOAT_COLUMNS, INT_COLUMNS, KIND_COUNT, LAYOUT_COLUMNS, RunModel, type RunModelState } from './traceView';
import type { PriceTable } from '../model/cost';
import type { TraceHeader } from './rows';
import type { TraceLocation } from './worker/protocol';

const MAGIC = Buffer.from('TFROWS01');
/** Bumped whenever what a file holds or how a row is made changes. */
const FORMAT = 1;
/** Runs below this many steps are read from the journal in well under a second: not saved. */
export const ROW_FILE_MIN_STEPS = 5000;
/** Bytes of row files kept (a 1,000,000-step run takes ~95 MB). */
export const ROW_FILES_BUDGET = 512 * 1024 ** 2;

/** Where row files go and what they must match. */
export interface RowFilesOptions {
  dir: string;
  /** The code's version (the extension's): rows made by another version are not used. */
  version: string;
  budgetBytes?: number;
}

/** What a row file gives back: the model and the records it was made of. */
export interface SavedRun {
  model: RunModel;
  read: number[];
  logOffsets: number[];
}

interface Meta {
  format: number;
  version: string;
  traceId: string;
  journal: { path: string; generation: string };
  prices: string;
  read: number[];
  logOffsets: number[];
  n: number;
  spanIds: string[];
  orphanParents: string[];
  strings: string[];
  errors: Array<[number, string]>;
  failed: Array<[number, string[]]>;
  logsBySpan: RunModelState['logsBySpan'];
  base: string | null;
  layout: { start: number; header: TraceHeader } | null;
}

const pad8 = (n: number) => (8 - (n % 8)) % 8;
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The row files of one store. */
export class RowFiles {
  constructor(private readonly opts: RowFilesOptions) {}

  /** The file of a trace (its id hashed: an id is whatever the exporter sent). */
  file(traceId: string): string {
    return savedFileOf(this.opts.dir, traceId, '.rows');
  }

  /**
   * Saves a model's state with what it was read from. Resolves true once the file is in place,
   * false when `current()` says the model changed while it was written (the file is not kept).
   */
  async save(
    st: RunModelState,
    at: { path: string; generation: string },
    read: number[],
    logOffsets: number[],
    prices: PriceTable | undefined,
    current: () => boolean,
  ): Promise<boolean> {
    const meta: Meta = {
      format: FORMAT,
      version: this.opts.version,
      traceId: st.traceId,
      journal: at,
      prices: hashOf(prices),
      read,
      logOffsets,
      n: st.n,
      spanIds: st.spanIds.slice(0, st.n),
      orphanParents: st.orphanParents,
      strings: st.strings,
      errors: st.errors,
      failed: st.failed,
      logsBySpan: st.logsBySpan,
      base: st.base,
      layout: st.layout && { start: st.layout.start, header: st.layout.header },
    };
    const json = Buffer.from(JSON.stringify(meta));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(json.length);
    const parts: Uint8Array[] = [MAGIC, len, json, Buffer.alloc(pad8(12 + json.length))];
    const add = (a: ArrayBufferView) => parts.push(bytesOf(a), Buffer.alloc(pad8(a.byteLength)));
    for (const k of FLOAT_COLUMNS) add(st.floats[k]);
    for (const k of INT_COLUMNS) add(st.ints[k]);
    add(st.parents);
    add(st.flags);
    if (st.layout) for (const k of LAYOUT_COLUMNS) add(st.layout.cols[k]);
    const file = this.file(st.traceId);
    if (!(await writeSaved(file, parts, current))) return false;
    pruneSaved(this.opts.dir, '.rows', this.opts.budgetBytes ?? ROW_FILES_BUDGET, file);
    return true;
  }

  /**
   * The saved rows of a trace, when the file matches the journal, the prices and this code and
   * covers only records the trace still has; else null (and a file that does not match is deleted).
   */
  load(traceId: string, at: TraceLocation, prices: PriceTable | undefined): SavedRun | null {
    const file = this.file(traceId);
    const buf = readSaved(file);
    if (!buf) return null;
    try {
      return this.parse(buf, traceId, at, prices);
    } catch {
      fs.rmSync(file, { force: true });
      return null;
    }
  }

  private parse(buf: Buffer, traceId: string, at: TraceLocation, prices: PriceTable | undefined): SavedRun {
    const bad = (why: string): never => {
      throw new Error(`row file: ${why}`);
    };
    if (buf.length < 12 || !buf.subarray(0, 8).equals(MAGIC)) bad('not a row file');
    const jsonLen = buf.readUInt32LE(8);
    if (12 + jsonLen > buf.length) bad('truncated');
    const meta = JSON.parse(buf.subarray(12, 12 + jsonLen).toString('utf8')) as Meta;
    if (meta.format !== FORMAT || meta.version !== this.opts.version || meta.traceId !== traceId) bad('another format, version or trace');
    if (meta.journal?.path !== at.journal.path || meta.journal.generation !== at.journal.generation) bad('another journal');
    if (meta.prices !== hashOf(prices)) bad('other prices');
    const n = meta.n;
    if (!Number.isInteger(n) || n < 0 || !Array.isArray(meta.spanIds) || meta.spanIds.length !== n) bad('step count');
    const offsets = new Set(at.offsets);
    if (!meta.read.every((o) => offsets.has(o))) bad('records the trace no longer has');
    // The columns, copied out of the file's buffer when it is not aligned for them.
    let data = buf;
    let pos = 12 + jsonLen + pad8(12 + jsonLen);
    if ((data.byteOffset + pos) % 8) data = Buffer.from(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)); // its own memory, from offset 0
    const need = (bytes: number) => {
      if (pos + bytes > data.length) bad('truncated');
      const at0 = data.byteOffset + pos;
      pos += bytes + pad8(bytes);
      return at0;
    };
    const f64 = () => new Float64Array(data.buffer, need(n * 8), n);
    const i32 = () => new Int32Array(data.buffer, need(n * 4), n);
    const floats = Object.fromEntries(FLOAT_COLUMNS.map((k) => [k, f64()])) as RunModelState['floats'];
    const ints = Object.fromEntries(INT_COLUMNS.map((k) => [k, i32()])) as RunModelState['ints'];
    const parents = i32();
    const flags = new Uint8Array(data.buffer, need(n), n);
    const layout = meta.layout
      ? { cols: Object.fromEntries(LAYOUT_COLUMNS.map((k) => [k, i32()])) as NonNullable<RunModelState['layout']>['cols'], ...meta.layout }
      : null;
    if (pos !== data.length) bad('size');
    // Every index in range, so that no row reads past its tables.
    const strings = meta.strings.length;
    const inRange = (a: Int32Array, lo: number, hi: number) => a.every((v) => v >= lo && v < hi);
    if (!inRange(ints.name, 0, strings) || !inRange(ints.model, -1, strings)) bad('string index');
    if (!inRange(parents, -2 - meta.orphanParents.length + 1, n)) bad('parent index');
    if (!flags.every((f) => ((f >> 2) & 31) < KIND_COUNT && (f & 3) < 3)) bad('kind or status');
    if (!meta.errors.every(([i]) => i >= 0 && i < n) || !meta.failed.every(([i]) => i >= 0 && i < n)) bad('step index');
    if (layout) {
      const c = layout.cols;
      if (
        layout.header?.rowCount !== n ||
        !inRange(c.order, 0, n) ||
        !inRange(c.depth, 0, n) ||
        !inRange(c.parent, -1, n) ||
        !inRange(c.descendants, 0, n) ||
        !inRange(c.rowOfSeed, -1, n)
      )
        bad('layout');
    }
    const model = RunModel.from(
      {
        traceId,
        n,
        floats,
        ints,
        flags,
        spanIds: meta.spanIds,
        parents,
        orphanParents: meta.orphanParents,
        strings: meta.strings,
        errors: meta.errors,
        failed: meta.failed,
        logsBySpan: meta.logsBySpan,
        base: meta.base,
        // Copies: the file's buffer is let go once the model is made.
        layout: layout && { ...layout, cols: Object.fromEntries(LAYOUT_COLUMNS.map((k) => [k, layout.cols[k].slice()])) as typeof layout.cols },
      },
      prices,
    );
    return { model, read: meta.read, logOffsets: meta.logOffsets };
  }
}
