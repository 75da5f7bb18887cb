/**
 * Tracefork beside the peers a developer would pick instead, on this machine, in one run
 * (`npm run bench:peers [spans]`; not part of the test command). Ingest: the same
 * protobuf bodies captured from the real OTLP exporter (GenAI chat spans with ~2 KB prompts, 50
 * spans per trace) posted over 4 keep-alive connections from a separate process; spans/s until the
 * peer's own query API returns every span; spans lost; the peer's peak RSS. Beside them: decode-only
 * and a null receiver that reads and acknowledges each body (the transport ceiling). Tracefork twice:
 * its receiver and store in this process (as decode-only is), and `tracefork serve` in its own process,
 * timed and weighed as the peers are. Then Tracefork,
 * decode-only and the null receiver again over 10× the spans.
 * Peers: Arize Phoenix (from PyPI, installed into .cache/phoenix-venv, its default local storage) and
 * Jaeger v2 all-in-one (memory storage, built from its Go module into .cache/peers); otel-desktop-viewer
 * cannot be had here (BENCHMARKS.md says why).
 *
 * Then, in the same run: live latency (one span exported at a time by the real exporter → the system
 * shows it: Tracefork's store change event and its Runs view (bench/ui.mjs); each peer's own query API,
 * which its UI reads), and opening one big trace (1,000, 10,000, 100,000 spans) in each UI in the same
 * headless Chromium (Tracefork: bench/ui.mjs, the packaged extension in code-server). The figures go
 * into one table each and a chart (docs/bench-peers.svg).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeTraces } from '../src/core/otlp/decode';
import { benchHttpReplay, captureExporterBodies, traceforkSink, writeBodies } from './httpReplay';
import { nullReceiver } from './nullReceiver';
import { PHOENIX_VERSION, startPhoenix } from '../test/support/phoenix';
import { listJson, startServe } from '../test/support/cli';
import { benchLiveLatency } from './liveLatency';
import { liveToApi, openInUi, percentile, writeChart, type UiOpen } from './peersUi';

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

/**
 * Posts the bodies to `url`, then asks `count` every `pollMs` until it counts `total` spans (or
 * `timeoutMs` passed): the spans it counted, and the seconds from the first post until then.
 */
async function postUntilQueryable(bodies: Buffer[], url: string, total: number, count: () => Promise<number>, pollMs: number, timeoutMs: number) {
  const t = process.hrtime.bigint();
  const sent = await post(bodies, url);
  let seen = 0;
  const deadline = Date.now() + timeoutMs;
  while ((seen = await count()) < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, pollMs));
  return { sent, seen, secs: Number(process.hrtime.bigint() - t) / 1e9 };
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

type IngestRow = { what: string; spansPerSec: number; lost: number | string; rssMb: number | null; note: string };

/** The ingest rows for one workload: decode-only, the null receiver, Tracefork, then (with `peers`) Phoenix and Jaeger. */
async function ingestRows(bodies: Buffer[], total: number, jaeger: JaegerHandle, peers: boolean): Promise<IngestRow[]> {
  const rows: IngestRow[] = [];

  // Decode only, in this process: the best of 3 passes after a warm-up one (one pass over ~5,000
  // spans is too short for the compiler to have warmed up).
  let decodeBest = Infinity;
  for (let pass = 0; pass < 4; pass++) {
    const t0 = process.hrtime.bigint();
    for (const b of bodies) decodeTraces(b, 'protobuf');
    if (pass > 0) decodeBest = Math.min(decodeBest, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  rows.push({
    what: 'decode only (no HTTP, no store)',
    spansPerSec: total / decodeBest,
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

  // Tracefork: the real receiver and store, until every span is stored. Measured as decode-only is:
  // the best of 3 passes (each into a fresh store) after a warm-up one.
  const rssBefore = process.memoryUsage().rss;
  let tf: Awaited<ReturnType<typeof benchHttpReplay>> | undefined;
  let rssPeak = rssBefore;
  let leastStored = Infinity; // spans lost: the worst pass's
  for (let pass = 0; pass < 4; pass++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-peers-store-'));
    const sink = await traceforkSink(dir);
    const r = await benchHttpReplay(bodies, sink, 4);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    leastStored = Math.min(leastStored, r.stored);
    if (pass > 0 && (!tf || r.spansPerSec > tf.spansPerSec)) tf = r;
    sink.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  rows.push({
    what: 'Tracefork (receiver + journal + index)',
    spansPerSec: tf!.spansPerSec,
    lost: total - leastStored,
    rssMb: rssPeak / 1024 ** 2,
    note: 'stored count from its store; best of 3 warm passes, as decode-only',
  });

  if (!peers) return rows;
  rows.push(await traceforkServeRow(bodies, total));
  // Arize Phoenix: until its REST API returns every span.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-peers-phoenix-'));
  const phoenix = await startPhoenix(work);
  try {
    const { sent, seen, secs } = await postUntilQueryable(bodies, phoenix.url, total, () => phoenixSpanCount(phoenix.url), 500, 600_000);
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
  if (typeof jaeger === 'string') rows.push({ what: `Jaeger ${JAEGER_VERSION}`, spansPerSec: 0, lost: '—', rssMb: null, note: `not measured: ${jaeger}` });
  else {
    const j = await startJaeger(jaeger.bin);
    try {
      const { sent, seen, secs } = await postUntilQueryable(bodies, j.otlp, total, jaegerSpanCount, 200, 300_000);
      rows.push({
        what: `Jaeger ${JAEGER_VERSION} all-in-one (memory storage)`,
        spansPerSec: seen / secs,
        lost: total - seen,
        rssMb: peakRssMb(j.pid),
        note: `statuses ${JSON.stringify(sent.statuses)}; until /api/traces listed them${jaeger.built ? `; built from its Go module in ${jaeger.built}` : ''}`,
      });
    } finally {
      await j.stop();
    }
  }

  return rows;
}

/**
 * Tracefork measured as the peers are: `tracefork serve` in its own process (the built CLI, its default
 * storage: journal + index), the bodies posted by the same client, timed until its own query command
 * (`tracefork list --json`, polled every 200 ms as Jaeger's API is) counts every span; its peak RSS.
 */
async function traceforkServeRow(bodies: Buffer[], total: number): Promise<IngestRow> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-peers-serve-'));
  const db = path.join(dir, 'traces.db');
  const serve = await startServe(db);
  try {
    const count = async () => listJson(db).reduce((n, r) => n + r.spanCount, 0);
    const { sent, seen, secs } = await postUntilQueryable(bodies, serve.url, total, count, 200, 300_000);
    return {
      what: 'Tracefork `serve` (its own process, measured as the peers are)',
      spansPerSec: seen / secs,
      lost: total - seen,
      rssMb: peakRssMb(serve.proc.pid!),
      note: `statuses ${JSON.stringify(sent.statuses)}; until \`tracefork list\` counted them`,
    };
  } finally {
    await serve.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const spans = Number(process.argv[2] ?? 10_240);
  const bodies = await captureExporterBodies(spans);
  let total = 0;
  for (const b of bodies) total += decodeTraces(b, 'protobuf').accepted;
  const jaeger = ensureJaeger();
  const rows = await ingestRows(bodies, total, jaeger, true);
  // Tracefork against decode-only again over a 10× longer burst: a pass of ~5,000 spans (tens of ms)
  // is mostly fixed costs. The peers are left out: Phoenix, at ~20 spans/s, would take most of an hour,
  // and Jaeger's query API would answer with ~130 MB of JSON each time it is asked whether all arrived.
  const longBodies = await captureExporterBodies(spans * LONG_FACTOR);
  let longTotal = 0;
  for (const b of longBodies) longTotal += decodeTraces(b, 'protobuf').accepted;
  const longRows = await ingestRows(longBodies, longTotal, jaeger, false);

  const tfRow = rows.find((r) => r.what.startsWith('Tracefork'))!;
  const phoenixIngest = rows.find((r) => r.what.startsWith('Arize Phoenix'))?.spansPerSec ?? 0;
  const header = `${total.toLocaleString('en-US')} spans in ${bodies.length} protobuf bodies, 4 connections; ${os.cpus().length} cores, Node ${process.version}`;
  const live = await liveRows(jaeger);
  const { ui, tfLive } = await uiRows(jaeger, phoenixIngest);
  const uiLive = (v: Array<number | null>, what: string, how: string) => {
    const seen = v.filter((x): x is number => x !== null);
    return { what, p50: percentile(seen, 0.5), p95: percentile(seen, 0.95), seen: `${seen.length} of ${v.length}`, how };
  };
  live.splice(
    1,
    0,
    uiLive(tfLive.spaced, 'Tracefork UI (spans 300 ms apart)', 'to its row painted in the Runs view (bench/ui.mjs: the same exporter, timed in the page)'),
    uiLive(tfLive.burst, 'Tracefork UI, back to back (no pause)', 'the same, with no pause: each waits for VS Code’s 200 ms tree debounce'),
  );

  console.log(`\n## Ingest\n${header}`);
  console.log('| what | spans/s | vs Tracefork | lost | peak RSS | note |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.what} | ${Math.round(r.spansPerSec).toLocaleString('en-US')} | ${(r.spansPerSec / tfRow.spansPerSec).toFixed(2)}× | ${r.lost} | ${r.rssMb === null ? '—' : `${Math.round(r.rssMb)} MB`} | ${r.note} |`,
    );
  const longTf = longRows.find((r) => r.what.startsWith('Tracefork'))!;
  console.log(
    `\n## Ingest, a 10× longer burst (Tracefork and decode-only; the peers left out)\n${longTotal.toLocaleString('en-US')} spans in ${longBodies.length} protobuf bodies, 4 connections`,
  );
  console.log('| what | spans/s | vs Tracefork | lost | peak RSS | note |');
  console.log('|---|---|---|---|---|---|');
  for (const r of longRows)
    console.log(
      `| ${r.what} | ${Math.round(r.spansPerSec).toLocaleString('en-US')} | ${(r.spansPerSec / longTf.spansPerSec).toFixed(2)}× | ${r.lost} | ${r.rssMb === null ? '—' : `${Math.round(r.rssMb)} MB`} | ${r.note} |`,
    );
  const ms = (v: number | null) => (v === null ? '—' : `${Math.round(v).toLocaleString('en-US')} ms`);
  console.log('\n## Live: one span exported → shown');
  console.log('| what | p50 | p95 | seen | how |');
  console.log('|---|---|---|---|---|');
  for (const r of live) console.log(`| ${r.what} | ${ms(r.p50)} | ${ms(r.p95)} | ${r.seen} | ${r.how} |`);
  console.log('\n## Opening one big trace in the UI (headless Chromium)');
  console.log('| what | spans | → first rows | scrolled to the last step | note |');
  console.log('|---|---|---|---|---|');
  for (const r of ui) console.log(`| ${r.what} | ${r.spans.toLocaleString('en-US')} | ${ms(r.firstMs)} | ${ms(r.endMs)} | ${r.note ?? ''} |`);

  const chart = path.resolve(__dirname, '..', 'docs', 'bench-peers.svg');
  fs.mkdirSync(path.dirname(chart), { recursive: true });
  const short = (w: string) => w.replace(/ \(.*\)$/, '');
  writeChart(chart, `Tracefork beside its peers (npm run bench:peers, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores)`, [
    {
      title: `Ingest: ${total.toLocaleString('en-US')} GenAI spans over OTLP/HTTP protobuf until queryable (spans/s, more is better)`,
      unit: 'spans/s',
      bars: rows.map((r) => ({
        label: short(r.what),
        value: r.spansPerSec || null,
        ours: r.what.startsWith('Tracefork'),
        note: r.spansPerSec ? undefined : r.note,
      })),
    },
    {
      title: 'Live: one span exported → shown, p50 (ms, less is better)',
      unit: 'ms',
      bars: live.map((r) => ({ label: short(r.what), value: r.p50, ours: r.what.startsWith('Tracefork'), note: r.p50 === null ? r.how : undefined })),
    },
    ...[...new Set(ui.map((r) => r.spans))].map((n) => ({
      title: `Opening a ${n.toLocaleString('en-US')}-span trace: → first rows (ms, less is better)`,
      unit: 'ms',
      bars: ui
        .filter((r) => r.spans === n)
        .map((r) => ({ label: short(r.what), value: r.firstMs, ours: r.what.startsWith('Tracefork'), note: r.firstMs === null ? r.note : undefined })),
    })),
  ]);
  console.log(`\nchart: ${path.relative(process.cwd(), chart)}`);
}

/** Jaeger, started on its ports, or why it cannot be. */
type JaegerHandle = { bin: string; built: string | null } | string;

/** Starts Jaeger with memory storage; `stop` resolves once it exited (its ports free again). */
async function startJaeger(bin: string): Promise<{ otlp: string; stop: () => Promise<void>; pid: number }> {
  const otlp = 24318;
  const child = spawn(bin, [`--set=receivers.otlp.protocols.http.endpoint=127.0.0.1:${otlp}`, '--set=receivers.otlp.protocols.grpc.endpoint=127.0.0.1:24317'], {
    stdio: 'ignore',
  });
  let up = false;
  for (let i = 0; i < 150 && !up && child.exitCode === null; i++) {
    up = await fetch('http://127.0.0.1:16686/api/services').then(
      (r) => r.ok,
      () => false,
    );
    if (!up) await new Promise((r) => setTimeout(r, 200));
  }
  if (!up) {
    child.kill();
    throw new Error(`Jaeger did not answer on :16686 within 30 s (exit ${child.exitCode}; is another one holding its ports?)`);
  }
  const stop = () => {
    if (child.exitCode !== null) return Promise.resolve();
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill();
    return exited;
  };
  return { otlp: `http://127.0.0.1:${otlp}`, stop, pid: child.pid! };
}

const LIVE_N = 20;
/** The longer ingest burst, as a multiple of the spans asked for. */
const LONG_FACTOR = 10;

/** One span exported at a time → the system shows it, for Tracefork and each peer. */
async function liveRows(jaeger: JaegerHandle) {
  const out: Array<{ what: string; p50: number | null; p95: number | null; seen: string; how: string }> = [];
  const tf = await benchLiveLatency(LIVE_N);
  out.push({
    what: 'Tracefork store (the receiver alone)',
    p50: tf.medianMs,
    p95: tf.p95Ms,
    seen: `${tf.n} of ${tf.n}`,
    how: 'to its store’s change event, which the Runs view and an open panel listen to (they repaint within 150 / 200 ms of it)',
  });
  const summary = (what: string, how: string, v: Array<number | null>) => {
    const got = v.filter((x): x is number => x !== null);
    out.push({ what, p50: percentile(got, 0.5), p95: percentile(got, 0.95), seen: `${got.length} of ${v.length}`, how });
  };
  if (typeof jaeger !== 'string') {
    const j = await startJaeger(jaeger.bin);
    try {
      const v = await liveToApi(
        j.otlp,
        async (id) => {
          const r = await fetch(`http://127.0.0.1:16686/api/traces/${id}`);
          return r.ok && ((await r.json()) as { data?: Array<{ spans: unknown[] }> }).data?.[0]?.spans.length === 1;
        },
        LIVE_N,
      );
      summary(`Jaeger ${JAEGER_VERSION}`, 'to its query API (/api/traces/{id}), which its UI reads when asked; its UI does not update by itself', v);
    } finally {
      await j.stop();
    }
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-peers-phoenix-live-'));
  const phoenix = await startPhoenix(work);
  try {
    const v = await liveToApi(phoenix.url, async (id) => (await phoenix.spans(id)).length === 1, LIVE_N);
    summary(`Arize Phoenix ${PHOENIX_VERSION}`, 'to its REST API (spans of the trace), which its UI reads', v);
  } finally {
    await phoenix.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  return out;
}

const UI_SIZES = (process.env.TRACEFORK_PEERS_UI ?? '1000,10000,100000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
/** Longest Phoenix is given to ingest a trace before its UI is timed. */
const PHOENIX_INGEST_BUDGET_S = 900;

/** One big trace opened in each UI, in the same headless Chromium. */
async function uiRows(jaeger: JaegerHandle, phoenixSpansPerSec: number) {
  const out: Array<UiOpen & { what: string }> = [];
  let tfLive: { spaced: Array<number | null>; burst: Array<number | null> } = { spaced: [], burst: [] };
  // Tracefork: the packaged extension in code-server (bench/ui.mjs), click on the run → first rows.
  const json = path.join(os.tmpdir(), `tf-peers-ui-${process.pid}.json`);
  const r = spawnSync(process.execPath, [path.join(__dirname, 'ui.mjs'), ...UI_SIZES.map(String)], {
    env: { ...process.env, TRACEFORK_BENCH_UI_JSON: json },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status === 0) {
    const got = JSON.parse(fs.readFileSync(json, 'utf8')) as {
      rows: Array<{ n: number; firstRows: number; endMs: number | null; reloaded?: { firstRows: number } }>;
      live: { spaced: Array<number | null>; burst: Array<number | null> };
    };
    tfLive = got.live;
    for (const x of got.rows)
      out.push({
        what: 'Tracefork (the extension in code-server)',
        spans: x.n + 1,
        firstMs: x.firstRows,
        endMs: x.endMs,
        note: `click on the run → first rows; End → last row painted${x.reloaded ? `; after a window reload ${x.reloaded.firstRows} ms` : ''}`,
      });
  } else
    for (const n of UI_SIZES)
      out.push({ what: 'Tracefork (the extension in code-server)', spans: n + 1, firstMs: null, endMs: null, note: `bench/ui.mjs exited ${r.status}` });
  fs.rmSync(json, { force: true });

  // Jaeger built from its Go module serves a placeholder instead of its UI (the UI is built from the jaeger-ui repository with npm, which no registry serves).
  if (typeof jaeger !== 'string') {
    const j = await startJaeger(jaeger.bin);
    try {
      const page = await (await fetch('http://127.0.0.1:16686/')).text();
      const placeholder = /This is not the Jaeger UI you are looking for/.test(page);
      for (const n of UI_SIZES)
        out.push({
          what: `Jaeger ${JAEGER_VERSION}`,
          spans: n + 1,
          firstMs: null,
          endMs: null,
          note: placeholder
            ? 'no UI: its Go module embeds a placeholder page, the UI is built apart (jaeger-ui, not on any registry)'
            : 'its UI is there but not timed by this script',
        });
    } finally {
      await j.stop();
    }
  }

  // Phoenix: its own UI, navigation to the trace → its root row.
  // eslint-disable-next-line @typescript-eslint/ban-ts-comment
  // @ts-ignore -- an ES module of the e2e scripts, without types
  const { launchBrowser } = (await import('../scripts/e2e/browser.mjs')) as {
    launchBrowser: () => Promise<{ page: Parameters<typeof openInUi>[0]; close: () => Promise<void> }>;
  };
  const browser = await launchBrowser();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-peers-phoenix-ui-'));
  const phoenix = await startPhoenix(work);
  try {
    // A warm-up first, not counted (as for Tracefork): the first page of a session loads the UI's code.
    await browser.page.goto(`${phoenix.url}/projects`).catch(() => undefined);
    for (const n of UI_SIZES) {
      const what = `Arize Phoenix ${PHOENIX_VERSION}`;
      const expectS = phoenixSpansPerSec > 0 ? n / phoenixSpansPerSec : Infinity;
      if (expectS > PHOENIX_INGEST_BUDGET_S) {
        out.push({
          what,
          spans: n + 1,
          firstMs: null,
          endMs: null,
          note: `not loaded: at its ${Math.round(phoenixSpansPerSec)} spans/s above, ingesting it would take ~${Math.round(expectS / 60)} min`,
        });
        continue;
      }
      const bodies = await captureExporterBodies(n, n);
      const traceId = decodeTraces(bodies[0]!, 'protobuf').groups[0]!.spans[0]!.traceId;
      await post(bodies, phoenix.url);
      const deadline = Date.now() + PHOENIX_INGEST_BUDGET_S * 1000;
      let seen = 0;
      while ((seen = (await phoenix.spans(traceId)).length) < n + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
      if (seen < n + 1) {
        out.push({ what, spans: n + 1, firstMs: null, endMs: null, note: `its REST API listed ${seen} of ${n + 1} spans after ${PHOENIX_INGEST_BUDGET_S} s` });
        continue;
      }
      // Its own link to a trace by OTel id (it redirects to the project's trace page).
      const res = await openInUi(browser.page, `${phoenix.url}/redirects/traces/${traceId}`, n + 1, 'invoke_agent bench', `chat gpt-4o-mini #${n - 1}`);
      out.push({ what, ...res, note: `navigation to the trace → its root row${res.note ? `; ${res.note}` : ''}` });
    }
  } finally {
    await browser.close();
    await phoenix.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  return { ui: out.sort((a, b) => a.spans - b.spans), tfLive };
}

void main();
