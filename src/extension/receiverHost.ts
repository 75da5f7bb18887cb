/**
 * Owns the store and the receiver of this window. Three ways to run:
 * - owner: this window receives on the port and writes the workspace's store;
 * - follower: another Tracefork window holds the port (or this workspace's store): this window
 *   reads that window's store as it grows, and takes over when the other window closes;
 * - conflict: something else holds the port (a collector, Jaeger…): say so, offer another port.
 */
import * as vscode from 'vscode';
import { Receiver } from '../core/receiver/server';
import { GrpcReceiver } from '../core/receiver/grpc';
import { newStats, type IngestSink } from '../core/receiver/ingest';
import { Forwarder, ForwardingSink, type ForwardEvent, type ForwardStats } from '../core/receiver/forward';
import { TraceStore } from '../core/store/store';
import { StoreBusyError } from '../core/store/lock';
import { ProxyRuns } from '../core/proxy/runs';
import { ProxyRoutes } from '../core/proxy/routes';
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
  private store: TraceStore | undefined;
  private receiver: Receiver | undefined;
  private grpc: GrpcReceiver | undefined;
  private forwarder: Forwarder | undefined;
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
    this._register(toDisposable(() => void this.stop()));
  }

  /** The store being shown (own or followed), if any. */
  get current(): TraceStore | undefined {
    return this.store;
  }

  /** Starts receiving on `port` (the setting by default). Never throws: problems become the state. */
  async start(port = this.config.port): Promise<void> {
    await this.stop();
    try {
      this.attach(await TraceStore.open(this.ownDb, this.storeOptions()));
    } catch (e) {
      if (e instanceof StoreBusyError) return this.follow(this.ownDb, port, `another window of this workspace (pid ${e.pid}) is receiving`);
      return this.setState({ mode: 'stopped', port: null, url: null, dbPath: this.ownDb, detail: `the store could not be opened: ${(e as Error).message}` });
    }
    const stats = newStats();
    const forwarding = await this.startForwarding();
    const sink: IngestSink = this.forwarder ? new ForwardingSink(this.store!, this.forwarder) : this.store!;
    this.sink = sink;
    const receiver = new Receiver(sink, {
      host: this.config.host,
      port,
      stats,
      info: () => ({ db: this.ownDb, workspace: vscode.workspace.name ?? null }),
      onRejected: (status, reason) => this.refused(status, reason),
      onWarning: (m) => this.log.appendLine(`warning: ${m}`),
      proxy: this.proxyRoutes(sink),
    });
    try {
      const bound = await receiver.listen();
      this.receiver = receiver;
      const grpc = await this.startGrpc(stats);
      this.setState({ mode: 'owner', port: bound, url: receiver.url, dbPath: this.ownDb, detail: `receiving on ${receiver.url}${grpc.port ? ` and grpc://${this.config.host}:${grpc.port}` : ''}${this.forwarder ? `, forwarding to ${this.config.forward.endpoint}` : ''}`, grpcPort: grpc.port, grpcDetail: grpc.detail, ...forwarding });
    } catch (e) {
      await this.forwarder?.close(0); // not receiving here: nothing to forward
      this.forwarder = undefined;
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
        return this.setState({ mode: 'stopped', port, url: null, dbPath: this.ownDb, detail: `cannot listen on ${this.config.host}:${port}: ${(e as Error).message}` });
      }
      await this.portTaken(port);
    }
  }

  /** Opens the gRPC receiver beside the HTTP one; a taken port is told, never fatal to HTTP. */
  private async startGrpc(stats: ReturnType<typeof newStats>, grpcPort = this.config.grpcPort): Promise<{ port: number | null; detail: string }> {
    if (grpcPort === 0) return { port: null, detail: 'OTLP/gRPC is off (tracefork.receiver.grpcPort is 0)' };
    const grpc = new GrpcReceiver(this.sink ?? this.store!, {
      host: this.config.host,
      port: grpcPort === this.freeGrpc ? 0 : grpcPort,
      stats,
      info: () => ({ db: this.ownDb, workspace: vscode.workspace.name ?? null }),
      onRejected: (code, reason) => this.refused(code, reason),
      onWarning: (m) => this.log.appendLine(`warning: ${m}`),
    });
    try {
      const port = await grpc.listen();
      this.grpc = grpc;
      return { port, detail: '' };
    } catch (e) {
      await grpc.close();
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') return { port: null, detail: `OTLP/gRPC cannot listen on :${grpcPort}: ${(e as Error).message}` };
      const other = await probeTraceforkGrpc(this.config.host, grpcPort);
      if (other) return { port: null, detail: `OTLP/gRPC :${grpcPort} is received by the Tracefork window of ${other.workspace ?? 'another workspace'} (pid ${other.pid}); its runs are in that window` };
      void vscode.window
        .showWarningMessage(`Tracefork cannot receive OTLP/gRPC: port ${grpcPort} is used by another program (a collector, Jaeger or Phoenix?). Agents exporting over gRPC to localhost:${grpcPort} are not reaching Tracefork; OTLP/HTTP on :${this.state.port ?? this.config.port} still works.`, 'Use Another gRPC Port', 'Open Settings')
        .then((choice) => {
          if (choice === 'Use Another gRPC Port') void this.restartGrpc(this.freeGrpc);
          else if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'tracefork.receiver.grpcPort');
        });
      return { port: null, detail: `OTLP/gRPC port ${grpcPort} is used by another program` };
    }
  }

  private sink: IngestSink | undefined;
  private lastDropAlert = 0;

  /** The forwarder for `tracefork.forward.endpoint`, when set; a bad URL is told, never fatal to receiving. */
  private async startForwarding(): Promise<Pick<ReceiverState, 'forward' | 'forwardDetail'>> {
    const { endpoint, queueMegabytes } = this.config.forward;
    if (!endpoint) return { forward: null, forwardDetail: '' };
    try {
      this.forwarder = new Forwarder({ url: endpoint, headers: await this.forwardHeaders(), maxQueueBytes: queueMegabytes * 1024 ** 2, onEvent: (e) => this.forwardEvent(e) });
    } catch (e) {
      const detail = `forwarding is off: tracefork.forward.endpoint "${endpoint}" is not an http(s) URL (${(e as Error).message})`;
      this.log.appendLine(detail);
      void vscode.window.showWarningMessage(`Tracefork: ${detail}.`, 'Open Settings').then((c) => c && vscode.commands.executeCommand('workbench.action.openSettings', 'tracefork.forward'));
      return { forward: null, forwardDetail: detail };
    }
    this.log.appendLine(`forwarding every accepted request to ${endpoint}`);
    return { forward: { endpoint, stats: this.forwarder.stats }, forwardDetail: '' };
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
        void vscode.window.showWarningMessage(`Tracefork dropped ${e.count} request(s) on their way to ${endpoint}: ${e.reason}. They are kept here.`, 'Show Log').then((a) => a && this.log.show());
      }
    }
    this.stateEmitter.fire(this.state); // the status bar shows the upstream's state
  }

  /** Restarts the receivers so forwarding picks up changed headers or settings. */
  async restartForwarding(): Promise<void> {
    if (this.state.mode === 'owner') await this.start(this.state.port ?? this.config.port);
  }

  /** The record/replay proxies (model APIs, MCP) over the sink, with the tracefork.proxy.* upstreams. */
  private proxyRoutes(sink: IngestSink): ProxyRoutes {
    const { openaiUpstream, anthropicUpstream, mcpServers } = this.config.proxy;
    const log = (line: string) => this.log.appendLine(line.startsWith('[tracefork]') ? line : `proxy: ${line}`);
    const valid = (name: string, v: string) => {
      if (!v) return '';
      try {
        if (/^https?:$/.test(new URL(v).protocol)) return v;
      } catch {
        /* said below */
      }
      void vscode.window.showWarningMessage(`Tracefork: ${name} "${v}" is not an http(s) URL; the proxy uses the provider's public API instead.`, 'Open Settings').then((c) => c && vscode.commands.executeCommand('workbench.action.openSettings', 'tracefork.proxy'));
      return '';
    };
    const servers = Object.fromEntries(Object.entries(mcpServers ?? {}).filter(([k, v]) => /^[A-Za-z0-9_.-]+$/.test(k) && typeof v === 'string' && !!valid(`tracefork.proxy.mcpServers.${k}`, v)));
    return new ProxyRoutes(new ProxyRuns(sink, { onLog: log }), { upstream: { openai: valid('tracefork.proxy.openaiUpstream', openaiUpstream), anthropic: valid('tracefork.proxy.anthropicUpstream', anthropicUpstream) }, mcpServers: servers, onLog: log });
  }

  /** "Any free port" for startGrpc (0 in the setting means off, so it cannot mean free here). */
  private readonly freeGrpc = -1;

  private async restartGrpc(port: number): Promise<void> {
    if (this.state.mode !== 'owner' || !this.receiver) return;
    await this.grpc?.close();
    this.grpc = undefined;
    const grpc = await this.startGrpc(this.receiver.stats, port);
    this.setState({ ...this.state, grpcPort: grpc.port, grpcDetail: grpc.detail, detail: `receiving on ${this.receiver.url}${grpc.port ? ` and grpc://${this.config.host}:${grpc.port}` : ''}` });
  }

  /** Starts on a free port the system picks (after a conflict). */
  useFreePort(): Promise<void> {
    return this.start(0);
  }

  /** Stops receiving and closes the store. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([this.receiver?.close(), this.grpc?.close()]);
    this.receiver = undefined;
    this.grpc = undefined;
    await this.forwarder?.close(1000);
    this.forwarder = undefined;
    this.sink = undefined;
    this.unsubscribe?.();
    this.store?.close();
    this.store = undefined;
  }

  /** Applies changed settings (restarting the receiver when the port or host changed). */
  async reconfigure(config: TraceforkConfig): Promise<void> {
    const restart = config.port !== this.config.port || config.grpcPort !== this.config.grpcPort || config.host !== this.config.host || JSON.stringify(config.forward) !== JSON.stringify(this.config.forward) || JSON.stringify(config.proxy) !== JSON.stringify(this.config.proxy);
    this.config = config;
    if (restart || this.state.mode !== 'owner') return this.start();
    this.store?.setRetention(this.storeOptions().retention);
  }

  private storeOptions() {
    return {
      retention: { maxTraces: this.config.maxTraces, maxBytes: this.config.maxMegabytes * 1024 * 1024 },
      onWarning: (m: string) => {
        this.log.appendLine(`warning: ${m}`);
        void vscode.window.showWarningMessage(`Tracefork: ${m}`);
      },
    };
  }

  private attach(store: TraceStore): void {
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
    this.store?.close();
    this.store = undefined;
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
      void vscode.window.showErrorMessage(`Tracefork cannot store traces: ${reason.slice('the trace store cannot write: '.length)}`, 'Show Log').then((a) => a && this.log.show());
    }
  }

  private setState(state: ReceiverState): void {
    this.state = state;
    this.log.appendLine(`receiver: ${state.mode} — ${state.detail}`);
    this.stateEmitter.fire(state);
  }
}
