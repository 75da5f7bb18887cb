/**
 * A real Arize Phoenix (from PyPI, pinned) for the tests that need a real backend: installed on
 * first use into `.cache/phoenix-venv` (its own environment: its OpenTelemetry pins are not the
 * SDK's), started on free ports with its working directory in a temp folder.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, freePort } from './cli';

export const PHOENIX_VERSION = '20.26.1';
const VENV = path.join(ROOT, '.cache', 'phoenix-venv');
const BIN = path.join(VENV, 'bin', 'phoenix');
const STAMP = path.join(VENV, '.tracefork-stamp');

/** Installs Phoenix when it is not there yet (about a minute); throws with pip's output when it cannot. */
export function ensurePhoenix(): string {
  if (fs.existsSync(BIN) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === PHOENIX_VERSION) return BIN;
  fs.rmSync(VENV, { recursive: true, force: true });
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  };
  run(process.env.PYTHON || 'python3', ['-m', 'venv', VENV]);
  run(path.join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `arize-phoenix==${PHOENIX_VERSION}`]);
  fs.writeFileSync(STAMP, PHOENIX_VERSION);
  return BIN;
}

export interface Phoenix {
  /** Its HTTP address: OTLP/HTTP at `${url}/v1/traces`, REST at `${url}/v1/…`. */
  url: string;
  proc: ChildProcess;
  /** Every span of a trace, as its REST API returns them (OTLP-shaped). */
  spans(traceId: string): Promise<Array<{ trace_id?: string; span_id?: string; name?: string }>>;
  stop(): Promise<void>;
}

/** Starts Phoenix and waits for /healthz. */
export async function startPhoenix(workDir: string, timeoutMs = 90_000): Promise<Phoenix> {
  const bin = ensurePhoenix();
  const [port, grpc] = [await freePort(), await freePort()];
  let log = '';
  const proc = spawn(bin, ['serve'], {
    env: {
      ...process.env,
      PHOENIX_WORKING_DIR: workDir,
      PHOENIX_HOST: '127.0.0.1',
      PHOENIX_PORT: String(port),
      PHOENIX_GRPC_PORT: String(grpc),
      PHOENIX_TELEMETRY_ENABLED: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (b: Buffer) => (log += b));
  proc.stderr!.on('data', (b: Buffer) => (log += b));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`phoenix exited (${proc.exitCode}):\n${log}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) {
      proc.kill('SIGKILL');
      throw new Error(`phoenix did not start within ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    proc,
    async spans(traceId) {
      const out: Array<{ trace_id?: string; span_id?: string; name?: string }> = [];
      let cursor: string | null = null;
      do {
        const q = new URLSearchParams({ limit: '1000', trace_id: traceId, ...(cursor ? { cursor } : {}) });
        const res = await fetch(`${url}/v1/projects/default/spans/otlpv1?${q}`);
        if (!res.ok) throw new Error(`phoenix spans: ${res.status} ${await res.text()}`);
        const page = (await res.json()) as { data: Array<{ trace_id?: string; span_id?: string; name?: string }>; next_cursor: string | null };
        out.push(...page.data.filter((s) => !s.trace_id || s.trace_id === traceId));
        cursor = page.next_cursor;
      } while (cursor);
      return out;
    },
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const force = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(force);
    },
  };
}
