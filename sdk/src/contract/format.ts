/**
 * The language-neutral contract between a recording, the extension and an SDK replaying a run
 * (documented in sdk/REPLAY.md, so an SDK in another language can follow). Attribute names are
 * what the SDK sets on the span of every recorded call; the plan is the JSON file the extension
 * writes and names in TRACEFORK_REPLAY_PLAN.
 */

/** Span attributes of a recorded call. */
export const ATTR = {
  /** `<parent key>/<op>:<name>#<occurrence>`: stable across runs (no input in it). */
  key: 'tracefork.step.key',
  /** 16 hex digits of sha256 over the sorted JSON of the input without its system prompt. */
  inputHash: 'tracefork.step.input_hash',
  /** `llm`, `tool` or `step`. */
  op: 'tracefork.step.op',
  name: 'tracefork.step.name',
  /** Which SDK adapter recorded it: `ai-sdk`, `openai`, `generic`. */
  adapter: 'tracefork.step.adapter',
  /** Full input, encoded JSON (Dates as {"$date"}, bytes as {"$bytes"}). */
  input: 'tracefork.step.input',
  /** Full output, encoded JSON; absent when the call threw. */
  output: 'tracefork.step.output',
  /** The thrown error, JSON {name, message, ...own properties}, when the call threw. */
  error: 'tracefork.step.error',
  /** True when input or output could not be recorded whole (cut at 4 MiB, or not plain data): a replay runs the call. */
  lossy: 'tracefork.step.lossy',
  /** In a replay: `recording` (served), `fork` (ran with the edit) or `live`. */
  source: 'tracefork.replay.source',
  /** In a replay, on the call where the recording stopped matching: what differed. */
  divergence: 'tracefork.replay.divergence',
  /** On every span of a replayed run: the run it was forked from. */
  originalTrace: 'tracefork.replay.original_trace_id',
  forkSpan: 'tracefork.replay.fork_span_id',
  planId: 'tracefork.replay.plan_id',
} as const;

/** Environment variable naming the plan file. */
export const PLAN_ENV = 'TRACEFORK_REPLAY_PLAN';

/** What a replay does with a tool before the fork point. */
export type ToolPolicy = 'replay' | 'live' | 'ask';

/** One recorded call the replay may serve. */
export interface PlannedStep {
  key: string;
  op: 'llm' | 'tool' | 'step';
  name: string;
  inputHash: string;
  /** The recorded input (encoded JSON value), for divergence reports. */
  input?: unknown;
  /** The recorded output (encoded JSON value); absent when the call threw. */
  output?: unknown;
  /** The recorded error: name, message and the error's own properties (`@@symbol:<key>` for registered symbols). */
  error?: { name: string; message: string; [prop: string]: unknown };
  /**
   * Runs instead of being served, without ending the replay: a `step()` group or any call that
   * encloses the fork (so the calls inside are reached and matched), or a call whose recording is
   * lossy (it could not be served faithfully).
   */
  through?: boolean;
}

/** The plan file (version 1). */
export interface ReplayPlan {
  version: 1;
  planId: string;
  original: { traceId: string; forkSpanId: string | null };
  /** Calls that started before the fork step in the original run, in start order. */
  steps: PlannedStep[];
  /**
   * The fork step and its edited input (encoded JSON value); without `input` the step runs with the
   * input the code gives it (a regression case run again); null replays the recording through.
   */
  fork: { key: string; op: 'llm' | 'tool' | 'step'; name: string; input?: unknown } | null;
  /** Per-tool policy before the fork ('ask' is resolved by the extension before launch; default 'replay'). */
  tools?: Record<string, ToolPolicy>;
}
