/**
 * The one message protocol between the extension host and the trace webview. Imported by both
 * sides; imports neither `vscode` nor `preact`. Every message has a `type`; requests carry a
 * `requestId` and their answers an `inReplyTo`.
 */
import type { Document, Message, Score, Step, StepEvent, StepIO, StepKind, ToolCall } from '../core/model/step';
import type { RowData, TraceHeader } from '../core/view/rows';

/**
 * The core types the webviews see (the step model, the rows and header of a trace): they import
 * them from here, never from core, and core never imports this module (one direction, no cycle).
 */
export type { Document, Message, RowData, Score, Step, StepEvent, StepIO, StepKind, ToolCall, TraceHeader };

/** Host → webview. */
export type ToWebview =
  | { type: 'init'; header: TraceHeader }
  | { type: 'rows'; inReplyTo: number; start: number; rows: RowData[] }
  | { type: 'detail'; inReplyTo: number; step: Step | null }
  /** The trace changed (live run): the header is new; rows must be asked for again. */
  | { type: 'changed'; header: TraceHeader }
  /** Select a row (e.g. from the runs tree or a diagnostic). */
  | { type: 'select'; spanId: string }
  | { type: 'error'; message: string };

/** Webview → host. */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'getRows'; requestId: number; start: number; count: number }
  | { type: 'getDetail'; requestId: number; spanId: string }
  | { type: 'openSource'; spanId: string; toSide: boolean }
  /** A step action from the detail pane: fork & replay, re-send in the playground, save as a regression case. */
  | { type: 'stepAction'; action: StepAction; spanId: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** What the detail pane can ask the host to do with a step. */
export type StepAction = 'fork' | 'playground' | 'saveCase';

/** How many rows one `rows` message carries at most. */
export const ROW_PAGE = 500;

/** True when a value is a webview message the host understands (checked before dispatch). */
export function isFromWebview(v: unknown): v is FromWebview {
  if (typeof v !== 'object' || v === null) return false;
  const t = (v as { type?: unknown }).type;
  return t === 'ready' || t === 'getRows' || t === 'getDetail' || t === 'openSource' || t === 'stepAction' || t === 'log';
}

/** Where a replay's tool result comes from before the fork. */
export type ToolChoice = 'replay' | 'live';

/** What the fork editor edits: one recorded call's input, and the tools recorded before it. */
export interface ForkModel {
  /** 'fork' launches the agent again; 'playground' re-sends one LLM call to the configured endpoint. */
  mode: 'fork' | 'playground';
  traceId: string;
  spanId: string;
  stepName: string;
  op: 'llm' | 'tool' | 'step';
  /** The recorded input as a JSON value (the SDK's encoding; see sdk/REPLAY.md). */
  input: unknown;
  /** The field of `input` holding the conversation (`prompt` for the AI SDK, `messages` for OpenAI), or null. */
  messagesField: string | null;
  /** Tools recorded before the fork, with their default policy (`ask`: the user must choose before launch). */
  tools: Array<{ name: string; policy: ToolChoice | 'ask' }>;
  /** True when the fork step has a source line (a breakpoint can be set there). */
  hasCode: boolean;
  /** How the agent is started (shown; from settings or launch.json), null when not configured yet. */
  launch: string | null;
}

/** Host → fork editor. */
export type ToForkEditor =
  | { type: 'forkInit'; model: ForkModel }
  /** Progress of the launched replay, or what went wrong (validation included). */
  | { type: 'forkStatus'; busy: boolean; message: string; errors?: string[] }
  /** The playground's answer. */
  | { type: 'playgroundResult'; output: unknown; error?: string };

/** Fork editor → host. */
export type FromForkEditor =
  | { type: 'forkReady' }
  | { type: 'forkLaunch'; input: unknown; tools: Record<string, ToolChoice>; debug: boolean }
  | { type: 'forkCancel' }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** True when a value is a fork editor message the host understands. */
export function isFromForkEditor(v: unknown): v is FromForkEditor {
  if (typeof v !== 'object' || v === null) return false;
  const t = (v as { type?: unknown }).type;
  return t === 'forkReady' || t === 'forkLaunch' || t === 'forkCancel' || t === 'log';
}

/** The Trends view's state: the series to choose from, the chosen one's points. */
export interface TrendsModel {
  series: Array<{ id: string; label: string; metric: string; runs: number }>;
  selected: string | null;
  points: Array<{
    traceId: string;
    spanId: string;
    runName: string;
    time: string;
    value: number;
    band: { median: number; low: number; high: number } | null;
    outside: boolean;
  }>;
  /** How many runs were read. */
  runs: number;
}

/** Host → Trends view. */
export type ToTrends = { type: 'trendsModel'; model: TrendsModel };

/** Trends view → host. */
export type FromTrends =
  | { type: 'trendsReady' }
  | { type: 'trendsSelect'; id: string }
  | { type: 'trendsOpen'; traceId: string; spanId: string }
  | { type: 'log'; level: 'warn'; message: string };

/** Whether a message from the Trends view has a shape this host understands. */
export function isFromTrends(v: unknown): v is FromTrends {
  const t = (v as { type?: unknown } | null)?.type;
  return (
    t === 'trendsReady' ||
    (t === 'trendsSelect' && typeof (v as { id?: unknown }).id === 'string') ||
    (t === 'trendsOpen' && typeof (v as { traceId?: unknown }).traceId === 'string' && typeof (v as { spanId?: unknown }).spanId === 'string') ||
    t === 'log'
  );
}
