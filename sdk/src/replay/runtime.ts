/**
 * The SDK's per-process state: step scopes, the replay plan (from TRACEFORK_REPLAY_PLAN) and
 * the one function every adapter goes through, `recordCall`, which keys the call, asks the
 * replayer what to do, runs or serves it, and records input and output on its span.
 */
import { context, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { StepScopes } from './scope';
import { decode, encodeChecked, errorRecord, inputHash, reviveError } from '../contract';
import { readPlan, Replayer } from './replayer';
import { ATTR, PLAN_ENV } from '../contract';

/** Process-wide SDK state (one per process, like OpenTelemetry's own globals). */
export interface Runtime {
  scopes: StepScopes;
  replayer: Replayer | null;
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

/** Replaces the runtime (tests; a process that runs several agents in turn). */
export function resetRuntime(replayer: Replayer | null = null): Runtime {
  current = { scopes: new StepScopes(), replayer };
  return current;
}

/** What an adapter knows about one call. */
export interface CallInfo {
  op: 'llm' | 'tool' | 'step';
  name: string;
  adapter: 'ai-sdk' | 'openai' | 'generic';
  /** The call's input as data (what is hashed, recorded and edited in a fork). */
  input: unknown;
  /** The framework's own span for this call when there is one (e.g. `ai.toolCall`); else a span is started. */
  ownSpan?: Span;
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
  const key = rt.scopes.nextKey(info.op, info.name);
  const decision = rt.replayer ? rt.replayer.decide(info.op, info.name, key, info.input) : { kind: 'record' as const };
  const input = decision.kind === 'fork' ? decision.input : info.input;
  const own = info.ownSpan;
  const span = own ?? trace.getTracer('tracefork-sdk').startSpan(info.spanName ?? `${info.op} ${info.name}`, { attributes: info.spanAttributes });
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
    result = await (own ? body() : context.with(trace.setSpan(context.active(), span), body));
  } catch (e) {
    fail(e);
    if (!own) span.end();
    throw e;
  }
  // The output is recorded when it has all passed through (at once, except for streams).
  result.output.then(finish, fail).finally(() => {
    if (!own) span.end();
  });
  return result.value;
}
