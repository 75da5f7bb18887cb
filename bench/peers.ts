/**
 * Tracefork beside the peers a developer would pick instead, on this machine, in one run
 * (`npm run bench:peers [spans]`; not part of the test command). Ingest only so far: the same
 * protobuf bodies captured from the real OTLP exporter (GenAI chat spans with ~2 KB prompts, 50
 * spans per trace) posted over 4 keep-alive connections from a separate process; spans/s until the
 * peer's own query API returns every span; spans lost; the peer's peak RSS. Beside them: decode-only
 * and a null receiver that reads and acknowledges each body (the transport ceiling).
 * Peers: Arize Phoenix (from PyPI, installed into .cache/phoenix-venv, its default local storage) and
 * Jaeger v2 all-in-one (memory storage, built from its Go module into .cache/peers). Not yet:
 * otel-desktop-viewer, opening big traces in each UI, live latency.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeTraces } from '../src/core/otlp/decode';
import { benchHttpReplay, captureExporterBodies, traceforkSink, writeBodies } from './httpReplay';
import { nullReceiver } from './nullReceiver';
import { PHOENIX_VERSION, startPhoenix } from '../test/support/phoenix';

/** Posts the bodies to `endpoint` from the replay client process; resolves when every body is answered. */
function post(bodies: Buffer[], endpoint: string): Promise<{ requests: number; statuses: Record<string, number> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-peers-'));
  const file = path.join(dir, 'bodies.bin');
  writeBodies(bodies, file);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'replayClient.ts'), file, '4'], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', (code) => {
      fs.rmSync(dir, { recursive: true, force: true });
      if (code === 0) resolve(JSON.parse(out));
      else reject(new Error(`replay client exited ${code}`));
    });
  });
}

/** Peak resident memory of a process (VmHWM), in MB. */
function peakRssMb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Spans Phoenix's REST API returns for its default project (paged). */
async function phoenixSpanCount(url: string): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ limit: '1000', ...(cursor ? { cursor } : {}) });
    const page = (await (await fetch(`${url}/v1/projects/default/spans?${q}`)).json()) as { data: unknown[]; next_cursor: string | null };
    n += page.data.length;
    cursor = page.next_cursor;
  } while (cursor);
  return n;
}

const JAEGER_VERSION = 'v1.75.0'; // the Go module of Jaeger v2's cmd/jaeger
const PEERS = path.resolve(__dirname, '..', '.cache', 'peers');

/** The Jaeger binary, built from its Go module on first use (several minutes), or why it cannot be. */
function ensureJaeger(): { bin: string; built: string | null } | string {
  const bin = path.join(PEERS, `jaeger-${JAEGER_VERSION}`, 'jaeger');
  if (fs.existsSync(bin)) return { bin, built: null };
  const mod = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-jaeger-'));
  const t = Date.now();
  for (const args of [
    ['mod', 'init', 'peers'],
    ['get', '-tool', `github.com/jaegertracing/jaeger/cmd/jaeger@${JAEGER_VERSION}`],
    ['build', '-o', bin, 'github.com/jaegertracing/jaeger/cmd/jaeger'],
  ]) {
    const r = spawnSync('go', args, { cwd: mod, encoding: 'utf8' });
    if (r.status !== 0) return `go ${args.join(' ')} failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-2).join(' ')}`;
  }
  fs.rmSync(mod, { recursive: true, force: true });
  return { bin, built: `${Math.round((Date.now() - t) / 1000)} s` };
}

/** Spans Jaeger's query API returns for the bench's service. */
async function jaegerSpanCount(): Promise<number> {
  const res = await fetch('http://127.0.0.1:16686/api/traces?service=bench-agent&limit=100000&lookback=1h').catch(() => null);
  if (!res?.ok) return 0;
  const body = (await res.json()) as { data?: Array<{ spans: unknown[] }> };
  return (body.data ?? []).reduce((n, t) => n + t.spans.length, 0);
}

async function main() {
  const spans = Number(process.argv[2] ?? 10_240);
  const bodies = await captureExporterBodies(spans);
  let total = 0;
  for (const b of bodies) total += decodeTraces(b, 'protobuf').accepted;
  const rows: Array<{ what: string; spansPerSec: number; lost: number | string; rssMb: number | null; note: string }> = [];

  // Decode only, in this process.
  const t0 = process.hrtime.bigint();
  for (const b of bodies) decodeTraces(b, 'protobuf');
  rows.push({
    what: 'decode only (no HTTP, no store)',
    spansPerSec: total / (Number(process.hrtime.bigint() - t0) / 1e9),
    lost: '—',
    rssMb: null,
    note: 'this process',
  });

  // The transport ceiling.
  const nul = await nullReceiver();
  await post(bodies, nul.url);
  rows.push({
    what: 'null receiver (reads, acknowledges)',
    spansPerSec: total / ((await nul.elapsedMs()) / 1000),
    lost: '—',
    rssMb: null,
    note: 'its own process; first request to last answer',
  });
  nul.stop();

  // Tracefork: the real receiver and store, until every span is stored.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-peers-store-'));
  const sink = await traceforkSink(dir);
  const rssBefore = process.memoryUsage().rss;
  const tf = await benchHttpReplay(bodies, sink, 4);
  rows.push({
    what: 'Tracefork (receiver + journal + index)',
    spansPerSec: tf.spansPerSec,
    lost: total - tf.stored,
    rssMb: Math.max(process.memoryUsage().rss, rssBefore) / 1024 ** 2,
    note: 'stored count from its store',
  });
  sink.close();
  fs.rmSync(dir, { recursive: true, force: true });

  // Arize Phoenix: until its REST API returns every span.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-peers-phoenix-'));
  const phoenix = await startPhoenix(work);
  try {
    const t2 = process.hrtime.bigint();
    const sent = await post(bodies, phoenix.url);
    let seen = 0;
    const deadline = Date.now() + 600_000;
    while ((seen = await phoenixSpanCount(phoenix.url)) < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const secs = Number(process.hrtime.bigint() - t2) / 1e9;
    rows.push({
      what: `Arize Phoenix ${PHOENIX_VERSION} (default local storage)`,
      spansPerSec: seen / secs,
      lost: total - seen,
      rssMb: peakRssMb(phoenix.proc.pid!),
      note: `statuses ${JSON.stringify(sent.statuses)}; until its REST API listed them`,
    });
  } finally {
    await phoenix.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }

  // Jaeger v2 all-in-one (memory storage), built from its Go module: until its query API returns every span.
  const jaeger = ensureJaeger();
  if (typeof jaeger === 'string') rows.push({ what: `Jaeger ${JAEGER_VERSION}`, spansPerSec: 0, lost: '—', rssMb: null, note: `not measured: ${jaeger}` });
  else {
    const otlp = 24318;
    const child = spawn(
      jaeger.bin,
      [`--set=receivers.otlp.protocols.http.endpoint=127.0.0.1:${otlp}`, '--set=receivers.otlp.protocols.grpc.endpoint=127.0.0.1:24317'],
      { stdio: 'ignore' },
    );
    try {
      for (let i = 0; i < 100; i++) {
        if (
          await fetch('http://127.0.0.1:16686/api/services').then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const t3 = process.hrtime.bigint();
      const sent = await post(bodies, `http://127.0.0.1:${otlp}`);
      let seen = 0;
      const deadline = Date.now() + 300_000;
      while ((seen = await jaegerSpanCount()) < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const secs = Number(process.hrtime.bigint() - t3) / 1e9;
      rows.push({
        what: `Jaeger ${JAEGER_VERSION} all-in-one (memory storage)`,
        spansPerSec: seen / secs,
        lost: total - seen,
        rssMb: peakRssMb(child.pid!),
        note: `statuses ${JSON.stringify(sent.statuses)}; until /api/traces listed them${jaeger.built ? `; built from its Go module in ${jaeger.built}` : ''}`,
      });
    } finally {
      child.kill();
    }
  }

  const tfRow = rows.find((r) => r.what.startsWith('Tracefork'))!;
  console.log(`${total.toLocaleString('en-US')} spans in ${bodies.length} protobuf bodies, 4 connections; ${os.cpus().length} cores, Node ${process.version}`);
  console.log('| what | spans/s | vs Tracefork | lost | peak RSS | note |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.what} | ${Math.round(r.spansPerSec).toLocaleString('en-US')} | ${(r.spansPerSec / tfRow.spansPerSec).toFixed(2)}× | ${r.lost} | ${r.rssMb === null ? '—' : `${Math.round(r.rssMb)} MB`} | ${r.note} |`,
    );
}

void main();
