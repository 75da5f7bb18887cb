/**
 * Entry of the receiver worker thread (bundled as dist/receiverWorker.js): the OTLP/HTTP and
 * OTLP/gRPC receivers, the proxies, forwarding and the writing TraceStore of the extension, off
 * the extension host's thread, so decoding, journaling and indexing under load never delay the
 * UI. The host reads the store through synchronous calls (serveSync) and the journal file itself.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Receiver } from '../server';
import { GrpcReceiver } from '../grpc';
import { IngestTurns, newStats, type IngestSink } from '../ingest';
import { Forwarder, ForwardingSink } from '../forward';
import { TraceStore } from '../../store/store';
import { ProxyRuns } from '../../proxy/runs';
import { ProxyRoutes } from '../../proxy/routes';
import type { BodyEncoding } from '../../otlp/decode';
import { carryError, serveSync, type SyncEnd } from './syncChannel';
import type { WorkerCall, WorkerMessage } from './protocol';
import { profileFromEnv } from '../../profile';

const post = (m: WorkerMessage) => parentPort!.postMessage(m);
profileFromEnv('receiver-worker');

let store: TraceStore | undefined;
let forwarder: Forwarder | undefined;
let sink: IngestSink | undefined;
let http: Receiver | undefined;
let grpc: GrpcReceiver | undefined;
const stats = newStats();
/** One queue of bulk bodies for both receivers: small requests of either go first. */
const turns = new IngestTurns();

// Change events, coalesced: the host re-reads what it shows per event, not per indexing slice.
// The first change after a quiet spell goes out at once (a live run shows without waiting); the
// ones after it within CHANGE_COALESCE_MS go out together at its end.
const CHANGE_COALESCE_MS = 30;
let changed = new Set<string>();
/** An event with no ids (a Clear) means every trace changed; it wins over the ids coalesced with it. */
let everything = false;
let changeTimer: NodeJS.Timeout | undefined;
let lastChangePost = 0;
function postChanges(): void {
  const ids = everything ? [] : [...changed];
  changed = new Set();
  everything = false;
  lastChangePost = Date.now();
  post({ type: 'changed', ids });
}
function onChanged(ids: string[]): void {
  if (!ids.length) everything = true;
  for (const id of ids) changed.add(id);
  if (changeTimer) return;
  const wait = lastChangePost + CHANGE_COALESCE_MS - Date.now();
  if (wait <= 0) return postChanges();
  changeTimer = setTimeout(() => {
    changeTimer = undefined;
    postChanges();
  }, wait);
}

// Forwarding counters, sent when they change (the status bar and the tests read them).
let lastStats = '';
const statsTimer = setInterval(() => {
  if (!forwarder) return;
  const now = JSON.stringify(forwarder.stats);
  if (now === lastStats) return;
  lastStats = now;
  post({ type: 'forward', event: null, stats: { ...forwarder.stats } });
}, 250);
statsTimer.unref();

function need(): TraceStore {
  if (!store) throw new Error('the store is not open');
  return store;
}

const u8 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** A store call from the host, synchronous (serveSync) or not (`query`). */
function query(op: string, args: unknown[]): unknown {
  const s = need();
  switch (op) {
    case 'list':
      return s.list(args[0] as number | undefined);
    case 'counts':
      return s.counts();
    case 'recent':
      return s.recent(args[0] as number);
    case 'locate':
      return s.locate(args[0] as string[]);
    case 'logOffsets':
      return s.logOffsets(args[0] as string);
    case 'delete':
      return s.delete(args[0] as string[]);
    case 'clear':
      return s.clear();
    case 'flush':
      return s.flush();
    case 'stats':
      return s.stats();
    case 'ingestTraces':
      return (sink ?? s).ingestTraces(u8(args[0] as Uint8Array), args[1] as BodyEncoding);
    case 'ingestLogs':
      return (sink ?? s).ingestLogs(u8(args[0] as Uint8Array), args[1] as BodyEncoding);
    default:
      throw new Error(`unknown store call "${op}"`);
  }
}

serveSync((workerData as { sync: SyncEnd }).sync, query);

async function handle(req: WorkerCall): Promise<unknown> {
  switch (req.op) {
    case 'open':
      store = await TraceStore.open(req.db, { retention: req.retention, indexOnRead: false, onWarning: (message) => post({ type: 'storeWarning', message }) });
      store.onDidChange(onChanged);
      sink = store;
      return null;
    case 'setRetention':
      return need().setRetention(req.retention);
    case 'forward':
      forwarder = new Forwarder({
        url: req.url,
        headers: req.headers,
        maxQueueBytes: req.maxQueueBytes,
        onEvent: (event) => post({ type: 'forward', event, stats: { ...forwarder!.stats } }),
      });
      sink = new ForwardingSink(need(), forwarder);
      return { ...forwarder.stats };
    case 'listenHttp': {
      const log = (line: string) => post({ type: 'log', line: line.startsWith('[tracefork]') ? line : `proxy: ${line}` });
      const s = sink ?? need();
      const proxy = new ProxyRoutes(new ProxyRuns(s, { onLog: log }), { ...req.proxy, onLog: log });
      const r = new Receiver(s, {
        host: req.host,
        port: req.port,
        stats,
        turns,
        info: () => req.info,
        onRejected: (status, reason) => post({ type: 'rejected', status, reason }),
        onWarning: (m) => post({ type: 'log', line: `warning: ${m}` }),
        proxy,
      });
      const port = await r.listen();
      http = r;
      return { port, url: r.url };
    }
    case 'listenGrpc': {
      const g = new GrpcReceiver(sink ?? need(), {
        host: req.host,
        port: req.port,
        stats,
        turns,
        info: () => req.info,
        onRejected: (code, reason) => post({ type: 'rejected', status: code, reason }),
        onWarning: (m) => post({ type: 'log', line: `warning: ${m}` }),
      });
      try {
        const port = await g.listen();
        grpc = g;
        return port;
      } catch (e) {
        await g.close();
        throw e;
      }
    }
    case 'query':
      return query(req.method, req.args);
    case 'closeGrpc':
      await grpc?.close();
      grpc = undefined;
      return null;
    case 'stop':
      await Promise.all([http?.close(), grpc?.close()]);
      http = grpc = undefined;
      await forwarder?.close(1000);
      forwarder = undefined;
      lastStats = '';
      if (changeTimer) clearTimeout(changeTimer);
      changeTimer = undefined;
      changed = new Set();
      everything = false;
      store?.close();
      store = sink = undefined;
      return null;
  }
}

parentPort!.on('message', (req: WorkerCall) => {
  handle(req).then(
    (value) => post({ type: 'reply', id: req.id, value }),
    (e) => post({ type: 'reply', id: req.id, error: carryError(e) }),
  );
});
