/**
 * The step model: every span, whatever convention produced it, becomes one Step.
 * The JSON field names here are a public contract (`tracefork show --json`): extend, never rename.
 */

/** What a step did. */
export type StepKind = 'llm' | 'tool' | 'retrieval' | 'embedding' | 'agent' | 'chain' | 'guardrail' | 'evaluator' | 'other';

/** Which convention an adapter recognised on the span. */
export type Convention = 'gen_ai' | 'gen_ai_legacy' | 'openinference' | 'traceloop' | 'vercel_ai' | 'none';

/** A tool call requested by a model, or made by the agent. */
export interface ToolCall {
  id: string | null;
  name: string;
  /** Parsed JSON when the arguments were JSON text, else the raw value. */
  arguments: unknown;
}

/** One chat message. `content` is the text; other parts go in `toolCalls`/`parts`. */
export interface Message {
  role: string;
  content: string | null;
  toolCalls?: ToolCall[];
  /** For role `tool`: which call this answers. */
  toolCallId?: string | null;
  name?: string | null;
  finishReason?: string | null;
  /** Parts other than text and tool calls (reasoning, images, files), as the convention sent them. */
  parts?: unknown[];
}

/** A retrieved document. */
export interface Document {
  id: string | null;
  content: string | null;
  score: number | null;
  metadata?: unknown;
}

/** A step's input or output: messages for model calls, a value for tools and chains, documents for retrieval. */
export interface StepIO {
  messages?: Message[];
  value?: unknown;
  documents?: Document[];
}

/** A source location. */
export interface CodeLocation {
  file: string;
  line: number | null;
  function: string | null;
}

/** A score attached to a step (filled by evaluators and by scores the agent sends). */
export interface Score {
  name: string;
  value: number | null;
  label: string | null;
  passed: boolean | null;
  source: string;
  explanation: string | null;
  /** Version of the evaluator that produced the score (built-ins, custom evaluators that say one). */
  evaluatorVersion?: string;
}

/** An event on the step: span events and log records correlated by trace/span id. */
export interface StepEvent {
  name: string;
  time: string;
  attributes: Record<string, unknown>;
  body?: unknown;
  source: 'span' | 'log';
}

/** One normalised step. */
export interface Step {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: StepKind;
  convention: Convention;
  model: string | null;
  provider: string | null;
  input: StepIO | null;
  output: StepIO | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** ISO time the step started. */
  startTime: string;
  durationMs: number;
  status: 'ok' | 'error' | 'unset';
  error: string | null;
  code: CodeLocation | null;
  scores: Score[];
  /** Session or conversation id when the span names one. */
  sessionId: string | null;
  /** Tool name for tool steps, agent name for agent steps. */
  toolName: string | null;
  toolCallId: string | null;
  agentName: string | null;
  finishReason: string | null;
  /** Tokens that the step's children already count (Vercel AI outer spans): shown, never summed. */
  rollupTokens: { input: number | null; output: number | null } | null;
  /** Depth in the trace tree, 0 for roots. */
  depth: number;
  /** All span attributes, flattened to plain JSON values. */
  attributes: Record<string, unknown>;
  events: StepEvent[];
}
