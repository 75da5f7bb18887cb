/**
 * One OTLP span (with its resource, scope and correlated log records) → one Step: generic fields
 * first, then the primary convention adapter, then the GenAI adapters filling what is still null,
 * then code location and cost.
 */
import type { LogRecord, Resource, Scope, Span } from '../otlp/types';
import { anyValueToJs, attrsToObject, nanosDiffMs, nanosToIso } from '../otlp/values';
import { fillersFor, primaryAdapter } from '../adapters/index';
import type { Adapter, AdapterInput, Attrs } from '../adapters/types';
import { firstStr, str } from '../adapters/parse';
import { codeLocation } from './codeLocation';
import { costUsd, loadPrices, type PriceTable } from './cost';
import type { Step, StepEvent } from './step';

const EPOCH_ISO = new Date(0).toISOString();

/** Fields a filler adapter may set when the primary one left them null. */
const FILLABLE = [
  'model',
  'provider',
  'input',
  'output',
  'inputTokens',
  'outputTokens',
  'toolName',
  'toolCallId',
  'agentName',
  'finishReason',
  'sessionId',
  'error',
] as const satisfies ReadonlyArray<keyof Step>;

function nanos(v: string | undefined): bigint {
  try {
    return v ? BigInt(v) : 0n;
  } catch {
    return 0n;
  }
}

function iso(v: string | undefined): string {
  return nanos(v) > 0n ? (nanosToIso(v) ?? EPOCH_ISO) : EPOCH_ISO;
}

/** Span events and log records as StepEvents, oldest first (stable for equal times). */
function toEvents(span: Span, logs: LogRecord[]): StepEvent[] {
  const timed: Array<{ at: bigint; event: StepEvent }> = [];
  for (const e of span.events ?? []) {
    const event: StepEvent = { name: e.name, time: iso(e.timeUnixNano), attributes: attrsToObject(e.attributes), source: 'span' };
    timed.push({ at: nanos(e.timeUnixNano), event });
  }
  for (const log of logs) {
    const t = nanos(log.timeUnixNano) > 0n ? log.timeUnixNano : log.observedTimeUnixNano;
    const attributes = attrsToObject(log.attributes);
    const name = log.eventName || str(attributes['event.name']) || 'log';
    const event: StepEvent = { name, time: iso(t), attributes, body: anyValueToJs(log.body), source: 'log' };
    timed.push({ at: nanos(t), event });
  }
  return timed.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).map((t) => t.event);
}

/** The error text for an errored span: status message, else the exception event, else `error.type`. */
function errorOf(span: Span, attrs: Attrs, events: StepEvent[]): string | null {
  const message = str(span.status?.message);
  if (message) return message;
  const ex = events.find((e) => e.name === 'exception')?.attributes ?? attrs;
  const type = str(ex['exception.type']);
  const exMessage = str(ex['exception.message']);
  if (type && exMessage) return `${type}: ${exMessage}`;
  return type ?? exMessage ?? firstStr(attrs, 'error.type');
}

function genericStep(span: Span, attrs: Attrs, events: StepEvent[]): Step {
  const code = span.status?.code;
  const status = code === 1 ? 'ok' : code === 2 ? 'error' : 'unset';
  let durationMs = 0;
  try {
    durationMs = nanosDiffMs(span.startTimeUnixNano, span.endTimeUnixNano);
  } catch {
    durationMs = 0;
  }
  const error = status === 'error' ? errorOf(span, attrs, events) : null;
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId || null,
    name: span.name,
    kind: 'other',
    convention: 'none',
    model: null,
    provider: null,
    input: null,
    output: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    startTime: iso(span.startTimeUnixNano),
    durationMs,
    status,
    error,
    code: null,
    scores: [],
    sessionId: null,
    toolName: null,
    toolCallId: null,
    agentName: null,
    finishReason: null,
    rollupTokens: null,
    depth: 0,
    attributes: attrs,
    events,
  };
}

function copyField<K extends keyof Step>(to: Step, from: Step, key: K): void {
  to[key] = from[key];
}

/** Runs `adapter` on a copy of the generic step and keeps only what `step` still lacks. */
function fillFrom(step: Step, base: Step, adapter: Adapter, input: AdapterInput): void {
  const scratch: Step = { ...base };
  adapter.apply(input, scratch);
  if (step.kind === 'other') step.kind = scratch.kind;
  for (const key of FILLABLE) {
    if (step.rollupTokens && (key === 'inputTokens' || key === 'outputTokens')) continue;
    if (step[key] === null && scratch[key] !== null) copyField(step, scratch, key);
  }
}

/** Normalises one span into a Step; `prices` (a whole table or overrides) is merged over the built-in one. */
export function toStep(input: { span: Span; resource?: Resource; scope?: Scope; logs?: LogRecord[] }, prices?: PriceTable): Step {
  const attrs = attrsToObject(input.span.attributes);
  const events = toEvents(input.span, input.logs ?? []);
  const base = genericStep(input.span, attrs, events);
  const step: Step = { ...base };
  const adapterInput: AdapterInput = {
    span: input.span,
    attrs,
    events,
    resource: attrsToObject(input.resource?.attributes),
    scopeName: input.scope?.name ?? '',
  };
  const primary = primaryAdapter(adapterInput);
  if (primary) {
    step.convention = primary.convention;
    primary.apply(adapterInput, step);
    for (const filler of fillersFor(adapterInput, primary)) fillFrom(step, base, filler, adapterInput);
  }
  step.sessionId ??= firstStr(attrs, 'session.id', 'gen_ai.conversation.id', 'langfuse.session.id');
  step.code = codeLocation(attrs, events);
  step.costUsd = costUsd(step.model, step.inputTokens, step.outputTokens, loadPrices(prices));
  return step;
}
