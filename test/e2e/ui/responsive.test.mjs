// The UI stays responsive while agents export at full speed: 8 processes running the real OTLP
// proto exporter (bench/exporterClient.ts: batches of 512, ~2 KB prompts) send to the extension's
// receiver inside the real VS Code, and meanwhile the test keeps using the UI: ArrowDown in the
// trace panel (selection, and the next step's detail, which the panel fetched ahead), PageDown (a
// step whose detail comes from the extension host: a round trip), a command that answers
// from the extension host (Filter Runs… → its quick pick), and, alongside, a run appearing in the
// Runs view.
// Beside them, the same kinds of answer from VS Code alone, as baselines measured in the same run:
// F1 → the command palette (the browser's own), and a new folder in the workspace → its row in the
// Explorer, which the test moves next to the Runs view (code-server's server → the workbench's tree,
// as a new run takes).
// Prints p50/p95/max idle and under load. Asserts that every action was answered and that no
// span was lost (created = acknowledged = stored); speed is measured, not asserted.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { installCommandProbe, installKeyProbe, installPaletteProbe, installRowProbe, result, summary } from './uiProbes.mjs';
import { deleteAllRuns, openRunFromView } from './uiHelpers.mjs';

export const timeout = 240_000;
const PORT = 14318; // test/e2e/workspace/.vscode/settings.json
const RECEIVER = `http://127.0.0.1:${PORT}`;
const REPO = path.resolve(new URL('.', import.meta.url).pathname, '../../..');
const CLIENTS = 8;
const SPANS_EACH = Number(process.env.TRACEFORK_E2E_LOAD_SPANS || 40_000);
const LOAD_BOUND_MS = 120_000; // exporters still running then are stopped and the test fails
const PANEL_STEPS = 400;

/** @param {import('../../../scripts/e2e/types').UiTestContext} ctx */
export default async function ({ page, runCommand, screenshot, workspace }) {
  await page
    .locator('.statusbar-item', { hasText: `Tracefork :${PORT}` })
    .first()
    .waitFor({ timeout: 30_000 });
  assert.equal((await post(panelTrace())).status, 200);
  // The Runs view re-sorts as verdicts land: click until that run's panel is open (the only one).
  await openRunFromView(page, runCommand, 'responsiveness panel');
  const frame = await webviewContent(page);
  await frame.locator('[role="treeitem"][data-loaded="true"]').first().click();
  await moveExplorerBesideRuns(page, workspace);
  const ui = { page, frame, workspace, n: 0, rows: 0 };

  const idle = newFigures();
  const idling = () => idle.select.length < 12 || idle.jump.length < 6 || idle.command.length < 6 || idle.runsView.length < 6 || idle.folder.length < 6;
  await Promise.all([sampleWhile(idling, () => sample(ui, idle, assert)), sampleWhile(idling, () => rowSample(ui, idle, assert))]);

  const t0 = Date.now();
  const clients = Array.from({ length: CLIENTS }, () => startExporter());
  const loaded = newFigures();
  const loading = () => clients.some((c) => c.running) && Date.now() - t0 < LOAD_BOUND_MS;
  try {
    await Promise.all([sampleWhile(loading, () => sample(ui, loaded, assert)), sampleWhile(loading, () => rowSample(ui, loaded, assert))]);
  } finally {
    for (const c of clients) if (c.running) c.child.kill('SIGKILL');
  }
  const done = await Promise.all(clients.map((c) => c.done));
  const loadSecs = (Date.now() - t0) / 1000;
  await screenshot('under-load');

  const created = done.reduce((n, r) => n + r.created, 0);
  const acked = done.reduce((n, r) => n + r.sent, 0);
  const errors = [...new Set(done.flatMap((r) => r.errors))];
  const stored = await storedBenchSpans(page, created);
  console.log(
    `  ${CLIENTS} exporters: ${created} spans created, ${acked} acknowledged, ${stored} stored in ${loadSecs.toFixed(1)} s (${Math.round(created / loadSecs)} spans/s); exporter errors: ${errors.join('; ') || 'none'}`,
  );
  for (const [what, key] of [
    ['ArrowDown → selection shown', 'select'],
    ['ArrowDown → step detail shown (fetched ahead)', 'detail'],
    ['PageDown → step detail shown (host round trip)', 'jump'],
    ['Enter on "Filter Runs…" → its quick pick (host round trip)', 'command'],
    ['POST of a run → row in the Runs view', 'runsView'],
    ['  of which the POST (stored, acknowledged)', 'runsViewPost'],
    ['baseline, VS Code alone: F1 → command palette shown', 'palette'],
    ['baseline, VS Code alone: new folder in the workspace → row in the Explorer', 'folder'],
  ]) {
    console.log(`  ${what}: idle ${summary(idle[key])}; under load ${summary(loaded[key])}`);
  }
  assert.deepEqual(errors, [], 'no exporter error');
  assert.equal(acked, created, 'every span acknowledged');
  assert.equal(stored, created, 'every span stored');
  for (const key of ['select', 'detail', 'jump', 'command', 'runsView', 'palette', 'folder'])
    assert.ok(loaded[key].length >= 2, `the UI answered ${key} during the load (${loaded[key].length})`);

  await runCommand('View: Reset View Locations'); // the Explorer back in its own container
  await deleteAllRuns(page, runCommand, PORT); // later tests start from an empty Runs view
}

function newFigures() {
  return { select: [], detail: [], jump: [], command: [], runsView: [], runsViewPost: [], palette: [], folder: [] };
}

async function sampleWhile(cond, fn) {
  while (cond()) await fn();
}

/** One UI action, in turn: two ArrowDowns in the trace panel, a PageDown, then a command round trip. */
async function sample(ui, figures, assert) {
  const kind = ['key', 'key', 'page', 'command'][ui.n++ % 4];
  if (kind === 'key' || kind === 'page') {
    if (!(await ui.frame.evaluate(installKeyProbe))) {
      await ui.frame.locator('[role="treeitem"][aria-selected="true"]').click(); // focus the tree; the selection stays
      assert.ok(await ui.frame.evaluate(installKeyProbe), 'the step tree has the focus');
    }
    await ui.page.keyboard.press(kind === 'key' ? 'ArrowDown' : 'PageDown');
    const r = await result(ui.frame);
    assert.ok(r, `the trace panel answered ${kind === 'key' ? 'ArrowDown' : 'PageDown'} within 30 s`);
    if (kind === 'key') {
      figures.select.push(r.select);
      figures.detail.push(r.detail);
    } else figures.jump.push(r.detail);
    if (r.index >= PANEL_STEPS - 1) await ui.page.keyboard.press('Home'); // wrap around (not timed)
  } else if (kind === 'command') {
    await ui.page.evaluate(installPaletteProbe);
    await ui.page.keyboard.press('F1');
    const shown = await result(ui.page);
    assert.ok(shown !== null, 'the command palette opened within 30 s');
    figures.palette.push(shown);
    const input = ui.page.locator('.quick-input-widget .quick-input-box input');
    await input.fill('>Tracefork: Filter Runs');
    await ui.page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Filter Runs' }).waitFor({ timeout: 30_000 });
    await ui.page.evaluate(installCommandProbe, 'Failing runs only');
    await input.press('Enter');
    const ms = await result(ui.page);
    assert.ok(ms !== null, 'the extension host answered the command within 30 s');
    figures.command.push(ms);
    await ui.page.keyboard.press('Escape');
    await ui.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 30_000 });
  }
}

/** In turn: a run appearing in the Runs view, then a folder appearing in the Explorer (beside the other samples). */
async function rowSample(ui, figures, assert) {
  await (ui.rows++ % 2 === 0 ? runsViewSample : folderSample)(ui, figures, assert);
  await ui.page.waitForTimeout(250);
}

/** A one-step run posted to the receiver, timed until its row shows in the Runs view. */
async function runsViewSample(ui, figures, assert) {
  const name = `probe ${figures.runsView.length} ${randomBytes(4).toString('hex')}`;
  await ui.page.evaluate(installRowProbe, [name, '__tfRow']);
  const sentAt = Date.now();
  assert.equal((await post(probeTrace(name))).status, 200);
  figures.runsViewPost.push(Date.now() - sentAt); // the receiver has stored it: the rest is the host and VS Code
  const seenAt = await result(ui.page, 30_000, '__tfRow');
  assert.ok(seenAt !== null, 'the Runs view showed a new run within 30 s');
  figures.runsView.push(seenAt - sentAt);
}

/**
 * The baseline beside it: a folder made in the workspace, timed until its row shows in the Explorer
 * (VS Code's file watcher in code-server's server → the workbench). Named to sort first; removed after.
 */
async function folderSample(ui, figures, assert) {
  const name = `0probe-${figures.folder.length}-${randomBytes(4).toString('hex')}`;
  await ui.page.evaluate(installRowProbe, [name, '__tfFolder']);
  const madeAt = Date.now();
  fs.mkdirSync(path.join(ui.workspace, name));
  const seenAt = await result(ui.page, 30_000, '__tfFolder');
  fs.rmdirSync(path.join(ui.workspace, name));
  assert.ok(seenAt !== null, 'the Explorer showed a new folder within 30 s');
  figures.folder.push(seenAt - madeAt);
}

/** Moves the Explorer's folder view into the Tracefork side bar, under the Runs view, with "View: Move View". */
async function moveExplorerBesideRuns(page, workspace) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill('>View: Move View');
  // Down the list to the command itself (the ones above it match the words too), by its label alone.
  const focused = page.locator('.quick-input-list .monaco-list-row.focused').first();
  const label = () => focused.evaluate((row) => (row.querySelector('.label-name') ?? row).textContent?.trim());
  await focused.waitFor({ timeout: 30_000 });
  for (let i = 0, now = await label(); now !== 'View: Move View'; i++) {
    const rows = await page.locator('.quick-input-list .monaco-list-row').allTextContents();
    if (i === 12) throw new Error(`the command palette shows no "View: Move View": ${rows.join(' | ')}`);
    await input.press('ArrowDown');
    for (let t = 0, was = now; t < 100 && (now = await label()) === was; t++) await page.waitForTimeout(10); // the focus has moved
  }
  await input.press('Enter');
  await input.fill('Folders');
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Folders' }).waitFor({ timeout: 30_000 });
  await input.press('Enter');
  await input.fill('Tracefork');
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Tracefork' }).waitFor({ timeout: 30_000 });
  await input.press('Enter');
  await page
    .locator('.pane-header', { hasText: path.basename(workspace) })
    .first()
    .waitFor({ timeout: 30_000 });
}

/** The trace panel's content frame (VS Code nests it: outer iframe, then #active-frame). */
async function webviewContent(page) {
  const outer = await page.locator('iframe.webview.ready').first().elementHandle();
  const inner = await (await outer.contentFrame()).waitForSelector('#active-frame', { state: 'attached' });
  const frame = await inner.contentFrame();
  await frame.waitForSelector('[role="treeitem"][data-loaded="true"]', { timeout: 30_000 });
  return frame;
}

/** One exporter process; `done` resolves with its { created, sent, errors } line. */
function startExporter() {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'bench', 'exporterClient.ts'), String(SPANS_EACH)], {
    cwd: REPO,
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: RECEIVER },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const c = { child, running: true, done: null };
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  c.done = new Promise((resolve) =>
    child.on('exit', (code, sig) => {
      c.running = false;
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        resolve({ created: SPANS_EACH + Math.ceil(SPANS_EACH / 50), sent: 0, errors: [`exporter exited ${sig ?? code}: ${err.slice(-300)}`] });
      }
    }),
  );
  return c;
}

/** Spans of the exporters' runs in the store, read with the CLI beside the extension (waits up to 30 s for `expected`). */
async function storedBenchSpans(page, expected) {
  const info = await fetch(`${RECEIVER}/tracefork/info`).then((r) => r.json());
  let stored = 0;
  for (let i = 0; i < 30 && stored < expected; i++) {
    if (i) await page.waitForTimeout(1000);
    const list = spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'list', '--db', info.db, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    stored = JSON.parse(list.stdout || '[]')
      .filter((t) => t.name === 'invoke_agent bench')
      .reduce((n, t) => n + t.spanCount, 0);
  }
  return stored;
}

function post(body) {
  return fetch(`${RECEIVER}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

const ns = (ms) => String(BigInt(Math.round(ms)) * 1_000_000n);
const id = (bytes) => randomBytes(bytes).toString('hex');
const attrs = (o) => Object.entries(o).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } }));
const otlp = (spans) => ({
  resourceSpans: [{ resource: { attributes: attrs({ 'service.name': 'responsiveness-test' }) }, scopeSpans: [{ scope: { name: 'e2e' }, spans }] }],
});

/** A run of PANEL_STEPS chat steps under one root, to move through with the keyboard. */
function panelTrace() {
  const traceId = id(16);
  const root = id(8);
  const t = Date.now() - 60_000;
  const steps = Array.from({ length: PANEL_STEPS }, (_, i) => ({
    traceId,
    spanId: id(8),
    parentSpanId: root,
    name: `step ${i}`,
    kind: 3,
    startTimeUnixNano: ns(t + i * 10),
    endTimeUnixNano: ns(t + i * 10 + 8),
    attributes: attrs({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 40,
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `question ${i}` }] }]),
    }),
  }));
  return otlp([
    { traceId, spanId: root, name: 'responsiveness panel', kind: 1, startTimeUnixNano: ns(t), endTimeUnixNano: ns(t + PANEL_STEPS * 10) },
    ...steps,
  ]);
}

/** A one-step run dated an hour ahead, so it sorts first in the Runs view whatever else arrives. */
function probeTrace(name) {
  const t = Date.now() + 3_600_000;
  return otlp([{ traceId: id(16), spanId: id(8), name, kind: 1, startTimeUnixNano: ns(t), endTimeUnixNano: ns(t + 5) }]);
}
