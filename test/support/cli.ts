/** Drives the built CLI (dist/cli.js) as a user would: a real `serve` process and one-shot commands. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Step } from '../../src/core/model/step';
import type { TraceSummary } from '../../src/core/store/queries';
import { tmpDir } from './tmp';

/** The project root and the bundled CLI. */
export const ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

/** Builds dist/cli.js when it is missing (the test command builds it before mocha runs). */
export function ensureBuilt(): void {
  if (fs.existsSync(CLI)) return;
  const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node esbuild.mjs failed (${r.status}):\n${r.stderr}`);
}

/** A running `tracefork serve`. */
export interface Serve {
  url: string;
  /** `grpc://127.0.0.1:PORT` when started with a gRPC port. */
  grpcUrl: string | null;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Spawns `serve --port 0 --db DB` (gRPC off unless `grpcPort` is given); resolves on its `listening on`
 * line, rejects with stderr on exit or timeout. `grpcPort: 'free'` takes a port free a moment before
 * (0 would turn gRPC off); another listener, even this serve's own HTTP one on port 0, can take it
 * first, and then it tries a new one.
 */
export async function startServe(db: string, timeoutMs = 15_000, opts: { grpcPort?: number | 'free'; args?: string[] } = {}): Promise<Serve> {
  if (opts.grpcPort !== 'free') return spawnServe(db, timeoutMs, opts.grpcPort ?? 0, opts.args ?? []);
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnServe(db, timeoutMs, await freePort(), opts.args ?? []);
    } catch (e) {
      if (attempt === 5 || !/gRPC port \d+ is already in use/.test((e as Error).message)) throw e;
    }
  }
}

function spawnServe(db: string, timeoutMs: number, grpcPort: number, extra: string[]): Promise<Serve> {
  const args = [CLI, 'serve', '--port', '0', '--grpc-port', String(grpcPort), '--db', db, ...extra];
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const force = setTimeout(() => proc.kill('SIGKILL'), 5000); // a hung shutdown must not hang the suite
    await exited;
    clearTimeout(force);
  };
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop();
      reject(new Error(`tracefork serve ${why}; stderr:\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`did not report listening within ${timeoutMs} ms`), timeoutMs);
    const onExit = (code: number | null, signal: string | null) => fail(`exited (${code ?? signal}) before listening`);
    proc.once('exit', onExit);
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      proc.off('exit', onExit);
      resolve({ url: m[1], grpcUrl: /listening on (grpc:\/\/\S+)/.exec(stdout)?.[1] ?? null, proc, stop });
    });
  });
}

/** The result of one CLI run. */
export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli.js ...args` to completion. */
export function runCli(args: string[]): CliResult {
  // Bounded, so a CLI that hangs fails the test with its output instead of stalling the run.
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 ** 2, timeout: 120_000, killSignal: 'SIGKILL' });
  if (r.error || r.signal) throw new Error(`tracefork ${args.join(' ')} did not finish (${r.error?.message ?? r.signal}); stderr: ${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs a command to completion without blocking this process (a mock server or receiver in this
 * process keeps answering it); `env` is added to this process's environment.
 */
export function runAsync(command: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** `node dist/cli.js ...args` without blocking this process. */
export const cliAsync = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runAsync([process.execPath, CLI, ...args], env);

/** Runs the CLI and fails with its stderr unless it exits 0. */
export function cliOk(args: string[]): string {
  const r = runCli(args);
  if (r.status !== 0) throw new Error(`tracefork ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** `show TRACE_ID --json`. */
export function showJson(db: string, traceId: string): { traceId: string; steps: Step[] } {
  return JSON.parse(cliOk(['show', traceId, '--db', db, '--json'])) as { traceId: string; steps: Step[] };
}

/** `list --json`. */
export function listJson(db: string): TraceSummary[] {
  return JSON.parse(cliOk(['list', '--db', db, '--json'])) as TraceSummary[];
}

/** `export TRACE_ID`: the OTLP/JSON text as printed. */
export function exportText(db: string, traceId: string): string {
  return cliOk(['export', traceId, '--db', db]);
}

/**
 * Retries `fn` until it stops throwing (its assertions hold), for at most `timeoutMs` (measured from
 * the call); then rethrows its last error. Used for "acknowledged data is readable within one
 * second". (`waitFor`, in the in-host and Python suites, waits for a value instead: until `fn`
 * returns something.)
 */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 1000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() + intervalMs > deadline) throw e;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

/** A port free on 127.0.0.1 right now (for `--grpc-port`, where 0 means off). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The endpoint an OTLP/gRPC exporter takes for `serve`'s gRPC receiver (http://127.0.0.1:PORT). */
export const grpcEndpoint = (s: Serve): string => {
  if (!s.grpcUrl) throw new Error('this serve was started without gRPC');
  return s.grpcUrl.replace(/^grpc:/, 'http:');
};

/**
 * Mocha hooks that run `serve` on a fresh database for a suite; read `db` and `serve` inside tests.
 * `grpc: true` also opens its gRPC receiver on a free port.
 */
export function serveForSuite(prefix: string, opts: { grpc?: boolean } = {}): { readonly db: string; readonly serve: Serve } {
  let tmp: ReturnType<typeof tmpDir> | undefined;
  const ctx = { db: '', serve: undefined as unknown as Serve };
  before(async () => {
    ensureBuilt();
    tmp = tmpDir(prefix);
    ctx.db = path.join(tmp.dir, 'traces.db');
    ctx.serve = await startServe(ctx.db, 15_000, { grpcPort: opts.grpc ? 'free' : 0 });
  });
  after(async () => {
    await ctx.serve?.stop();
    tmp?.cleanup();
  });
  return ctx;
}
