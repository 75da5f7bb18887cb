/**
 * `run` and `mcp-proxy`: any agent, in any language, recorded (and replayed) through the
 * receiver's proxies with no SDK. `run` points the agent's model clients and traces at a receiver
 * for one new run — the extension's or `tracefork serve`'s when one holds the port, else one it
 * starts itself over the database — and prints the run's trace id when the agent exits.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Receiver, INFO_PATH } from '../core/receiver/server';
import { TraceStore } from '../core/store/store';
import { ProxyRuns, type RunInit, type RunSummary } from '../core/proxy/runs';
import { ProxyRoutes, type ProxyOptions } from '../core/proxy/routes';
import { proxyFlags, proxyOptions } from './proxyOptions';
import { proxyEnv, RECEIVER_ENV, RUN_ENV } from '../core/proxy/env';
import { remoteRuns } from '../core/proxy/client';
import { McpInterceptor, type ToolGate, type ToolTicket } from '../core/proxy/mcp';
import type { StoredTrace } from '../core/store/queries';
import { defaultDb, parse, portOption, UsageError } from './args';
import { CliError, openReader } from './commands';

const warn = (m: string) => process.stderr.write(`tracefork: warning: ${m}\n`);

/** A receiver with the proxy: another process's, or one started here. */
export interface ProxyReceiver {
  url: string;
  /** Where its runs are stored. */
  db: string;
  create(init: RunInit): Promise<{ token: string; traceId: string }>;
  end(token: string, exitCode: number | null): Promise<RunSummary>;
  /** A stored run (read when it is needed). */
  trace(traceId: string): Promise<StoredTrace | null>;
  /** Reads the store (opened read-only for another process's receiver). */
  read<T>(fn: (store: TraceStore) => T): Promise<T>;
  close(): Promise<void>;
}

/** What holds the port: a Tracefork receiver (its info), something else (null), or nothing ('closed'). */
async function probe(port: number): Promise<Record<string, unknown> | null | 'closed'> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${INFO_PATH}`, { signal: AbortSignal.timeout(1500) });
    const info = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    return res.ok && info?.service === 'tracefork' ? info : null;
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code;
    return code === 'ECONNREFUSED' ? 'closed' : null;
  }
}

/** The receiver on `port` when it is Tracefork's, else one started here over `db` (port 0 picks a free one). */
export async function openProxyReceiver(port: number, db: string, opts: ProxyOptions = {}): Promise<ProxyReceiver> {
  const held = port === 0 ? 'closed' : await probe(port);
  if (held && held !== 'closed') {
    if (held.proxy !== true)
      throw new CliError(
        `the Tracefork receiver on port ${port} (pid ${String(held.pid)}) has no record/replay proxy; update it, or pass --port to start one here`,
      );
    const url = `http://127.0.0.1:${port}`;
    const theirDb = typeof held.db === 'string' ? held.db : db;
    const api = remoteRuns(url);
    const read = async <T>(fn: (store: TraceStore) => T): Promise<T> => {
      const store = await openReader(theirDb);
      try {
        return fn(store);
      } finally {
        store.close();
      }
    };
    return {
      url,
      db: theirDb,
      create: (init) => api.create(init),
      end: (token, exitCode) => api.end(token, exitCode),
      trace: (id) => read((store) => store.get(id)),
      read,
      close: async () => {},
    };
  }
  if (held === null) throw new CliError(`port ${port} is used by another program; pass --port to choose another (0 picks a free one)`);
  const store = await TraceStore.open(db, { onWarning: warn });
  const runs = new ProxyRuns(store, { onLog: (l) => process.stderr.write(`${l}\n`) });
  const receiver = new Receiver(store, {
    port,
    proxy: new ProxyRoutes(runs, opts),
    info: () => ({ db: path.resolve(db), workspace: 'tracefork run' }),
    onWarning: warn,
  });
  try {
    await receiver.listen();
  } catch (e) {
    store.close();
    throw e;
  }
  return {
    url: receiver.url,
    db,
    create: async (init) => runs.create(init),
    end: async (token, exitCode) => runs.end(token, exitCode)!,
    trace: async (id) => store.get(id),
    read: async (fn) => fn(store),
    close: async () => {
      await receiver.close();
      store.close();
    },
  };
}

/** Runs the agent with the proxy's environment; resolves with its exit code. */
export function runAgent(command: string[], env: Record<string, string>, opts: { stdoutToStderr?: boolean; cwd?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), {
      cwd: opts.cwd,
      stdio: ['inherit', opts.stdoutToStderr ? 'pipe' : 'inherit', 'inherit'],
      env: { ...process.env, ...env },
    });
    if (opts.stdoutToStderr) child.stdout?.pipe(process.stderr, { end: false });
    const relay = (sig: NodeJS.Signals) => child.kill(sig);
    process.on('SIGINT', relay);
    process.on('SIGTERM', relay);
    child.once('error', (e) => {
      process.off('SIGINT', relay);
      process.off('SIGTERM', relay);
      reject(new CliError(`could not start ${command[0]}: ${e.message}`));
    });
    child.once('exit', (code, signal) => {
      process.off('SIGINT', relay);
      process.off('SIGTERM', relay);
      resolve(code ?? (signal ? 128 + 1 : 1));
    });
  });
}

/** Splits `OPTIONS -- COMMAND...`. */
export function splitCommand(argv: string[], what: string): [string[], string[]] {
  const dash = argv.indexOf('--');
  if (dash < 0 || dash === argv.length - 1) throw new UsageError(`${what} needs the command after "--", e.g. tracefork ${what} -- python agent.py`);
  return [argv.slice(0, dash), argv.slice(dash + 1)];
}

/** `run [--port 4318] [--db FILE] [--name NAME] [--json] -- COMMAND...`: one run of any agent through the proxies. */
export async function runCommand(argv: string[]): Promise<number> {
  const [opts, command] = splitCommand(argv, 'run');
  const { values } = parse(
    opts,
    { port: { type: 'string' }, db: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' }, ...proxyFlags },
    { min: 0, max: 0, name: '' },
  );
  const rx = await openProxyReceiver(portOption(values.port, 4318), values.db ?? defaultDb(), proxyOptions(values));
  try {
    const { token, traceId } = await rx.create({ name: values.name ?? command.join(' '), command, cwd: process.cwd() });
    if (!values.json)
      process.stderr.write(`tracefork: run ${traceId} through ${rx.url} (OPENAI_BASE_URL, ANTHROPIC_BASE_URL and OTEL_EXPORTER_OTLP_ENDPOINT point there)\n`);
    let code: number;
    try {
      code = await runAgent(command, proxyEnv(rx.url, token), { stdoutToStderr: !!values.json });
    } catch (e) {
      await rx.end(token, 127);
      throw e;
    }
    const s = await rx.end(token, code);
    if (values.json) process.stdout.write(JSON.stringify({ traceId: s.traceId, exitCode: code, calls: s.calls, db: rx.db }) + '\n');
    else {
      process.stderr.write(`tracefork: the agent exited with code ${code}; ${s.calls} call(s) recorded in run ${s.traceId} (${rx.db})\n`);
      process.stdout.write(`${s.traceId}\n`);
    }
    return code;
  } finally {
    await rx.close();
  }
}

/** A gate that asks the receiver (TRACEFORK_RECEIVER) about each tool call; records nothing when it cannot be reached. */
export function remoteGate(receiver: string, token: string | null): ToolGate {
  let warned = false;
  const api = remoteRuns(receiver);
  const passThrough = (args: unknown): ToolTicket => ({ source: 'record', arguments: args, end: () => {} });
  return {
    async begin(server, name, args) {
      let r: Record<string, unknown>;
      try {
        r = await api.post(`${receiver}/proxy/calls`, { token, server, name, arguments: args });
      } catch (e) {
        if (!warned)
          warn(`tool calls are not recorded: the receiver at ${receiver} cannot be reached (${(e as Error).message}); they go to the server as they are`);
        warned = true;
        return passThrough(args);
      }
      const source = r.source as ToolTicket['source'];
      if (source === 'recording') return { source, arguments: args, served: r.served as ToolTicket['served'], end: () => {} };
      return {
        source,
        arguments: r.arguments,
        end: (result) =>
          void api
            .post(`${receiver}/proxy/calls/${String(r.id)}/end`, result)
            .catch((e: Error) => warn(`a tool call's result could not be recorded: ${e.message}`)),
      };
    },
  };
}

/** `mcp-proxy [--name NAME] [--receiver URL] -- SERVER_COMMAND...`: an MCP server on stdio, its tool calls recorded and replayed. */
export async function mcpProxyCommand(argv: string[]): Promise<number> {
  const [opts, command] = splitCommand(argv, 'mcp-proxy');
  const { values } = parse(opts, { name: { type: 'string' }, receiver: { type: 'string' } }, { min: 0, max: 0, name: '' });
  const receiver = (values.receiver ?? process.env[RECEIVER_ENV] ?? 'http://127.0.0.1:4318').replace(/\/+$/, '');
  const token = process.env[RUN_ENV] || null;
  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
  const agent = new StdioServerTransport();
  const server = new StdioClientTransport({ command: command[0]!, args: command.slice(1), env: process.env as Record<string, string>, stderr: 'inherit' });
  const name = values.name ?? path.basename(command[command.length - 1] ?? command[0]!);
  const proxy = new McpInterceptor(
    remoteGate(receiver, token),
    name,
    (m) => void server.send(m as never),
    (m) => void agent.send(m as never),
    (e) => warn(`mcp-proxy: ${e.message}`),
  );
  const done = new Promise<number>((resolve) => {
    agent.onclose = () => resolve(0);
    process.stdin.once('end', () => resolve(0)); // the agent closed its side
    server.onclose = () => {
      proxy.close('the MCP server exited');
      resolve(0);
    };
  });
  agent.onmessage = (m) => proxy.fromClient(m as Record<string, unknown>);
  server.onmessage = (m) => proxy.fromServer(m as Record<string, unknown>);
  server.onerror = (e) => warn(`mcp-proxy: the server: ${e.message}`);
  // A line from the agent that is not JSON-RPC: the answer JSON-RPC prescribes (the message had no
  // id we could read), and the proxy goes on with the next line.
  agent.onerror = (e) => {
    const kind =
      e instanceof SyntaxError
        ? { what: 'a line that is not JSON', code: -32700, message: `Parse error: ${e.message}` }
        : e.name === 'ZodError'
          ? { what: 'a message that is not JSON-RPC', code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 message' }
          : /exceeded maximum size/.test(e.message)
            ? { what: 'a message too large to read', code: -32600, message: `Invalid Request: dropped, ${e.message}` }
            : null;
    warn(`mcp-proxy: the agent sent ${kind?.what ?? 'something unreadable'}: ${e.message.slice(0, 200)}`);
    if (kind) void agent.send({ jsonrpc: '2.0', id: null, error: { code: kind.code, message: kind.message } } as never);
  };
  try {
    await server.start();
  } catch (e) {
    throw new CliError(`could not start the MCP server ${command.join(' ')}: ${(e as Error).message}`);
  }
  await agent.start();
  const code = await done;
  await Promise.allSettled([server.close(), agent.close()]);
  return code;
}
