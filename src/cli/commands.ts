/** The CLI's commands over the core. Output shapes of --json are a public contract. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_RETENTION, TraceStore } from '../core/store/store';
import { Receiver } from '../core/receiver/server';
import { GrpcReceiver } from '../core/receiver/grpc';
import { LOOPBACK, newStats } from '../core/receiver/ingest';
import { Forwarder, ForwardingSink, parseHeaderSpecs } from '../core/receiver/forward';
import { DecodeError } from '../core/otlp/decode';
import { importOtlpText } from '../core/otlp/file';
import { writeOtlpParts, writePrettyJson } from '../core/otlp/exportJson';
import type { StepStream } from '../core/store/traceStream';
import type { Step } from '../core/model/step';
import { MAX_ON_DEMAND_SPANS } from '../core/eval/live/session';
import { baselineFromStore, evaluateTrace } from '../core/eval/trace';
import { defaultDb, parse, portOption, UsageError } from './args';
import { printSteps, printTraces } from './format';
import { proxyFlags, proxyOptions } from './proxyOptions';
import { ProxyRuns } from '../core/proxy/runs';
import { ProxyRoutes } from '../core/proxy/routes';

const warn = (m: string) => process.stderr.write(`tracefork: warning: ${m}\n`);
const dbOpt = { db: { type: 'string' as const } };

function positive(v: string | undefined, flag: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got "${v}"`);
  return n;
}

/** A failure the user can act on: printed without a stack, exit code 1. */
export class CliError extends Error {}

/** Opens a store read-only, saying what to do when there is none. */
export async function openReader(db: string): Promise<TraceStore> {
  if (!fs.existsSync(`${db}.journal`))
    throw new CliError(`no Tracefork database at ${db}; run \`tracefork serve --db ${db}\` or \`tracefork import FILE --db ${db}\` first`);
  return TraceStore.open(db, { readOnly: true, onWarning: warn });
}

/** `serve`: the OTLP/HTTP and OTLP/gRPC receivers over a store until SIGINT/SIGTERM. */
export async function serve(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      ...dbOpt,
      port: { type: 'string' },
      'grpc-port': { type: 'string' },
      host: { type: 'string' },
      'max-traces': { type: 'string' },
      'max-mb': { type: 'string' },
      forward: { type: 'string' },
      'forward-header': { type: 'string', multiple: true },
      ...proxyFlags,
    },
    { min: 0, max: 0, name: '' },
  );
  const db = values.db ?? defaultDb();
  const retention = {
    maxTraces: positive(values['max-traces'], '--max-traces', DEFAULT_RETENTION.maxTraces),
    maxBytes: positive(values['max-mb'], '--max-mb', DEFAULT_RETENTION.maxBytes / 1024 ** 2) * 1024 ** 2,
  };
  const host = values.host ?? '127.0.0.1';
  const port = portOption(values.port, 4318);
  const grpcPort = portOption(values['grpc-port'], 4317, '--grpc-port');
  const forwarder = makeForwarder(values.forward, values['forward-header'], port);
  const store = await TraceStore.open(db, { onWarning: warn, retention });
  const sink = forwarder ? new ForwardingSink(store, forwarder) : store;
  const stats = newStats();
  const info = () => ({ db: path.resolve(db), workspace: 'tracefork serve' });
  const onRejected = (s: number | string, r: string) => process.stderr.write(`tracefork: refused (${s}): ${r}\n`);
  const proxy = new ProxyRoutes(new ProxyRuns(sink, { onLog: (l) => process.stderr.write(`tracefork: ${l}\n`) }), proxyOptions(values));
  const receiver = new Receiver(sink, { host, port, info, onRejected, stats, onWarning: warn, proxy });
  const grpcReceiver = grpcPort === 0 ? null : new GrpcReceiver(sink, { host, port: grpcPort, info, onRejected, stats, onWarning: warn });
  const closeAll = async () => {
    await Promise.all([receiver.close(), grpcReceiver?.close()]);
    await forwarder?.close();
    store.close();
  };
  try {
    await receiver.listen();
  } catch (e) {
    await closeAll();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new CliError(`port ${port} is already in use; pass --port to choose another (0 picks a free one)`);
    throw e;
  }
  let grpcUp = false;
  try {
    if (grpcReceiver) grpcUp = !!(await grpcReceiver.listen());
  } catch (e) {
    const taken = (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
    // The default gRPC port being taken (a collector, another Tracefork) must not stop OTLP/HTTP; an explicit one must.
    if (values['grpc-port'] !== undefined || !taken) {
      await closeAll();
      throw new CliError(taken ? `gRPC port ${grpcPort} is already in use; pass --grpc-port to choose another (0 turns gRPC off)` : (e as Error).message);
    }
    warn(`OTLP/gRPC is off: port ${grpcPort} is already in use (pass --grpc-port to choose another); OTLP/HTTP still receives`);
  }
  // The signal handlers go in before the lines that say it is ready: a supervisor may stop it at once.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  if (grpcUp && grpcReceiver) process.stdout.write(`tracefork: listening on ${grpcReceiver.url}\n`);
  process.stdout.write(`tracefork: listening on ${receiver.url} (database ${db})\n`);
  await stopped;
  await closeAll();
  const fwd = forwarder
    ? `; forwarded ${forwarder.stats.sent} request(s) to ${values.forward}${forwarder.stats.dropped ? `, ${forwarder.stats.dropped} dropped upstream` : ''}`
    : '';
  process.stdout.write(`tracefork: stopped; ${stats.spans} spans received${fwd}\n`);
  return 0;
}

/** `--forward URL [--forward-header K=V]...`: the forwarder, or null; says what is wrong with the URL or a header. */
function makeForwarder(url: string | undefined, headerSpecs: string[] | undefined, port: number): Forwarder | null {
  if (url === undefined) {
    if (headerSpecs?.length) throw new UsageError('--forward-header needs --forward URL');
    return null;
  }
  let headers: Record<string, string>;
  let forwarder: Forwarder;
  try {
    headers = parseHeaderSpecs(headerSpecs ?? []);
    forwarder = new Forwarder({
      url,
      headers,
      onEvent: (e) => {
        if (e.kind === 'dropped') warn(`forward: ${e.count} request(s) dropped upstream: ${e.reason}`);
        else if (e.kind === 'failing') warn(`forward: ${e.reason}; retrying (requests are queued, local ingest goes on)`);
        else warn(`forward: the upstream ${url} is reachable again`);
      },
    });
  } catch (e) {
    throw new UsageError(`--forward: ${(e as Error).message}`);
  }
  const u = new URL(url);
  if (LOOPBACK.has(u.hostname) && Number(u.port || (u.protocol === 'https:' ? 443 : 80)) === port && port !== 0)
    throw new UsageError(`--forward ${url} is this receiver itself (port ${port}); forward to another endpoint`);
  return forwarder;
}

/** `import FILE...`: OTLP/JSON traces and logs (one request, or one per line) into the store. */
export async function importFiles(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, dbOpt, { min: 1, max: Infinity, name: 'FILE to import' });
  for (const file of positionals) if (!fs.existsSync(file)) throw new CliError(`no such file: ${file}`);
  const store = await TraceStore.open(values.db ?? defaultDb(), { onWarning: warn });
  try {
    for (const file of positionals) {
      let n;
      try {
        n = importOtlpText(store, fs.readFileSync(file, 'utf8'));
      } catch (e) {
        if (e instanceof DecodeError) throw new CliError(`${file} is not OTLP/JSON: ${e.message}`);
        throw e;
      }
      process.stdout.write(`${file}: ${n.spans} spans, ${n.logs} log records imported${n.rejected ? `, ${n.rejected} rejected` : ''}\n`);
    }
    return 0;
  } finally {
    store.close();
  }
}

/** `list`: the traces, newest first. */
export async function list(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...dbOpt, json: { type: 'boolean' } }, { min: 0, max: 0, name: '' });
  const store = await openReader(values.db ?? defaultDb());
  try {
    const traces = store.list();
    if (values.json) process.stdout.write(JSON.stringify(traces, null, 2) + '\n');
    else printTraces(traces);
    return 0;
  } finally {
    store.close();
  }
}

async function withTrace<T>(
  argv: string[],
  extra: Record<string, { type: 'boolean' }>,
  fn: (store: TraceStore, id: string, flags: Record<string, unknown>) => T,
) {
  const { values, positionals } = parse(argv, { ...dbOpt, ...extra }, { min: 1, max: 1, name: 'TRACE_ID' });
  const store = await openReader(values.db ?? defaultDb());
  try {
    return fn(store, positionals[0], values);
  } finally {
    store.close();
  }
}

/** The trace, or a CliError naming where to find ids. */
export function getTrace(store: TraceStore, id: string) {
  const trace = store.get(id);
  if (!trace) throw noTrace(store, id);
  return trace;
}

const noTrace = (store: TraceStore, id: string) => new CliError(`no trace ${id} in ${store.dbPath}; \`tracefork list\` shows the trace ids`);

/** `show TRACE_ID`: the trace as steps in tree pre-order. */
export async function show(argv: string[]): Promise<number> {
  return withTrace(argv, { json: { type: 'boolean' } }, (store, id, flags) => {
    const located = store.locate([id]).traces[0];
    if (!located) throw noTrace(store, id);
    // A run too big to hold every step at once (what the evaluators need) is written step by step,
    // with the agent's own scores only: the trace panel shows it so too.
    const big = located.spanCount > MAX_ON_DEMAND_SPANS;
    let steps: Step[] | StepStream;
    if (big) {
      steps = store.stepStream(id)!;
      warn(
        `run ${located.traceId} has ${steps.count} steps, over ${MAX_ON_DEMAND_SPANS}: shown with the agent's own scores only (the built-in evaluators hold every step at once)`,
      );
    } else {
      // Steps carry their evaluator scores; latency/cost are judged against the earlier runs in this store.
      const trace = getTrace(store, id);
      steps = evaluateTrace(trace, { baseline: baselineFromStore(store, { beforeTraceId: trace.traceId, maxTraces: 50 }) }).steps;
    }
    // Written step by step: a big run's JSON is never one string (V8 caps strings at ~512 MB).
    if (flags.json) {
      writePrettyJson({ traceId: located.traceId }, 'steps', steps, (chunk) => process.stdout.write(chunk));
      process.stdout.write('\n');
    } else printSteps(located.traceId, steps);
    return 0;
  });
}

/** `export TRACE_ID`: OTLP/JSON on stdout, credentials masked unless `--unmasked`; read record by record, never the whole run at once. */
export async function exportTrace(argv: string[]): Promise<number> {
  return withTrace(argv, { unmasked: { type: 'boolean' } }, (store, id, flags) => {
    const parts = store.otlpParts(id);
    if (!parts) throw noTrace(store, id);
    writeOtlpParts(parts, (chunk) => process.stdout.write(chunk), { unmasked: !!flags.unmasked });
    process.stdout.write('\n');
    return 0;
  });
}

export { UsageError };
