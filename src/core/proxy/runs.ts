/**
 * The runs of the record/replay proxies (model APIs and MCP tools). A run is a trace: one made
 * by `tracefork run` (a token in the base URL's path, with a replay plan when it is a fork), one a
 * W3C `traceparent` header names, or — for calls with neither — the calls that follow each other
 * with less than `idleMs` between them. Each call is keyed and decided as sdk/REPLAY.md says
 * (the SDK's own Replayer), and becomes a span fed to the store like any received span.
 */
import { randomBytes } from 'node:crypto';
import type { IngestSink } from '../receiver/ingest';
import type { KeyValue, Span, TracesData } from '../otlp/types';
import { jsToAnyValue } from '../otlp/values';
import { maskDeep, maskSecrets } from '../view/maskSecrets';
import { ATTR, type ReplayPlan } from '../../../sdk/src/contract';
import { encodeChecked, inputHash } from '../../../sdk/src/contract';
import { Replayer, type Decision } from '../../../sdk/src/replay/replayer';

type Obj = Record<string, unknown>;

/** What starts an explicit run (`tracefork run`, *Run Agent with Tracefork…*, a replay). */
export interface RunInit {
  /** The run's name (the root span's), e.g. the command line. */
  name?: string;
  /** The agent's command, recorded on the root span (so a replay knows how to start it again). */
  command?: string[];
  cwd?: string;
  /** Set for a replay: the plan the proxy follows. */
  plan?: ReplayPlan | null;
}

/** What an ended run did. */
export interface RunSummary {
  token: string;
  traceId: string;
  /** Every trace its calls landed in (more than one only when calls carried other traceparents). */
  traceIds: string[];
  calls: number;
  counts: { recording: number; fork: number; live: number };
  divergences: string[];
}

/** Which run a call belongs to, as the request says. */
export interface CallRef {
  token?: string | null;
  traceparent?: string | null;
}

/** One call to record. */
export interface CallSpec {
  op: 'llm' | 'tool';
  name: string;
  /** `tracefork.step.adapter`: `proxy` for model calls, `mcp` for tool calls. */
  adapter: string;
  /** The request as data (hashed, recorded, edited in a fork). */
  input: unknown;
  spanName: string;
  /** Span attributes known before the answer. */
  attributes: Obj;
}

/** How a call ended. */
export interface CallEnd {
  /** The recordable output (absent when the call failed without one). */
  output?: unknown;
  /** The error, when the call failed. */
  error?: { name: string; message: string; [k: string]: unknown };
  /** Attributes known once the answer is in (usage, output messages…). */
  attributes?: Obj;
  /** Marks the span failed without an `error` (an HTTP error answer, a broken stream: served back as they were). */
  failed?: string;
}

interface RunState {
  token: string;
  traceId: string;
  /** The root span (explicit runs) or the traceparent's span: the parent of every call. */
  parentSpanId: string | null;
  explicit: boolean;
  init: RunInit;
  startNs: bigint;
  replayer: Replayer | null;
  occurrences: Map<string, number>;
  traceIds: Set<string>;
  calls: number;
  open: number;
  lastActivity: number;
  divergences: string[];
}

/** Options of the registry. */
export interface ProxyRunsOptions {
  /** Calls without a token or traceparent more than this apart start a new run (default 30 s). */
  idleMs?: number;
  /** Told about divergences and failures to store. */
  onLog?: (line: string) => void;
  /** The `service.name` of proxied spans (default `tracefork-proxy`). */
  serviceName?: string;
}

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}/;
const MAX_RUNS = 1000;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const nowNs = () => BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor((performance.now() % 1) * 1e6));

function attrs(o: Obj): KeyValue[] {
  return Object.entries(o)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([key, v]) => ({ key, value: jsToAnyValue(v) }));
}

/** Whether a string is a usable run token. */
export const isToken = (s: string): boolean => TOKEN.test(s);

/** The runs the proxies are recording, and the spans they emit. */
export class ProxyRuns {
  private readonly runs = new Map<string, RunState>();
  private readonly pending: Buffer[] = [];
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: IngestSink,
    private readonly opts: ProxyRunsOptions = {},
  ) {}

  /** Starts an explicit run; its token goes in the agent's base URLs. */
  create(init: RunInit = {}): { token: string; traceId: string; spanId: string } {
    this.prune();
    // A command line may carry a key (OPENAI_API_KEY=sk-… python agent.py): never stored unmasked.
    init = { ...init, name: init.name && maskSecrets(init.name), command: init.command && maskDeep(init.command) };
    const token = hex(12);
    const state = this.newState(token, true, init);
    return { token, traceId: state.traceId, spanId: state.parentSpanId! };
  }

  /** Whether an explicit run with this token is open. */
  has(token: string): boolean {
    return this.runs.get(token)?.explicit === true;
  }

  /** The plan a run follows (the MCP proxy in another process asks), or null. */
  plan(token: string): ReplayPlan | null {
    return this.runs.get(token)?.init.plan ?? null;
  }

  /** Ends an explicit run: its root span is stored, and what it did is returned. */
  end(token: string, exitCode: number | null = null): RunSummary | null {
    const s = this.runs.get(token);
    if (!s || !s.explicit) return null;
    this.runs.delete(token);
    s.replayer?.reportUnreached();
    const a: Obj = {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': s.init.name || 'agent run',
      'tracefork.run.command': s.init.command?.length ? JSON.stringify(s.init.command) : undefined,
      'tracefork.run.cwd': s.init.cwd,
      'tracefork.run.calls': s.calls,
      'process.exit.code': exitCode ?? undefined,
      ...this.replayAttrs(s),
    };
    const plan = s.init.plan;
    const span: Span = {
      traceId: s.traceId,
      spanId: s.parentSpanId!,
      name: s.init.name || 'agent run',
      kind: 1,
      startTimeUnixNano: String(s.startNs),
      endTimeUnixNano: String(nowNs()),
      attributes: attrs(a),
      status: exitCode ? { code: 2, message: `the agent exited with code ${exitCode}` } : { code: 0 },
      links: plan?.original.forkSpanId
        ? [{ traceId: plan.original.traceId, spanId: plan.original.forkSpanId, attributes: attrs({ 'tracefork.link.type': 'forked_from' }) }]
        : undefined,
    };
    this.emit(span);
    return this.summary(s);
  }

  /** What a run has done so far (explicit runs), or null. */
  status(token: string): RunSummary | null {
    const s = this.runs.get(token);
    return s ? this.summary(s) : null;
  }

  private summary(s: RunState): RunSummary {
    const traceIds = [...s.traceIds];
    return {
      token: s.token,
      traceId: s.traceIds.has(s.traceId) || !traceIds.length ? s.traceId : traceIds[0]!,
      traceIds: traceIds.length ? traceIds : [s.traceId],
      calls: s.calls,
      counts: s.replayer ? { ...s.replayer.counts } : { recording: 0, fork: 0, live: s.calls },
      divergences: [...s.divergences],
    };
  }

  /**
   * The token of the one explicit run open now, if exactly one is: where a tool call from
   * `tracefork mcp-proxy` goes when the MCP client did not pass TRACEFORK_RUN on to it (MCP
   * clients start servers with a trimmed environment).
   */
  soleRun(): string | null {
    let found: string | null = null;
    for (const s of this.runs.values()) {
      if (!s.explicit) continue;
      if (found) return null;
      found = s.token;
    }
    return found;
  }

  /** Keys and decides one call; its span is stored when it ends. */
  begin(ref: CallRef, spec: CallSpec): ProxyCall {
    const tp = ref.traceparent ? TRACEPARENT.exec(ref.traceparent.trim().toLowerCase()) : null;
    const validTp = tp && !/^0+$/.test(tp[1]!) && !/^0+$/.test(tp[2]!) ? { traceId: tp[1]!, spanId: tp[2]! } : null;
    const state = this.stateFor(ref.token && isToken(ref.token) ? ref.token : null, validTp);
    const occ = `${spec.op}:${spec.name}`;
    const n = state.occurrences.get(occ) ?? 0;
    state.occurrences.set(occ, n + 1);
    const key = `/${occ}#${n}`;
    const decision: Decision = state.replayer ? state.replayer.decide(spec.op, spec.name, key, spec.input) : { kind: 'record' };
    state.calls++;
    state.open++;
    state.lastActivity = Date.now();
    const traceId = validTp?.traceId ?? state.traceId;
    state.traceIds.add(traceId);
    return new ProxyCall(this, state, spec, key, decision, traceId, validTp?.spanId ?? state.parentSpanId);
  }

  /** @internal ProxyCall's end. */
  finishCall(call: ProxyCall, state: RunState, span: Span): void {
    state.open--;
    state.lastActivity = Date.now();
    span.attributes!.push(...attrs(this.replayAttrs(state)));
    this.emit(span);
  }

  private replayAttrs(s: RunState): Obj {
    const plan = s.init.plan;
    return plan ? { [ATTR.originalTrace]: plan.original.traceId, [ATTR.forkSpan]: plan.original.forkSpanId ?? undefined, [ATTR.planId]: plan.planId } : {};
  }

  private newState(token: string, explicit: boolean, init: RunInit, traceId = hex(16), parentSpanId: string | null = explicit ? hex(8) : null): RunState {
    const divergences: string[] = [];
    const state: RunState = {
      token,
      traceId,
      parentSpanId,
      explicit,
      init,
      startNs: nowNs(),
      replayer: init.plan
        ? new Replayer(init.plan, (line) => {
            divergences.push(line.replace(/^\[tracefork\] replay: /, ''));
            this.opts.onLog?.(line);
          })
        : null,
      occurrences: new Map(),
      traceIds: new Set(),
      calls: 0,
      open: 0,
      lastActivity: Date.now(),
      divergences,
    };
    this.runs.set(token, state);
    return state;
  }

  /** The run of a call: its explicit run, its traceparent's trace, or the current implicit run. */
  private stateFor(token: string | null, tp: { traceId: string; spanId: string } | null): RunState {
    const idle = this.opts.idleMs ?? 30_000;
    if (token) {
      const s = this.runs.get(token);
      if (s && (s.explicit || s.open > 0 || Date.now() - s.lastActivity < idle)) return s;
      this.prune();
      return this.newState(token, false, {}); // a token nobody registered (a hand-set base URL): grouped as idle-separated runs
    }
    if (tp) {
      const k = `tp:${tp.traceId}`;
      return this.runs.get(k) ?? (this.prune(), this.newState(k, false, {}, tp.traceId, null));
    }
    const s = this.runs.get('');
    if (s && (s.open > 0 || Date.now() - s.lastActivity < idle)) return s;
    this.prune();
    return this.newState('', false, {});
  }

  /** Forgets implicit runs that went idle, and the oldest beyond MAX_RUNS. */
  private prune(): void {
    const idle = this.opts.idleMs ?? 30_000;
    for (const [k, s] of this.runs) if (!s.explicit && s.open === 0 && Date.now() - s.lastActivity > Math.max(idle, 600_000)) this.runs.delete(k);
    while (this.runs.size >= MAX_RUNS) this.runs.delete(this.runs.keys().next().value!);
  }

  /** Stores a span (retrying while the store cannot write, so nothing recorded is lost). */
  private emit(span: Span): void {
    const doc: TracesData = {
      resourceSpans: [
        {
          resource: { attributes: attrs({ 'service.name': this.opts.serviceName ?? 'tracefork-proxy' }) },
          scopeSpans: [{ scope: { name: 'tracefork-proxy' }, spans: [span] }],
        },
      ],
    };
    this.pending.push(Buffer.from(JSON.stringify(doc)));
    this.flush();
  }

  private flush(): void {
    while (this.pending.length) {
      try {
        this.sink.ingestTraces(this.pending[0]!, 'json');
        this.pending.shift();
      } catch (e) {
        this.opts.onLog?.(`proxy: a recorded call could not be stored yet (${(e as Error).message}); retrying`);
        this.retry ??= setTimeout(() => ((this.retry = undefined), this.flush()), 1000);
        this.retry.unref?.();
        return;
      }
    }
  }
}

/** One call going through a proxy. */
export class ProxyCall {
  private readonly startNs = nowNs();
  private ended = false;

  constructor(
    private readonly runs: ProxyRuns,
    private readonly state: RunState,
    readonly spec: CallSpec,
    readonly key: string,
    readonly decision: Decision,
    readonly traceId: string,
    private readonly parentSpanId: string | null,
    readonly spanId = hex(8),
  ) {}

  /** The input the call runs with: the fork's edited input, else the agent's own. */
  get input(): unknown {
    return this.decision.kind === 'fork' ? this.decision.input : this.spec.input;
  }

  /** Where its answer comes from. */
  get source(): 'record' | 'recording' | 'fork' | 'live' {
    const k = this.decision.kind;
    return k === 'record' ? 'record' : k === 'recording' ? 'recording' : k === 'fork' ? 'fork' : 'live';
  }

  /** Records the call's span (once). */
  end(result: CallEnd): void {
    if (this.ended) return;
    this.ended = true;
    const input = encodeChecked(this.input);
    const a: Obj = {
      ...this.spec.attributes,
      [ATTR.key]: this.key,
      [ATTR.inputHash]: inputHash(this.input, this.spec.op),
      [ATTR.op]: this.spec.op,
      [ATTR.name]: this.spec.name,
      [ATTR.adapter]: this.spec.adapter,
      [ATTR.input]: input.text,
      ...(input.lossy ? { [ATTR.lossy]: true } : {}),
      ...result.attributes,
    };
    if (result.output !== undefined) a[ATTR.output] = encodeChecked(result.output).text;
    if (result.error) a[ATTR.error] = JSON.stringify(result.error);
    if (this.decision.kind !== 'record') a[ATTR.source] = this.source;
    if (this.decision.kind === 'diverged') a[ATTR.divergence] = this.decision.report;
    const span: Span = {
      traceId: this.traceId,
      spanId: this.spanId,
      parentSpanId: this.parentSpanId ?? undefined,
      name: this.spec.spanName,
      kind: 3,
      startTimeUnixNano: String(this.startNs),
      endTimeUnixNano: String(nowNs()),
      attributes: attrs(a),
      status: result.error || result.failed ? { code: 2, message: result.error?.message ?? result.failed } : { code: 0 },
    };
    this.runs.finishCall(this, this.state, span);
  }
}
