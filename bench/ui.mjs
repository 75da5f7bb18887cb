// `npm run bench:ui [-- SIZES…]`: big runs in the real extension, where the user is. Packages the
// extension, installs it into code-server (the e2e route: .cache/e2e), sends runs of 5, 10,000 and
// 100,000 steps (default; e.g. `-- 5 10000 100000 1000000`) through the extension's receiver, and in
// headless Chromium times, for each run:
// - click on its row in the Runs view → its first rows painted in the trace panel (measured by this
//   process: the rows are in a nested webview frame, so add Playwright's polling, a few ms);
// - End → the last row painted, and ArrowUp → that step's detail shown (both timed inside the webview,
//   from the key event's timestamp to the animation frame that shows it);
// - the extension host's resident memory after the panel opened, after it closed, and once the view
//   worker thread that held the run has ended (retention is raised to 8 GB so that a 1,000,000-step
//   run, ~2 GB, is kept whole).
// Printed as a table beside the 5-step run measured in the same run. Before the big runs, live: one
// span exported at a time by the real OTLP exporter (SimpleSpanProcessor, as a live agent's steps are),
// 20 times, each timed from the span's end to its run's row painted in the Runs view (p50 / p95):
// 300 ms apart (an agent's steps are model and tool calls, further apart than that), then back to
// back (each then waits for VS Code's 200 ms tree debounce).
// Not a test: nothing is asserted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setup } from '../scripts/e2e/setup.mjs';
import { installVsix, startCodeServer } from '../scripts/e2e/codeServer.mjs';
import { launchBrowser, openWorkbench, runCommand } from '../scripts/e2e/browser.mjs';
import { CACHE_DIR, REPO } from '../scripts/e2e/paths.mjs';
import { packageExtension } from '../scripts/package.mjs';
import { installRowProbe, quantile, result } from '../test/e2e/ui/uiProbes.mjs';
import { deleteAllRuns } from '../test/e2e/ui/uiHelpers.mjs';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';

const PORT = 14398;
const SIZES = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
if (!SIZES.length) SIZES.push(5, 10_000, 100_000);
const DIR = path.join(path.dirname(CACHE_DIR), 'bench-ui');
const PROMPT = 'You are a careful travel agent. '.repeat(64).slice(0, 2000);
const log = (m) => console.log(`[bench:ui] ${m}`);

/** One run of `n` steps: an agent root and n-1 chat steps under it (~2 KB prompts), posted in bodies of 1,000 spans. */
async function sendRun(n, name) {
  const traceId = randomBytes(16).toString('hex');
  const rootId = randomBytes(8).toString('hex');
  const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;
  const span = (i) => {
    const start = t0 + BigInt(i) * 1_000_000n;
    const root = i === 0;
    return {
      traceId,
      spanId: root ? rootId : randomBytes(8).toString('hex'),
      parentSpanId: root ? '' : rootId,
      name: root ? name : 'chat gpt-4o-mini',
      kind: root ? 1 : 3,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(root ? start + BigInt(n + 1) * 1_000_000n : start + 900_000n),
      attributes: root
        ? [{ key: 'gen_ai.operation.name', value: { stringValue: 'invoke_agent' } }]
        : [
            { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
            { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
            { key: 'gen_ai.usage.input_tokens', value: { intValue: '512' } },
            { key: 'gen_ai.usage.output_tokens', value: { intValue: '64' } },
            { key: 'gen_ai.input.messages', value: { stringValue: JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `${i} ${PROMPT}` }] }]) } },
          ],
      status: { code: 1 },
    };
  };
  for (let i = 0; i < n; i += 1000) {
    const spans = Array.from({ length: Math.min(1000, n - i) }, (_, k) => span(i + k));
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${PORT}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          resourceSpans: [
            { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench-ui' } }] }, scopeSpans: [{ scope: { name: 'bench' }, spans }] },
          ],
        }),
      });
      if (res.status === 200) break;
      if (res.status !== 503) throw new Error(`the receiver answered ${res.status}: ${await res.text()}`);
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000)); // the store catches up, as an exporter would wait
    }
  }
  return traceId;
}

/** In the webview: after the next key, resolves with ms until `selector` is painted (the key event's timestamp → the frame showing it). */
function installPaintProbe(selector) {
  window.__tfProbe = new Promise((resolve) => {
    let t0 = -1;
    document.addEventListener('keydown', (e) => (t0 = e.timeStamp), { once: true, capture: true });
    const tick = () => {
      if (t0 >= 0 && document.querySelector(selector)) return resolve(performance.now() - t0);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** In the webview: after the next key, ms until the detail pane shows the newly selected step. */
function installDetailProbe() {
  window.__tfProbe = new Promise((resolve) => {
    let t0 = -1;
    const before = document.querySelector('[role="treeitem"][aria-selected="true"]')?.id;
    document.addEventListener('keydown', (e) => (t0 = e.timeStamp), { once: true, capture: true });
    const tick = () => {
      const sel = document.querySelector('[role="treeitem"][aria-selected="true"]');
      const pane = document.querySelector('.detail-pane');
      const want = sel?.querySelector('.name')?.textContent;
      if (
        t0 >= 0 &&
        sel &&
        sel.id !== before &&
        want &&
        pane?.getAttribute('aria-busy') !== 'true' &&
        pane?.querySelector('.detail-name')?.textContent === want
      ) {
        return resolve(performance.now() - t0);
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** The trace panel's content frame (outer webview iframe, then #active-frame) once it shows a loaded row, or null. */
async function rowsFrame(page, timeoutMs) {
  for (const end = Date.now() + timeoutMs; Date.now() < end;) {
    for (const outer of await page.$$('iframe.webview.ready')) {
      const active = await (await outer.contentFrame())?.$('#active-frame');
      const inner = await active?.contentFrame();
      if (inner && (await inner.$('[role="treeitem"][data-loaded="true"]'))) return inner;
    }
    await page.waitForTimeout(5); // a poll interval: the rows are in another frame
  }
  return null;
}

const LIVE_N = 20;

/**
 * Live, in the UI: `LIVE_N` one-span runs exported one at a time by the real exporter, `gapMs` apart
 * (0: back to back); for each, ms from the span's end to its row painted in the Runs view (the page's
 * clock and this process's are the same wall clock), or null when it did not show within 30 s.
 */
async function liveToRunsView(page, gapMs) {
  await runCommand(page, 'Tracefork: Show Runs');
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-ui-live' }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${PORT}/v1/traces` }))],
  });
  const tracer = provider.getTracer('live');
  const out = [];
  try {
    for (let i = 0; i < LIVE_N; i++) {
      const name = `live ${i} ${randomBytes(4).toString('hex')}`;
      await page.evaluate(installRowProbe, [name, '__tfRow']);
      const span = tracer.startSpan(name, { attributes: { 'gen_ai.operation.name': 'invoke_agent' } }, ROOT_CONTEXT);
      span.end();
      const endedAt = Date.now();
      const seenAt = await result(page, 30_000, '__tfRow');
      out.push(seenAt === null ? null : seenAt - endedAt);
      if (gapMs) await page.waitForTimeout(gapMs);
    }
  } finally {
    await provider.shutdown();
  }
  return out;
}

const probeResult = (frame, ms = 60_000) => frame.evaluate((ms) => Promise.race([window.__tfProbe, new Promise((r) => setTimeout(() => r(null), ms))]), ms);

/** Resident memory of the extension host processes, in MB. */
const signed = (v) => (v < 0 ? `−${-v}` : `+${v}`);

/** Worker threads of the extension host (Node names each one's thread "WorkerThread"). */
function workerThreads(server) {
  let n = 0;
  for (const pid of server.extensionHostPids())
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        if (fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() === 'WorkerThread') n++;
      } catch {
        /* the thread ended meanwhile */
      }
    }
  return n;
}

function hostRss(server) {
  let kb = 0;
  for (const pid of server.extensionHostPids()) {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) kb += Number(m[1]);
  }
  return Math.round(kb / 1024);
}

async function main() {
  await setup({ log: (m) => log(`setup: ${m}`) });
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
  const vsix = path.join(DIR, 'tracefork.vsix');
  packageExtension({ extDir: REPO, vsix, repo: REPO, log });
  const workspace = path.join(DIR, 'workspace');
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(
    path.join(workspace, '.vscode', 'settings.json'),
    JSON.stringify({ 'tracefork.receiver.port': PORT, 'tracefork.receiver.grpcPort': 0, 'tracefork.retention.maxMegabytes': 8192 }),
  );
  installVsix(vsix, path.join(DIR, 'extensions'));
  const server = await startCodeServer({
    workspace,
    extensionsDir: path.join(DIR, 'extensions'),
    userDataDir: path.join(DIR, 'user-data'),
    logFile: path.join(DIR, 'code-server.log'),
  });
  const browser = await launchBrowser();
  const rows = [];
  const live = { spaced: [], burst: [] };
  try {
    const { page } = browser;
    await openWorkbench(page, server.url, workspace);
    await page
      .locator('.statusbar-item', { hasText: `Tracefork :${PORT}` })
      .first()
      .waitFor({ timeout: 60_000 });
    /** Opens a run from the Runs view: click → first rows, End → last row, ArrowUp → detail, host RSS. */
    const open = async (name, n) => {
      await runCommand(page, 'Tracefork: Show Runs');
      // Clicked once the run is whole in the store (its row counts every step), as a user would open a finished run.
      const row = page
        .locator('.pane-body .monaco-list-row', { hasText: name })
        .filter({ hasText: new RegExp(`${n} steps · `) })
        .first();
      await row.waitFor({ timeout: 300_000 });
      const before = hostRss(server);
      const t = Date.now();
      await row.click();
      const tab = page.locator('.tabs-container .tab', { hasText: `${n} step` }).first();
      await tab.waitFor({ timeout: 120_000 });
      const frame = await rowsFrame(page, 120_000);
      if (!frame) throw new Error(`the ${n}-step run's rows never showed`);
      const firstRows = Date.now() - t;
      const opened = hostRss(server);
      const threadsOpen = workerThreads(server);
      await frame.locator('[role="treeitem"][data-loaded="true"]').first().click();
      await frame.evaluate(installPaintProbe, `[role="treeitem"][data-index="${n - 1}"][data-loaded="true"][aria-selected="true"]`);
      await page.keyboard.press('End');
      const endMs = await probeResult(frame);
      await frame.evaluate(installDetailProbe);
      await page.keyboard.press('ArrowUp');
      const detailMs = await probeResult(frame);
      await runCommand(page, 'View: Close All Editors');
      await page.waitForTimeout(3000); // not a condition: time for the host to collect what the panel held
      const closed = hostRss(server);
      // The view worker ends once it has held no run for 10 s: its heap goes back with its thread.
      // Waited for after the biggest run only: a thread that ended is started again by the next open,
      // which would then be timed from a cold thread (a different case from the runs before).
      let released = null;
      for (let i = 0; i < 120 && released === null && n === Math.max(...SIZES); i++) {
        if (workerThreads(server) < threadsOpen) released = hostRss(server);
        else await page.waitForTimeout(250);
      }
      return { firstRows, endMs, detailMs, before, opened, closed, released };
    };
    const ms = (v) => (v === null ? 'no answer' : `${Math.round(v)} ms`);
    // Live first, into an empty store; its 40 runs are deleted after, so that they do not push the big runs' rows out of sight.
    for (const [key, gap] of /** @type {const} */ ([
      ['spaced', 300],
      ['burst', 0],
    ])) {
      const v = (live[key] = await liveToRunsView(page, gap));
      log(
        `live, ${gap} ms apart: span end → its row in the Runs view p50 ${ms(quantile(v, 0.5))}, p95 ${ms(quantile(v, 0.95))} (${v.filter((x) => x !== null).length} of ${v.length} shown)`,
      );
    }
    await deleteAllRuns(page, (title) => runCommand(page, title), PORT);
    // A warm-up run first, not counted: the first panel of a window also loads the webview's code.
    const runs = [5, ...SIZES].map((n, k) => ({ n, name: k === 0 ? 'bench-ui warm-up' : `bench-ui ${n} steps` }));
    for (const [k, { n, name }] of runs.entries()) {
      const t = Date.now();
      await sendRun(n, name);
      const sendMs = Date.now() - t;
      const r = await open(name, n);
      if (k === 0) continue;
      rows.push({ n, sendMs, ...r, reloaded: /** @type {typeof r | null} */ (null) });
      log(`${n} steps: sent in ${sendMs} ms; click → first rows ${r.firstRows} ms; End → last row ${ms(r.endMs)}; ArrowUp → detail ${ms(r.detailMs)}`);
    }
    // Then the same runs after a window reload: a new extension host, which holds no run, opens them
    // from the store (big ones from the rows saved beside it once they were laid out).
    log('reloading the window');
    await openWorkbench(page, server.url, workspace);
    await page
      .locator('.statusbar-item', { hasText: `Tracefork :${PORT}` })
      .first()
      .waitFor({ timeout: 120_000 });
    for (const [k, { n, name }] of runs.entries()) {
      const r = await open(name, n);
      if (k === 0) continue;
      rows.find((x) => x.n === n).reloaded = r;
      log(`${n} steps after a reload: click → first rows ${r.firstRows} ms; End → last row ${ms(r.endMs)}; ArrowUp → detail ${ms(r.detailMs)}`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  // For bench:peers, which sets Tracefork's figures beside the peers'.
  if (process.env.TRACEFORK_BENCH_UI_JSON) fs.writeFileSync(process.env.TRACEFORK_BENCH_UI_JSON, JSON.stringify({ rows, live }));
  const base = rows.find((r) => r.n === Math.min(...SIZES));
  const ms = (v) => (v === null ? 'no answer' : `${Math.round(v)} ms`);
  console.log(
    '\n| steps | click → first rows | vs the smallest run | End → last row | ArrowUp → detail | extension host RSS: before, panel open, closed, view thread ended | after a reload: click → first rows | vs the smallest run | End | detail |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const a = r.reloaded;
    console.log(
      `| ${r.n.toLocaleString('en-US')} | ${r.firstRows} ms | ${signed(r.firstRows - base.firstRows)} ms | ${ms(r.endMs)} | ${ms(r.detailMs)} | ${r.before} / ${r.opened} / ${r.closed} / ${r.released ?? '—'} MB | ${a ? `${a.firstRows} ms | ${signed(a.firstRows - (base.reloaded?.firstRows ?? 0))} ms | ${ms(a.endMs)} | ${ms(a.detailMs)}` : '— | — | — | —'} |`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
