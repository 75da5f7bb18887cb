/**
 * The SDK's per-process state: step scopes, the replay plan (from TRACEFORK_REPLAY_PLAN) and
 * the one function every adapter goes through, `recordCall`, which keys the call, asks the
 * replayer what to do, runs or serves it, and records input and output on its span.
 */
import { context, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { StepScopes } from './scope';
import { decode, encode, inputHash } from './json';
import { readPlan, Replayer } from './replayer';
import { ATTR, PLAN_ENV } from './format';

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
    current = { scopes: new StepScopes(), replayer: file ? new Replayer(readPlan(file)) : null };
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
export async function recordCall<T>(info: CallInfo, run: (input: unknown) => Promise<T>): Promise<T> {
  const rt = runtime();
  const key = rt.scopes.nextKey(info.op, info.name);
  const decision = rt.replayer ? rt.replayer.decide(info.op, info.name, key, info.input) : { kind: 'record' as const };
  const input = decision.kind === 'fork' ? decision.input : info.input;
  const own = info.ownSpan;
  const span = own ?? trace.getTracer('tracefork-sdk').startSpan(info.spanName ?? `${info.op} ${info.name}`, { attributes: info.spanAttributes });
  span.setAttributes({
    [ATTR.key]: key,
    [ATTR.inputHash]: inputHash(input),
    [ATTR.op]: info.op,
    [ATTR.name]: info.name,
    [ATTR.adapter]: info.adapter,
    [ATTR.input]: clip(encode(input)),
  });
  if (decision.kind !== 'record') span.setAttribute(ATTR.source, decision.kind === 'recording' ? 'recording' : decision.kind === 'fork' ? 'fork' : 'live');
  if (decision.kind === 'diverged') span.setAttribute(ATTR.divergence, decision.report);
  const body = async (): Promise<T> => {
    if (decision.kind === 'recording') {
      const step = decision.step;
      if (step.error) throw Object.assign(new Error(step.error.message), { name: step.error.name });
      return decode(step.output) as T;
    }
    const inner = () => run(input);
    return info.op === 'step' ? rt.scopes.within(key, inner) : inner();
  };
  try {
    const out = await (own ? body() : context.with(trace.setSpan(context.active(), span), body));
    span.setAttribute(ATTR.output, clip(encode(out)));
    if (info.describeOutput) span.setAttributes(info.describeOutput(out));
    return out;
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    span.setAttribute(ATTR.error, JSON.stringify({ name: err.name, message: err.message }));
    if (!own) {
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    }
    throw e;
  } finally {
    if (!own) span.end();
  }
}
