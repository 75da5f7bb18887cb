/**
 * The calls a run recorded through the Tracefork SDK (spans carrying `tracefork.step.*`), in start
 * order, and the replay origin of a run, read from its stored spans.
 */
import type { StoredTrace } from '../store/queries';
import { attrsToObject } from '../otlp/values';
import { ATTR } from '../../../sdk/src/contract';

/** One recorded call. */
export interface RecordedCall {
  spanId: string;
  parentSpanId: string | null;
  spanName: string;
  startUs: number;
  key: string;
  op: 'llm' | 'tool' | 'step';
  name: string;
  adapter: string;
  inputHash: string;
  /** Encoded JSON values as recorded (see sdk/REPLAY.md); undefined when absent. */
  input: unknown;
  output: unknown;
  error: { name: string; message: string; [prop: string]: unknown } | null;
  /** The recording is not whole (cut, or not plain data): a replay must run the call. */
  lossy: boolean;
  /** In a replayed run: where the call's result came from. */
  source: 'recording' | 'fork' | 'live' | null;
  divergence: string | null;
}

/** Where a replayed run came from. */
export interface ReplayOrigin {
  traceId: string;
  forkSpanId: string | null;
  planId: string | null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function json(v: unknown): unknown {
  if (typeof v !== 'string') return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** Every recorded call of the trace, in start order. */
export function recordedCalls(trace: StoredTrace): RecordedCall[] {
  const out: RecordedCall[] = [];
  for (const { span } of trace.spans) {
    const a = attrsToObject(span.attributes);
    const key = str(a[ATTR.key]);
    const op = str(a[ATTR.op]);
    if (!key || (op !== 'llm' && op !== 'tool' && op !== 'step')) continue;
    const err = json(a[ATTR.error]) as { name?: string; message?: string; [prop: string]: unknown } | undefined;
    out.push({
      spanId: span.spanId,
      parentSpanId: span.parentSpanId || null,
      spanName: span.name,
      startUs: Number(BigInt(span.startTimeUnixNano) / 1000n),
      key,
      op,
      name: str(a[ATTR.name]) ?? '',
      adapter: str(a[ATTR.adapter]) ?? '',
      inputHash: str(a[ATTR.inputHash]) ?? '',
      input: json(a[ATTR.input]),
      output: json(a[ATTR.output]),
      error: err ? { ...err, name: err.name ?? 'Error', message: err.message ?? '' } : null,
      lossy: a[ATTR.lossy] === true || (!err && a[ATTR.output] !== undefined && json(a[ATTR.output]) === undefined),
      source: (str(a[ATTR.source]) as RecordedCall['source']) ?? null,
      divergence: str(a[ATTR.divergence]),
    });
  }
  return out.sort((x, y) => x.startUs - y.startUs || x.key.localeCompare(y.key));
}

/** The run this trace was forked from, when it is a replay. */
export function replayOrigin(trace: StoredTrace): ReplayOrigin | null {
  for (const { span } of trace.spans) {
    const a = attrsToObject(span.attributes);
    const t = str(a[ATTR.originalTrace]);
    if (t) return { traceId: t, forkSpanId: str(a[ATTR.forkSpan]), planId: str(a[ATTR.planId]) };
  }
  return null;
}

/** Adapters of the record/replay proxies: a run they recorded replays through them, not through an SDK. */
export const PROXY_ADAPTERS = new Set(['proxy', 'mcp']);

/** Whether the run's calls were recorded by the proxies (model API or MCP), with no SDK. */
export function isProxyRecorded(trace: StoredTrace): boolean {
  const calls = recordedCalls(trace);
  return calls.length > 0 && calls.every((c) => PROXY_ADAPTERS.has(c.adapter));
}

/** The agent command `tracefork run` recorded on the run's root span, when it did. */
export function recordedCommand(trace: StoredTrace): { command: string[]; cwd: string | null } | null {
  for (const { span } of trace.spans) {
    if (span.parentSpanId) continue;
    const a = attrsToObject(span.attributes);
    const cmd = json(a['tracefork.run.command']);
    if (Array.isArray(cmd) && cmd.length && cmd.every((c) => typeof c === 'string')) return { command: cmd as string[], cwd: str(a['tracefork.run.cwd']) };
  }
  return null;
}
