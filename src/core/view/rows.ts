/** The rows and header of a trace as the views page through them (types only: the webviews see them through src/shared/protocol). */
import type { StepKind } from '../model/step';

/** One step as a row of the tree and waterfall: small, so 100k of them travel in pages. */
export interface RowData {
  /** Index in pre-order; equals the row's position in the full list. */
  index: number;
  spanId: string;
  /** Index of the parent row, -1 for roots. */
  parent: number;
  depth: number;
  /** Number of rows in this row's subtree, itself excluded (so a subtree is [index+1, index+descendants]). */
  descendants: number;
  name: string;
  kind: StepKind;
  status: 'ok' | 'error' | 'unset';
  /** Milliseconds from the trace's start. */
  offsetMs: number;
  durationMs: number;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  error: string | null;
  /** True when the step has a source location to open. */
  hasCode: boolean;
  /** Failed scores' names, for chips (filled by evaluators). */
  failedScores: string[];
}

/** The trace as a whole, sent first. */
export interface TraceHeader {
  traceId: string;
  name: string;
  startTime: string;
  durationMs: number;
  rowCount: number;
  errorCount: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  /**
   * Span ids of the llm rows another instrumentation's span of the same call is nested in (one
   * model call, one step): the view starts them collapsed, the nested span folded into them and
   * still reachable by expanding.
   */
  folded?: string[];
}
