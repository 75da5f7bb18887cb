/**
 * The verdicts of big runs, saved beside the store (`<storage>/verdicts/`), so that the scores of a
 * run too big for the live loop are computed once, not each time it is opened: building every step
 * of a 10,000-step run and running the evaluators takes the evaluation worker about a second,
 * while the trace panel opens beside it on the same cores.
 *
 * A file holds one run's scores and what they were made from: the journal's path and generation,
 * the run's record offsets, the evaluator options, the price table and the code's version. It is
 * used only when all of them still hold (a run that grew is judged again); one that does not, or
 * does not parse, is deleted.
 *
 * Layout: one JSON object. Scores are tuples whose strings (names, labels, explanations, sources)
 * are indices into one string table: a big run repeats the same few names on every step.
 */
import * as fs from 'node:fs';
import type { PriceTable } from '../../model/cost';
import { hashOf, pruneSaved, readSaved, savedFileOf, writeSavedSync } from '../../store/savedFiles';
import type { TraceRecords } from '../../store/queries';
import type { EvalOptions, EvalScore } from '../types';

/** Bumped whenever what a file holds changes. */
const FORMAT = 1;
/** Runs with fewer steps are judged in well under a second, or live: not saved. */
export const VERDICT_FILE_MIN_STEPS = 5000;
/** Bytes of verdict files kept (a 50,000-step run takes a few MB). */
export const VERDICT_FILES_BUDGET = 128 * 1024 ** 2;

/** Where verdict files go and what they must match. */
export interface VerdictFilesOptions {
  dir: string;
  /** The code's version (the extension's): verdicts of another version's evaluators are not used. */
  version: string;
  budgetBytes?: number;
  /** Runs with fewer steps are not saved (default VERDICT_FILE_MIN_STEPS). */
  minSteps?: number;
}

/** What a verdict was made from. */
export interface VerdictKey {
  journal: { path: string; generation: string };
  trace: TraceRecords;
  options?: Partial<EvalOptions>;
  prices?: PriceTable;
}

/** Scores by span id, as carried in messages. */
export type ScoreEntries = Array<[string, EvalScore[]]>;

/** [name, value, label, passed (1, 0, -1: null), source, explanation, evaluatorVersion]; strings as table indices, -1 for none. */
type Packed = [number, number | null, number, number, number, number, number];

interface Meta {
  format: number;
  version: string;
  traceId: string;
  journal: { path: string; generation: string };
  records: string;
  options: string;
  prices: string;
  strings: string[];
  spans: Array<[string, Packed[]]>;
}

/** The verdict files of one store. */
export class VerdictFiles {
  constructor(private readonly opts: VerdictFilesOptions) {}

  /** Whether a run of this many steps has its verdict saved. */
  wants(steps: number): boolean {
    return steps >= (this.opts.minSteps ?? VERDICT_FILE_MIN_STEPS);
  }

  /** The file of a trace. */
  file(traceId: string): string {
    return savedFileOf(this.opts.dir, traceId, '.verdict');
  }

  /** Saves a run's scores with what they were made from (blocking: the evaluation worker's own thread). */
  save(key: VerdictKey, scores: ScoreEntries): void {
    const strings: string[] = [];
    const ids = new Map<string, number>();
    const str = (s: string | null | undefined) => {
      if (s === null || s === undefined) return -1;
      let i = ids.get(s);
      if (i === undefined) ids.set(s, (i = strings.push(s) - 1));
      return i;
    };
    const pack = (x: EvalScore): Packed => [
      str(x.name),
      x.value,
      str(x.label),
      x.passed === null ? -1 : x.passed ? 1 : 0,
      str(x.source),
      str(x.explanation),
      str(x.evaluatorVersion),
    ];
    const spans = scores.map(([spanId, list]): [string, Packed[]] => [spanId, list.map(pack)]);
    const meta: Meta = { format: FORMAT, version: this.opts.version, traceId: key.trace.traceId, ...this.keyOf(key), strings, spans };
    const file = this.file(key.trace.traceId);
    writeSavedSync(file, Buffer.from(JSON.stringify(meta)));
    pruneSaved(this.opts.dir, '.verdict', this.opts.budgetBytes ?? VERDICT_FILES_BUDGET, file);
  }

  /** The saved scores of a run when they were made from what `key` says; else null (and a file that does not match is deleted). */
  load(key: VerdictKey): ScoreEntries | null {
    const file = this.file(key.trace.traceId);
    const buf = readSaved(file);
    if (!buf) return null;
    try {
      return this.parse(buf, key);
    } catch {
      fs.rmSync(file, { force: true });
      return null;
    }
  }

  private keyOf(key: VerdictKey): Pick<Meta, 'journal' | 'records' | 'options' | 'prices'> {
    return { journal: key.journal, records: hashOf(key.trace.offsets), options: hashOf(key.options), prices: hashOf(key.prices) };
  }

  private parse(buf: Buffer, key: VerdictKey): ScoreEntries {
    const bad = (why: string): never => {
      throw new Error(`verdict file: ${why}`);
    };
    const meta = JSON.parse(buf.toString('utf8')) as Meta;
    if (meta?.format !== FORMAT || meta.version !== this.opts.version || meta.traceId !== key.trace.traceId) bad('another format, version or trace');
    const want = this.keyOf(key);
    if (meta.journal?.path !== want.journal.path || meta.journal.generation !== want.journal.generation) bad('another journal');
    if (meta.records !== want.records) bad('the run changed');
    if (meta.options !== want.options || meta.prices !== want.prices) bad('other options or prices');
    const { strings } = meta;
    if (!Array.isArray(strings) || !Array.isArray(meta.spans)) bad('shape');
    const str = (i: number): string | null => {
      if (i === -1) return null;
      if (!Number.isInteger(i) || i < 0 || i >= strings.length) bad('string index');
      return strings[i]!;
    };
    const unpack = (p: Packed): EvalScore => {
      if (!Array.isArray(p) || p.length !== 7 || (p[1] !== null && typeof p[1] !== 'number')) bad('score');
      const version = str(p[6]);
      return {
        name: str(p[0]) ?? bad('score name'),
        value: p[1],
        label: str(p[2]),
        passed: p[3] === -1 ? null : p[3] === 1,
        source: str(p[4]) ?? bad('score source'),
        explanation: str(p[5]),
        ...(version !== null ? { evaluatorVersion: version } : {}),
      };
    };
    return meta.spans.map(([spanId, list]): [string, EvalScore[]] => {
      if (typeof spanId !== 'string' || !Array.isArray(list)) bad('span');
      return [spanId, list.map(unpack)];
    });
  }
}
