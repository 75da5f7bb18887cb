// Runs every test/e2e/ui/*.test.mjs against a running code-server, each in a fresh page with
// the workbench already open. A test module exports `default async function (ctx)` and may
// export `timeout` (ms, default 120000) and `untrusted = true` (it then runs only against a
// code-server with Workspace Trust on, where the folder opens untrusted). A failed test leaves a
// screenshot `FAILED-<name>.png`.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openWorkbench, runCommand, screenshot, webviewFrame } from './browser.mjs';
import { REPO, since } from './paths.mjs';

export const UI_DIR = path.join(REPO, 'test', 'e2e', 'ui');

/** The UI test files whose `untrusted` export is `untrusted` (a module that fails to load is listed with the trusted ones, to fail there). */
export async function uiTestFiles({ untrusted = false, dir = UI_DIR } = {}) {
  const only = process.env.TRACEFORK_E2E_ONLY; // e.g. "untrusted": only the UI tests whose file name contains it
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.test.mjs') && (!only || only.split(',').some((o) => f.includes(o))))
        .sort()
    : [];
  const out = [];
  for (const f of files) {
    const file = path.join(dir, f);
    const wantsUntrusted = await import(pathToFileURL(file).href).then(
      (m) => m.untrusted === true,
      () => false,
    );
    if (wantsUntrusted === untrusted) out.push(file);
  }
  return out;
}

/** Runs the UI tests (those for an untrusted workspace when `untrusted`) one after another; resolves with { passed, failed }. */
export async function runUiTests({ context, server, workspace, log, untrusted = false, dir = UI_DIR }) {
  const totals = { passed: 0, failed: 0 };
  for (const file of await uiTestFiles({ untrusted, dir })) {
    const ok = await runOne({ file, context, server, workspace, log });
    if (ok) totals.passed++;
    else totals.failed++;
  }
  return totals;
}

/** The workbench is drawn before its extension host starts: wait until the server has one. */
async function waitForExtensionHost(server, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (server.extensionHostPids().length === 0) {
    if (Date.now() > deadline) throw new Error(`no extension host started within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function runOne({ file, context, server, workspace, log }) {
  const name = path.basename(file, '.test.mjs');
  const t = Date.now();
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  let timer;
  try {
    const mod = await import(pathToFileURL(file).href);
    if (typeof mod.default !== 'function') throw new Error(`${file} has no default export function`);
    const timeoutMs = Number(mod.timeout ?? 120_000);
    await openWorkbench(page, server.url, workspace);
    await waitForExtensionHost(server);
    // The workbench restores the editors and groups an earlier test (or the in-host suite) left: a
    // narrow trace panel beside them, or a second trace panel, fails the next test. Once the
    // extension is up (its status bar item: restored panels are revived by then), every test
    // starts from one empty editor group.
    await page
      .locator('.statusbar-item', { hasText: 'Tracefork' })
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(() => {});
    await runCommand(page, 'View: Close All Editor Groups').catch((e) => log(`  could not close the editors left open: ${e.message}`));
    await page
      .locator('.tabs-container .tab')
      .first()
      .waitFor({ state: 'detached', timeout: 10_000 })
      .catch(() => log('  an editor tab is still open after closing all editor groups'));
    const ctx = {
      page,
      url: server.url,
      workspace,
      codeServer: server,
      assert,
      screenshot: (n) => screenshot(page, `${name}-${n}`),
      runCommand: (title, opts) => runCommand(page, title, opts),
      webviewFrame: () => webviewFrame(page),
      openWorkbench: (folder = workspace) => openWorkbench(page, server.url, folder),
    };
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000}s`)), timeoutMs);
    });
    await Promise.race([mod.default(ctx), timeout]);
    log(`ui ${name}: passed (${since(t)})`);
    return true;
  } catch (e) {
    const shot = await screenshot(page, `FAILED-${name}`).catch(() => null);
    log(`ui ${name}: FAILED (${since(t)}): ${e?.stack ?? e}`);
    if (pageErrors.length) log(`  page errors:\n    ${pageErrors.slice(-5).join('\n    ')}`);
    if (shot) log(`  screenshot: ${path.relative(REPO, shot)}`);
    return false;
  } finally {
    clearTimeout(timer);
    await page.close().catch(() => {});
    // Its extension host lingers for the reconnection grace time and may hold ports: wait it out.
    await server.waitForNoExtensionHost().catch((e) => log(`  ${e.message}`));
  }
}
