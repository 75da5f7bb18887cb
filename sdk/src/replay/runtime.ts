/**
 * The SDK's per-process state: step scopes, the replay plan (from TRACEFORK_REPLAY_PLAN) and
 * the one function every adapter goes through, `recordCall`, which keys the call, asks the
 * replayer what to do, runs or serves it, and records input and output on its span.
 */
import { context, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { StepScopes } from './scope';
import { decode, encodeChecked, errorRecord, inputHash, reviveError, type Frame } from '../contract';
import { readPlan, Replayer } from './replayer';
import { ATTR, PLAN_ENV } from '../contract';
import { attributesOf, SDK_TRACER, type FrameworkSpans, type RunGroup } from './framework';
import { inheritedLocation, locationAttributes } from '../callSite';

/** Process-wide SDK state (one per process, like OpenTelemetry's own globals). */
export interface Runtime {
  scopes: StepScopes;
  replayer: Replayer | null;
  /** Open spans of other instrumentations, when register() installed the processor that tracks them. */
  framework?: FrameworkSpans | null;
  /** The run span that calls outside any span join, when register() groups them. */
  group?: RunGroup | null;
}

let current: Runtime | undefined;

/** The runtime, created on first use; reads the plan named by TRACEFORK_REPLAY_PLAN once. */
export function runtime(): Runtime {
  if (!current) {
    const file = process.env[PLAN_ENV];
    const replayer = file ? new Replayer(readPlan(file)) : null;
    if (replayer) process.once('exit', () => replayer.reportUnreached());
    current = { scopes: new StepScopes(), replayer };
  }
  return current;
}

/** Replaces the runtime (tests; a process that runs several agents in turn); keeps register()'s span tracking and run grouping. */
export function resetRuntime(replayer: Replayer | null = null): Runtime {
  current?.group?.close();
  current = { scopes: new StepScopes(), replayer, framework: current?.framework, group: current?.group };
  return current;
}

/** What an adapter knows about one call. */
export interface CallInfo {
  op: 'llm' | 'tool' | 'step';
  name: string;
  adapter: 'ai-sdk' | 'openai' | 'generic' | 'mcp-client';
  /** The call's input as data (what is hashed, recorded and edited in a fork). */
  input: unknown;
  /** The framework's own span for this call when there is one (e.g. `ai.toolCall`); else a span is started. */
  ownSpan?: Span;
  /**
   * True for a span that already describes this very call (an instrumentation's LLM or tool span):
   * the call is recorded on it instead of a nested span of its own, so one call stays one step.
   * Tried on the active span, then on the open spans of other instrumentations (FrameworkSpans).
   */
  adopt?: (span: Span) => boolean;
  /** Where the wrapped function was wrapped (`tool()`), used when no frame of the agent's code is on the call's stack. */
  defSite?: Frame | null;
  /** Name and attributes of the span started when there is no own span. */
  spanName?: string;
  spanAttributes?: Attributes;
  /** Extra attributes once the output is known (e.g. gen_ai.* from the response). */
  describeOutput?: (output: unknown) => Attributes;
}

const MAX_ATTR = 4 * 1024 * 1024;

function clip(s: string): string {
  return s.length > MAX_ATTR ? s.slice(0, MAX_ATTR) : s;
}

/** The active span if it is recording and named as the framework names this call's span. */
export function activeSpanNamed(test: (name: string) => boolean): Span | undefined {
  const span = trace.getActiveSpan();
  const name = (span as unknown as { name?: unknown } | undefined)?.name;
  return span && span.isRecording() && typeof name === 'string' && test(name) ? span : undefined;
}

/** Runs one call through record/replay; `run` performs it live with the given (maybe edited) input. */
export function recordCall<T>(info: CallInfo, run: (input: unknown) => Promise<T>): Promise<T> {
  return callThrough<T>(
    info,
    async (input) => {
      const value = await run(input);
      return { value, output: Promise.resolve(value) };
    },
    (output) => output as T,
  );
}

/**
 * The general form, for results that finish after they are returned (streams): `live` returns
 * the value at once and its recordable output when it has all passed through; `serve` builds
 * the value back from a recorded output.
 */
export async function callThrough<T>(
  info: CallInfo,
  live: (input: unknown) => Promise<{ value: T; output: Promise<unknown> }>,
  serve: (output: unknown) => T,
): Promise<T> {
  const rt = runtime();
  const place = placeCall(info, rt);
  const own = place.owner;
  const anchor = own ?? place.parent ?? trace.getActiveSpan();
  const key = rt.scopes.nextKey(info.op, info.name, anchor?.spanContext().traceId);
  const decision = rt.replayer ? rt.replayer.decide(info.op, info.name, key, info.input) : { kind: 'record' as const };
  const input = decision.kind === 'fork' ? decision.input : info.input;
  const parentContext = place.parent ? trace.setSpan(context.active(), place.parent) : context.active();
  const span = own ?? trace.getTracer(SDK_TRACER).startSpan(info.spanName ?? `${info.op} ${info.name}`, { attributes: info.spanAttributes }, parentContext);
  if (own && place.adopted && info.spanAttributes) {
    const have = attributesOf(own);
    for (const [k, v] of Object.entries(info.spanAttributes)) if (have[k] === undefined && v !== undefined) own.setAttribute(k, v);
  }
  // When the call's stack showed no frame of the agent: a tool points at the line that wrapped it
  // (what ran is there) rather than at an enclosing span's; a model call with no location at all at
  // the line that gave the framework the recorded client (traceforkFetch(), traceforkMiddleware()).
  const located = attributesOf(span)['code.file.path'] !== undefined;
  if (info.defSite && (!located || (info.op === 'tool' && inheritedLocation(span)))) span.setAttributes(locationAttributes(info.defSite));
  let left = false;
  const leaveGroup = () => {
    if (place.grouped && !left) {
      left = true;
      rt.group?.leave();
    }
  };
  const recordedInput = encodeChecked(input);
  span.setAttributes({
    [ATTR.key]: key,
    [ATTR.inputHash]: inputHash(input, info.op),
    [ATTR.op]: info.op,
    [ATTR.name]: info.name,
    [ATTR.adapter]: info.adapter,
    [ATTR.input]: clip(recordedInput.text),
  });
  if (recordedInput.lossy || recordedInput.text.length > MAX_ATTR) span.setAttribute(ATTR.lossy, true);
  if (decision.kind !== 'record') span.setAttribute(ATTR.source, decision.kind === 'recording' ? 'recording' : decision.kind === 'fork' ? 'fork' : 'live');
  if (decision.kind === 'diverged') span.setAttribute(ATTR.divergence, decision.report);
  const fail = (e: unknown) => {
    const rec = errorRecord(e);
    span.setAttribute(ATTR.error, JSON.stringify(rec));
    if (!own) {
      const err = e instanceof Error ? e : new Error(String(e));
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    }
  };
  const finish = (output: unknown) => {
    const out = encodeChecked(output);
    span.setAttribute(ATTR.output, clip(out.text));
    if (out.lossy || out.text.length > MAX_ATTR) span.setAttribute(ATTR.lossy, true);
    if (info.describeOutput) span.setAttributes(info.describeOutput(output));
  };
  const body = async (): Promise<{ value: T; output: Promise<unknown> }> => {
    if (decision.kind === 'recording') {
      const step = decision.step;
      if (step.error) throw reviveError(step.error);
      const output = decode(step.output);
      return { value: serve(output), output: Promise.resolve(output) };
    }
    // A tool or step is the parent of the calls made inside it (a tool running a sub-agent), so
    // serving it from the recording leaves the keys of the calls after it unchanged. A model call
    // is not: the tools a streamed answer triggers run inside its stream, yet are its siblings.
    return info.op === 'llm' ? live(input) : rt.scopes.within(key, () => live(input));
  };
  let result: { value: T; output: Promise<unknown> };
  try {
    result = await (own ? body() : context.with(trace.setSpan(parentContext, span), body));
  } catch (e) {
    fail(e);
    if (!own) span.end();
    leaveGroup();
    throw e;
  }
  // The output is recorded when it has all passed through (at once, except for streams).
  result.output
    .then(finish, fail)
    .finally(() => {
      if (!own) span.end();
      leaveGroup();
    })
    .catch(() => undefined);
  return result.value;
}

/**
 * Where a call's span goes: recorded on a span that already describes the call (`owner`: the
 * framework's own span, the active span, or an open span of another instrumentation that was not
 * made current), else started under `parent` when nothing is active (the newest open framework
 * span, so the call joins the framework's trace; else the run span register() groups calls in),
 * else under the active span.
 */
function placeCall(info: CallInfo, rt: Runtime): { owner?: Span; adopted?: boolean; parent?: Span; grouped?: boolean } {
  if (info.ownSpan) return { owner: info.ownSpan };
  const active = trace.getActiveSpan();
  const adopt = info.adopt;
  const fits = (s: Span) => adopt !== undefined && s.isRecording() && attributesOf(s)[ATTR.key] === undefined && adopt(s);
  if (active && fits(active)) return { owner: active, adopted: true };
  const owner = rt.framework?.find(fits, active?.spanContext().traceId);
  if (owner) return { owner, adopted: true };
  if (active?.isRecording()) return {};
  const inner = rt.framework?.innermost();
  if (inner) return { parent: inner };
  // A top-level step is a run of its own, except when the whole process is one run (auto).
  const group = rt.group && (info.op !== 'step' || !Number.isFinite(rt.group.idleMs)) ? rt.group : null;
  return group ? { parent: group.enter(), grouped: true } : {};
}
