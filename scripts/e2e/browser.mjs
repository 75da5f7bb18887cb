// Headless Debian Chromium driven by playwright-core, and helpers for VS Code's workbench:
// open a folder, run a command from the palette, reach a webview's content, save a screenshot.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, OUTPUT_DIR } from './paths.mjs';

/** Flags that keep Chromium off the (closed) network and quiet as root in a container. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium with a fresh profile; returns { context, page, close() } (close also removes the profile). */
export async function launchBrowser({ viewport = { width: 1440, height: 900 } } = {}) {
  // Playwright refuses --user-data-dir in args: the profile folder is launchPersistentContext's first argument.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tracefork-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    viewport,
    timeout: 60_000,
    // Crash reports and caches go inside the profile, not the home folder.
    env: { ...process.env, XDG_CONFIG_HOME: path.join(profile, 'xdg-config'), XDG_CACHE_HOME: path.join(profile, 'xdg-cache') },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  return {
    context,
    page,
    close: async () => {
      if (closed) return;
      closed = true;
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the workbench on `folder` and waits until it and its status bar are rendered. */
export async function openWorkbench(page, url, folder, { timeout = 60_000 } = {}) {
  await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`, { timeout });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
  await page.locator('.statusbar').waitFor({ state: 'visible', timeout });
}

/** Runs a command by its palette title: F1, `>title`, wait for its row, Enter (or a click when another row has focus). */
export async function runCommand(page, title, { timeout = 15_000 } = {}) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await openPalette(page, input, timeout);
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout });
  const focused = page.locator('.quick-input-list .monaco-list-row.focused').first();
  const focusedText = (await focused.count()) ? await focused.innerText() : '';
  if (focusedText.includes(title)) await input.press('Enter');
  else await row.click();
  await page
    .locator('.quick-input-widget')
    .waitFor({ state: 'hidden', timeout })
    .catch(() => {});
}

/**
 * F1, and the palette's input visible. A key press can land where the workbench does not see it (focus
 * left in an element that a re-render removed, as the trust editor's button after Trust): then the
 * palette opens from the workbench's own key handler after a click on its title area, or from
 * Ctrl+Shift+P. A modal dialog in the way is named in the error instead of a bare timeout.
 * @param {import('playwright-core').Page} page
 * @param {import('playwright-core').Locator} input
 * @param {number} timeout
 */
async function openPalette(page, input, timeout) {
  const attempts = [
    async () => page.keyboard.press('F1'),
    async () => {
      await page.keyboard.press('Escape');
      const title = page.locator('.part.titlebar, .part.statusbar').first();
      await title.focus().catch(() => {});
      await page.keyboard.press('F1');
    },
    async () => page.keyboard.press('Control+Shift+P'),
  ];
  const each = Math.max(3000, Math.floor(timeout / attempts.length));
  let last;
  for (const [i, attempt] of attempts.entries()) {
    await attempt();
    try {
      await input.waitFor({ state: 'visible', timeout: each });
      if (i) process.stderr.write(`  (the command palette opened on attempt ${i + 1})\n`);
      return;
    } catch (e) {
      last = e;
    }
  }
  const dialog = page.locator('.monaco-dialog-box');
  const blocking = (await dialog.count()) ? ` (a dialog is open: ${JSON.stringify((await dialog.first().innerText()).slice(0, 300))})` : '';
  throw new Error(`the command palette did not open${blocking}: ${/** @type {Error} */ (last).message}`);
}

/** The content frame of the active webview (VS Code nests it: outer iframe, then #active-frame). */
export function webviewFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Saves a full-window PNG under .test-output/e2e/ and returns its path. */
export async function screenshot(page, name) {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, `${String(name).replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file });
  return file;
}
