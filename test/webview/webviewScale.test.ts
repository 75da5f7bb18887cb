import * as assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { buildHarness, launchChromium, serveHarness } from './harness';
import { openHarness, until, type HarnessPage } from './page';

const steps = (h: HarnessPage) => h.page.locator('.stat', { hasText: 'Steps' }).locator('.stat-value').textContent();

describe('trace webview at scale and live (dev harness in headless Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serveHarness>>;
  let h: HarnessPage;

  before(async () => {
    buildHarness();
    server = await serveHarness();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    assert.deepEqual(await h.cspViolations(), []);
    assert.deepEqual(h.errors, []);
    await h.close();
  });

  it('keeps fewer than 200 row elements for 100,000 rows and reaches the last row', async () => {
    h = await openHarness(browser, server.url, '?rows=100000');
    assert.equal(await steps(h), '100,000');
    const count = () => h.page.locator('[role=treeitem]').count();
    assert.ok((await count()) < 200, `rows in the DOM: ${await count()}`);
    await h.page.evaluate('document.querySelector("[role=tree]").scrollTop = 1e9');
    const last = h.page.locator('[role=treeitem][data-index="99999"][data-loaded]');
    await last.waitFor();
    assert.ok(await last.isVisible());
    assert.ok((await count()) < 200, `rows in the DOM after scrolling: ${await count()}`);
    await h.page.locator('[role=tree]').focus();
    await h.page.keyboard.press('Home');
    await h.page.locator('[role=treeitem][data-index="0"][aria-selected=true]').waitFor();
    await h.page.keyboard.press('End');
    await h.page.locator('[role=treeitem][data-index="99999"][aria-selected=true]').waitFor();
    const pages = (await h.posted()).filter((m) => m.type === 'getRows');
    assert.ok(pages.length < 10, `asked for ${pages.length} pages of 2000, not the whole trace`);
    assert.equal(new Set(pages.map((m) => m.type === 'getRows' && m.start)).size, pages.length, 'no page asked twice');
  });

  it('live mode: rows arrive without a reload, the selection stays on its step', async () => {
    h = await openHarness(browser, server.url, '?rows=20&live=1');
    await h.page.evaluate('window.__marker = "same document"');
    const before = Number(await steps(h));
    await h.page.locator('[role=treeitem][data-index="3"]').click();
    await until(async () => Number(await steps(h)) >= before + 6, 'two live updates');
    await until(async () => (await h.page.locator('[role=treeitem][data-loaded]').count()) >= before + 6, 'the new rows');
    assert.equal(await h.page.evaluate<string>('window.__marker'), 'same document');
    await h.selectedIs(3);
    const reready = (await h.posted()).filter((m) => m.type === 'ready').length;
    assert.equal(reready, 1);
  });
});
