/**
 * Messages between the trace panels (the extension host) and the view worker, which reads the runs
 * from the journal file, keeps each open run's rows (RunModel) and answers pages and step details,
 * so opening a big run never blocks the extension host's thread.
 */
import type { PriceTable } from '../../model/cost';
import type { Step } from '../../model/step';
import type { RowData, TraceHeader } from '../rows';
import type { RowFilesOptions } from '../rowFile';

/** What the thread is started with. */
export interface ViewWorkerData {
  /** Where big runs' rows are saved (none: not saved). */
  rowFiles?: RowFilesOptions;
}

/** Where a trace lies: the journal file and generation, and its record offsets in journal order. */
export interface TraceLocation {
  journal: { path: string; generation: string };
  offsets: number[];
  /** Spans the index counts (for progress). */
  spanCount: number;
}

/** The requests, without their id. */
export type ViewRequest =
  /**
   * Reads the trace's records not read yet and lays its rows out. `open` counts a panel holding it
   * (a trace no panel holds is dropped on its last `close`); without it the trace is prebuilt: kept
   * while the memory budget allows, so that opening it later is immediate.
   */
  | { op: 'update'; traceId: string; at: TraceLocation; open?: boolean; prices?: PriceTable }
  /** The same for a big run that changed, unless a panel holds it (its panel reads it on the same change). */
  | { op: 'prebuild'; traceId: string; at: TraceLocation; prices?: PriceTable }
  | { op: 'rows'; traceId: string; start: number; count: number }
  | { op: 'detail'; traceId: string; spanId: string; prices?: PriceTable }
  | { op: 'close'; traceId: string }
  | { op: 'held' }
  /** Answers once the row files being written are in place. */
  | { op: 'saved' }
  /** The span ids (and names) of rows, by span id, for the tests' view of a panel. */
  | { op: 'names'; traceId: string; spanIds: string[] };

/** A request as posted. */
export type ViewCall = ViewRequest & { id: number };

/**
 * What `update` answers. `stale`: the journal was compacted since the location was read; locate
 * again. A prebuilt run (no panel holds it) has its records read but is laid out only once it
 * stopped changing for a moment (a growing 1M-step run is not laid out again per batch): no header.
 */
export type UpdateReply = { header: TraceHeader; stale?: false } | { stale: true } | { header?: undefined; stale?: false; prebuilt: true };

/** What `close` answers: the steps the worker still holds (0: nothing, the thread may end). */
export interface CloseReply {
  held: number;
}

/** Posted by the worker. */
export type ViewMessage =
  | { type: 'reply'; id: number; value?: unknown; error?: string }
  /** While a trace is read: spans read so far of about `total`. */
  | { type: 'progress'; traceId: string; done: number; total: number }
  /** The worker dropped what it held on its own (expired prebuilt runs). */
  | { type: 'held'; held: number }
  /** Something failed that the user may want to know of (a row file not written). */
  | { type: 'error'; message: string };

export type { RowData, Step, TraceHeader };
