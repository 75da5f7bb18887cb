/**
 * Owns the store and the receiver of this window. Three ways to run:
 * - owner: this window receives on the port and writes the workspace's store;
 * - follower: another Tracefork window holds the port (or this workspace's store): this window
 *   reads that window's store as it grows, and takes over when the other window closes;
 * - conflict: something else holds the port (a collector, Jaeger…): say so, offer another port.
 * As owner, the receivers and the writing store run in a worker thread (receiverWorker.ts), so
 * that decoding and indexing under load never delay the extension host's UI work; this thread
 * reads the store through RemoteStore.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ForwardEvent, ForwardStats } from '../core/receiver/forward';
import { TraceStore } from '../core/store/store';
import { StoreBusyError } from '../core/store/lock';
import { ReceiverWorker, RemoteStore, type StoreApi } from '../core/receiver/worker/client';
import type { WorkerMessage } from '../core/receiver/worker/protocol';
import { Disposable, toDisposable } from './dispose';
import { probeTracefork, probeTraceforkGrpc } from './probe';
import type { TraceforkConfig } from './config';

/** How this window is receiving. */
export type ReceiverMode = 'starting' | 'owner' | 'follower' | 'conflict' | 'stopped';

/** What the status bar and the tests show. */
export interface ReceiverState {
  mode: ReceiverMode;
  port: number | null;
  url: string | null;
  dbPath: string | null;
  detail: string;
  /** The OTLP/gRPC receiver's port while this window receives on it, else null (off, taken, or following). */
  grpcPort?: number | null;
  /** Why gRPC is not received here, when it is not. */
  grpcDetail?: string;
  /** Forwarding to the team's backend, while this window receives and `tracefork.forward.endpoint` is set. */
  forward?: { endpoint: string; stats: ForwardStats } | null;
  /** Why forwarding is off although an endpoint is set (a bad URL…). */
  forwardDetail?: string;
}

/** The secret storage key of the forward headers (JSON object). */
export const FORWARD_HEADERS_SECRET = 'tracefork.forward.headers';

/** The receiver and store of this window. */
export class ReceiverHost extends Disposable {
  private store: StoreApi | undefined;
  /** The receiver worker while this window owns the port (one thread, reused across restarts). */
  private worker: ReceiverWorker | undefined;
  private remote: RemoteStore | undefined;
  /** The HTTP receiver's URL and the gRPC port while this window receives. */
  private receiving: { url: string; grpc: number | null } | undefined;
  /** Forwarding's counters, kept up to date from the worker's reports. */
  private forwardStats: ForwardStats | undefined;
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private readonly stateEmitter = this._register(new vscode.EventEmitter<ReceiverState>());
  private readonly tracesEmitter = this._register(new vscode.EventEmitter<string[]>());
  /** Fires when the mode, port or store changes. */
  readonly onDidChangeState = this.stateEmitter.event;
  /** Fires with the ids of traces that changed (all listeners re-read what they show). */
  readonly onDidChangeTraces = this.tracesEmitter.event;
  state: ReceiverState = { mode: 'starting', port: null, url: null, dbPath: null, detail: 'starting' };

  constructor(
    private readonly ownDb: string,
    private config: TraceforkConfig,
    private readonly log: vscode.OutputChannel,
    /** The forward headers (secret storage), read when forwarding starts. */
    private readonly forwardHeaders: () => Promise<Record<string, string>> = async () => ({}),
  ) {
    super();
    this._register(toDisposable(() => void this.shutdown()));
  }

  /** The store being shown (own or followed), if any. */
  get current(): StoreApi | undefined {
    return this.store;
  }

  /** Starts receiving on `port` (the setting by default). Never throws: problems become the state. */
  async start(port = this.config.port): Promise<void> {
    await this.stop();
    let worker: ReceiverWorker;
    try {
      worker = this.ensureWorker();
      await worker.request({ op: 'open', db: this.ownDb, retention: this.storeOptions().retention });
    } catch (e) {
      if (e instanceof StoreBusyError) return this.follow(this.ownDb, port, `another window of this workspace (pid ${e.pid}) is receiving`);
      return this.setState({ mode: 'stopped', port: null, url: null, dbPath: this.ownDb, detail: `the store could not be opened: ${(e as Error).message}` });
    }
    this.remote = new RemoteStore(this.ownDb, worker);
    this.attach(this.remote);
    const forwarding = await this.startForwarding(worker);
    const { openaiUpstream, anthropicUpstream, mcpServers } = this.config.proxy;
    const valid = (name: string, v: string) => {
      if (!v) return '';
      try {
        if (/^https?:$/.test(new URL(v).protocol)) return v;
      } catch {
        /* said below */
      }
      void vscode.window
        .showWarningMessage(`Tracefork: ${name} "${v}" is not an http(s) URL; the proxy uses the provider's public API instead.`, 'Open Settings')
        .then((c) => c && vscode.commands.executeCommand('workbench.action.openSettings', 'tracefork.proxy'));
      return '';
    };
    const servers = Object.fromEntries(
      Object.entries(mcpServers ?? {}).filter(
        ([k, v]) => /^[A-Za-z0-9_.-]+$/.test(k) && typeof v === 'string' && !!valid(`tracefork.proxy.mcpServers.${k}`, v),
      ),
    );
    try {
      const http = await worker.request<{ port: number; url: string }>({
        op: 'listenHttp',
        host: this.config.host,
        port,
        info: this.info(),
        proxy: {
          upstream: {
            openai: valid('tracefork.proxy.openaiUpstream', openaiUpstream),
            anthropic: valid('tracefork.proxy.anthropicUpstream', anthropicUpstream),
          },
          mcpServers: servers,
        },
      });
      this.receiving = { url: http.url, grpc: null };
      const grpc = await this.startGrpc();
      this.receiving.grpc = grpc.port;
      this.setState({
        mode: 'owner',
        port: http.port,
        url: http.url,
        dbPath: this.ownDb,
        detail: this.receivingDetail(),
        grpcPort: grpc.port,
        grpcDetail: grpc.detail,
        ...forwarding,
      });
    } catch (e) {
      await this.stop(); // not receiving here: nothing to forward, and the store is free for whoever receives
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
        return this.setState({
          mode: 'stopped',
          port,
          url: null,
          dbPath: this.ownDb,
          detail: `cannot listen on ${this.config.host}:${port}: ${(e as Error).message}`,
        });
      }
      await this.portTaken(port);
    }
  }

  private info(): Record<string, unknown> {
    return { db: this.ownDb, workspace: vscode.workspace.name ?? null };
  }

  private receivingDetail(): string {
    const r = this.receiving;
    if (!r) return 'not receiving';
    return `receiving on ${r.url}${r.grpc ? ` and grpc://${this.config.host}:${r.grpc}` : ''}${this.forwardStats ? `, forwarding to ${this.config.forward.endpoint}` : ''}`;
  }

  /** The receiver worker, started on first use; a crash is told and receiving starts again in a new one. */
  private ensureWorker(): ReceiverWorker {
    if (this.worker && !this.worker.gone) return this.worker;
    const worker = new ReceiverWorker((why) => {
      if (this.worker !== worker) return;
      this.log.appendLine(`the receiver worker ${why}`);
      this.worker = undefined;
      this.releaseOwnLock();
      if (this.state.mode === 'owner') {
        void vscode.window
          .showErrorMessage(`Tracefork's receiver stopped (${why.split('\n')[0]}); starting it again. Exporters retry what was not acknowledged.`, 'Show Log')
          .then((a) => a && this.log.show());
        void this.start(this.state.port ?? this.config.port);
      }
    });
    worker.onMessage((m) => this.onWorkerMessage(m));
    return (this.worker = worker);
  }

  /** A worker that died holding the store leaves its lock, in this process's name: nobody else holds it. */
  private releaseOwnLock(): void {
    const lock = `${this.ownDb}.lock`;
    try {
      if (fs.readFileSync(lock, 'utf8') === String(process.pid)) fs.unlinkSync(lock);
    } catch {
      /* no lock */
    }
  }

  private onWorkerMessage(m: WorkerMessage): void {
    switch (m.type) {
      case 'changed':
        return this.remote?.changed(m.ids);
      case 'storeWarning':
        this.log.appendLine(`warning: ${m.message}`);
        void vscode.window.showWarningMessage(`Tracefork: ${m.message}`);
        return;
      case 'log':
        return this.log.appendLine(m.line);
      case 'rejected':
        return this.refused(m.status, m.reason);
      case 'forward':
        if (this.forwardStats) Object.assign(this.forwardStats, m.stats);
        if (m.event) this.forwardEvent(m.event);
        return;
    }
  }

  /** Opens the gRPC receiver beside the HTTP one; a taken port is told, never fatal to HTTP. */
  private async startGrpc(grpcPort = this.config.grpcPort): Promise<{ port: number | null; detail: string }> {
    if (grpcPort === 0) return { port: null, detail: 'OTLP/gRPC is off (tracefork.receiver.grpcPort is 0)' };
    try {
      const port = await this.worker!.request<number>({
        op: 'listenGrpc',
        host: this.config.host,
        port: grpcPort === this.freeGrpc ? 0 : grpcPort,
        info: this.info(),
      });
      return { port, detail: '' };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') return { port: null, detail: `OTLP/gRPC cannot listen on :${grpcPort}: ${(e as Error).message}` };
      const other = await probeTraceforkGrpc(this.config.host, grpcPort);
      if (other)
        return {
          port: null,
          detail: `OTLP/gRPC :${grpcPort} is received by the Tracefork window of ${other.workspace ?? 'another workspace'} (pid ${other.pid}); its runs are in that window`,
        };
      void vscode.window
        .showWarningMessage(
          `Tracefork cannot receive OTLP/gRPC: port ${grpcPort} is used by another program (a collector, Jaeger or Phoenix?). Agents exporting over gRPC to localhost:${grpcPort} are not reaching Tracefork; OTLP/HTTP on :${this.state.port ?? this.config.port} still works.`,
          'Use Another gRPC Port',
          'Open Settings',
        )
        .then((choice) => {
          if (choice === 'Use Another gRPC Port') void this.restartGrpc(this.freeGrpc);
          else if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'tracefork.receiver.grpcPort');
        });
      return { port: null, detail: `OTLP/gRPC port ${grpcPort} is used by another program` };
    }
  }

  private lastDropAlert = 0;

  /** Forwarding for `tracefork.forward.endpoint`, when set; a bad URL is told, never fatal to receiving. */
  private async startForwarding(worker: ReceiverWorker): Promise<Pick<ReceiverState, 'forward' | 'forwardDetail'>> {
    const { endpoint, queueMegabytes } = this.config.forward;
    if (!endpoint) return { forward: null, forwardDetail: '' };
    try {
      this.forwardStats = await worker.request<ForwardStats>({
        op: 'forward',
        url: endpoint,
        headers: await this.forwardHeaders(),
        maxQueueBytes: queueMegabytes * 1024 ** 2,
      });
    } catch (e) {
      const detail = `forwarding is off: tracefork.forward.endpoint "${endpoint}" is not an http(s) URL (${(e as Error).message})`;
      this.log.appendLine(detail);
      void vscode.window
        .showWarningMessage(`Tracefork: ${detail}.`, 'Open Settings')
        .then((c) => c && vscode.commands.executeCommand('workbench.action.openSettings', 'tracefork.forward'));
      return { forward: null, forwardDetail: detail };
    }
    this.log.appendLine(`forwarding every accepted request to ${endpoint}`);
    return { forward: { endpoint, stats: this.forwardStats }, forwardDetail: '' };
  }

  /** Logs what happens upstream; drops are also told to the user, at most once a minute. */
  private forwardEvent(e: ForwardEvent): void {
    const endpoint = this.config.forward.endpoint;
    if (e.kind === 'failing') this.log.appendLine(`forward: ${e.reason}; retrying (requests are queued, local ingest goes on)`);
    else if (e.kind === 'recovered') this.log.appendLine(`forward: ${endpoint} is reachable again`);
    else {
      this.log.appendLine(`forward: ${e.count} request(s) dropped upstream: ${e.reason}`);
      if (Date.now() - this.lastDropAlert > 60_000) {
        this.lastDropAlert = Date.now();
        void vscode.window
          .showWarningMessage(`Tracefork dropped ${e.count} request(s) on their way to ${endpoint}: ${e.reason}. They are kept here.`, 'Show Log')
          .then((a) => a && this.log.show());
      }
    }
    this.stateEmitter.fire(this.state); // the status bar shows the upstream's state
  }

  /** Restarts the receivers so forwarding picks up changed headers or settings. */
  async restartForwarding(): Promise<void> {
    if (this.state.mode === 'owner') await this.start(this.state.port ?? this.config.port);
  }

  /** "Any free port" for startGrpc (0 in the setting means off, so it cannot mean free here). */
  private readonly freeGrpc = -1;

  private async restartGrpc(port: number): Promise<void> {
    if (this.state.mode !== 'owner' || !this.receiving || !this.worker) return;
    await this.worker.request({ op: 'closeGrpc' });
    const grpc = await this.startGrpc(port);
    this.receiving.grpc = grpc.port;
    this.setState({ ...this.state, grpcPort: grpc.port, grpcDetail: grpc.detail, detail: this.receivingDetail() });
  }

  /** Starts on a free port the system picks (after a conflict). */
  useFreePort(): Promise<void> {
    return this.start(0);
  }

  /** Stops receiving and closes the store. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const own = this.store === this.remote;
    if (!own) (this.store as TraceStore | undefined)?.close();
    this.store = undefined;
    this.remote?.close();
    this.remote = undefined;
    this.receiving = undefined;
    this.forwardStats = undefined;
    if (this.worker && !this.worker.gone) {
      try {
        await this.worker.request({ op: 'stop' }); // receivers closed, forwarding drained, store flushed and closed
      } catch (e) {
        this.log.appendLine(`stopping the receiver worker: ${(e as Error).message}`);
      }
    }
  }

  /** Stops, and ends the worker thread (the window is closing). */
  /** Stops receiving, lets the worker flush the store (its index snapshot) and ends the thread; the window is closing. */
  async shutdown(): Promise<void> {
    this.closing ??= this.close();
    return this.closing;
  }

  private closing: Promise<void> | undefined;

  private async close(): Promise<void> {
    await this.stop();
    await this.worker?.terminate();
    this.worker = undefined;
  }

  /** Applies changed settings (restarting the receiver when the port or host changed). */
  async reconfigure(config: TraceforkConfig): Promise<void> {
    const restart =
      config.port !== this.config.port ||
      config.grpcPort !== this.config.grpcPort ||
      config.host !== this.config.host ||
      JSON.stringify(config.forward) !== JSON.stringify(this.config.forward) ||
      JSON.stringify(config.proxy) !== JSON.stringify(this.config.proxy);
    this.config = config;
    if (restart || this.state.mode !== 'owner') return this.start();
    await this.worker?.request({ op: 'setRetention', retention: this.storeOptions().retention });
  }

  private storeOptions() {
    return { retention: { maxTraces: this.config.maxTraces, maxBytes: this.config.maxMegabytes * 1024 * 1024 } };
  }

  private attach(store: StoreApi): void {
    this.store = store;
    this.unsubscribe = store.onDidChange((ids) => this.tracesEmitter.fire(ids));
    this.tracesEmitter.fire([]);
  }

  private async portTaken(port: number): Promise<void> {
    const info = await probeTracefork(this.config.host, port);
    if (info && info !== 'closed' && info.db) {
      return this.follow(info.db, port, `the Tracefork window of ${info.workspace ?? 'another workspace'} (pid ${info.pid}) is receiving on :${port}`);
    }
    const who = info && info !== 'closed' ? `another Tracefork (pid ${info.pid}) that does not share its store` : 'another program';
    this.setState({ mode: 'conflict', port, url: null, dbPath: this.ownDb, detail: `port ${port} is used by ${who}` });
    const choice = await vscode.window.showWarningMessage(
      `Tracefork cannot receive traces: port ${port} is used by another program (a collector or Jaeger?). Agents exporting to http://localhost:${port} are not reaching Tracefork.`,
      'Use Another Port',
      'Retry',
      'Open Settings',
    );
    if (choice === 'Use Another Port') await this.useFreePort();
    else if (choice === 'Retry') await this.start(port);
    else if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'tracefork.receiver');
  }

  /** Reads another window's store and takes over the port when that window goes away. */
  private async follow(db: string, port: number, why: string): Promise<void> {
    await this.stop();
    try {
      this.attach(await TraceStore.open(db, { readOnly: true, onWarning: (m) => this.log.appendLine(`warning: ${m}`) }));
    } catch (e) {
      this.log.appendLine(`cannot read the shared store ${db}: ${(e as Error).message}`);
    }
    this.setState({ mode: 'follower', port, url: `http://${this.config.host}:${port}`, dbPath: db, detail: why });
    this.timer = setInterval(() => void this.followTick(port), 1000);
  }

  private async followTick(port: number): Promise<void> {
    try {
      this.store?.poll();
    } catch (e) {
      this.log.appendLine(`reading the shared store failed: ${(e as Error).message}`);
    }
    if (++this.ticks % 3) return; // read every second, probe the owner every third
    const info = await probeTracefork(this.config.host, port, 500);
    if (info === 'closed') {
      this.log.appendLine(`the Tracefork window that owned :${port} is gone; taking over`);
      await this.start(port);
    }
  }

  private lastStorageAlert = 0;

  /** Logs refused requests; a store that cannot write (disk full) is also told to the user, at most once a minute. */
  private refused(status: number | string, reason: string): void {
    this.log.appendLine(`receiver refused a request (${status}): ${reason}`);
    if ((status === 503 || status === 'UNAVAILABLE') && reason.startsWith('the trace store cannot write') && Date.now() - this.lastStorageAlert > 60_000) {
      this.lastStorageAlert = Date.now();
      void vscode.window
        .showErrorMessage(`Tracefork cannot store traces: ${reason.slice('the trace store cannot write: '.length)}`, 'Show Log')
        .then((a) => a && this.log.show());
    }
  }

  private setState(state: ReceiverState): void {
    this.state = state;
    this.log.appendLine(`receiver: ${state.mode} — ${state.detail}`);
    this.stateEmitter.fire(state);
  }
}
