/**
 * Messages between the live evaluation loop (the receiver's thread) and its worker. The loop sends
 * only where each changed trace lies in the journal; the worker reads and decodes the records,
 * builds the steps, runs the built-in evaluators and answers with what the views need.
 */
import type { CodeLocation, Step } from '../../model/step';
import type { PriceTable } from '../../model/cost';
import type { TraceRecords } from '../../store/queries';
import type { EvalOptions, EvalScore, Scorecard } from '../types';
import type { DriftFinding } from '../drift';

/** Evaluate these traces (oldest first) against the worker's rolling baseline. */
export interface EvaluateRequest {
  type: 'evaluate';
  id: number;
  /** The journal the offsets belong to; a different generation on disk makes the traces `stale`. */
  journal: { path: string; generation: string };
  traces: TraceRecords[];
  /** Start a new baseline first (a full re-evaluation of the recent runs). */
  resetBaseline: boolean;
  /** Traces whose full steps and scores to send back (for custom evaluators and the judge). */
  stepsFor: string[];
  options?: Partial<EvalOptions>;
  prices?: PriceTable;
}

/**
 * The scores of one trace's steps, as the live loop judged them (the verdict store), for the trace
 * panel and the regression-case commands. A trace the worker no longer keeps (or never evaluated:
 * too big for the live loop) is evaluated on demand from `trace`, against the current baseline.
 */
export interface VerdictRequest {
  type: 'verdict';
  id: number;
  traceId: string;
  journal: { path: string; generation: string };
  /** Where the trace lies, to evaluate it when no verdict is kept; null when it is not in the store. */
  trace: TraceRecords | null;
  options?: Partial<EvalOptions>;
  prices?: PriceTable;
  /** Judged ahead of time, for a later open (kept and saved; the reply carries no scores). */
  ahead?: boolean;
}

/** The answer: scores by span id, or null when the trace is gone. */
export interface VerdictReply {
  type: 'verdict';
  id: number;
  traceId: string;
  scores: Array<[string, EvalScore[]]> | null;
  /** 'live': the verdict the Runs view and diagnostics show (or one kept since made); 'saved': read from its verdict file; 'now': evaluated for this request. */
  source: 'live' | 'saved' | 'now' | null;
  error?: string;
}

/** What the loop sends the worker. */
export type WorkerRequest = EvaluateRequest | VerdictRequest;

/** Something the worker could not do that is nobody's reply (a verdict file not saved). */
export interface NoticeReply {
  type: 'notice';
  message: string;
}

/** What the worker answers. */
export type WorkerReply = EvaluateReply | VerdictReply | NoticeReply;

/** A step that names its source line, with the evaluators that failed on it. */
export interface LocatedStep {
  spanId: string;
  name: string;
  code: CodeLocation;
  status: Step['status'];
  error: string | null;
  durationMs: number;
  costUsd: number | null;
  startTime: string;
  findings: Array<{ name: string; explanation: string | null }>;
}

/** One trace's verdicts. */
export interface TraceResult {
  traceId: string;
  stepCount: number;
  /** Names of the evaluators that failed on some step. */
  failing: string[];
  scorecard: Scorecard;
  located: LocatedStep[];
  /** Drift and session alerts this run raised (against the runs before it). */
  findings?: DriftFinding[];
  /** Only for traces in `stepsFor`. */
  steps?: Step[];
  scores?: Array<[string, EvalScore[]]>;
}

/** The worker's answer to one request. */
export interface EvaluateReply {
  type: 'evaluated';
  id: number;
  results: TraceResult[];
  /** Traces whose offsets belong to another journal generation (compacted meanwhile): ask again. */
  stale: string[];
  /** Traces that could not be read (a damaged record): reported, not retried. */
  errors: Array<{ traceId: string; message: string }>;
}
