import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import type { FromWebview } from '../../src/shared/protocol';
import { buildHarness, launchChromium, serveHarness } from './harness';
import { openHarness, until, type HarnessPage } from './page';

const SHOTS = path.resolve(__dirname, '../../.test-output/webview');
const row = (h: HarnessPage, i: number) => h.page.locator(`[role=treeitem][data-index="${i}"]`);

describe('trace webview (dev harness in headless Chromium, host CSP)', function () {
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
    if (!h) return;
    assert.deepEqual(await h.cspViolations(), [], 'no CSP violation');
    assert.deepEqual(h.errors, [], 'no page or console error');
    await h.close();
  });

  it('renders the tree with kind icons and marks the failing row', async () => {
    h = await openHarness(browser, server.url, '?rows=300');
    const root = row(h, 0);
    assert.equal(await root.getAttribute('aria-level'), '1');
    assert.equal(await root.getAttribute('aria-expanded'), 'true');
    assert.equal(await root.locator('svg.kind-icon.kind-agent use').getAttribute('href'), '#codicon-hubot');
    assert.equal(await row(h, 1).locator('svg.kind-icon.kind-llm use').getAttribute('href'), '#codicon-sparkle');
    assert.equal(await h.page.locator('symbol#codicon-hubot path').count(), 4, 'the sprite holds the codicon paths');
    assert.match((await h.page.locator('symbol#codicon-sparkle path').getAttribute('d'))!, /^M5\.46524/);
    const failing = row(h, 2);
    assert.match((await failing.getAttribute('class'))!, /\bfailed\b/);
    assert.equal(await failing.locator('svg.status-error').count(), 1);
    assert.match((await failing.getAttribute('title'))!, /TimeoutError/);
    assert.equal(await h.page.locator('.stat-errors .stat-value').textContent(), String(await h.page.locator('[role=treeitem].failed').count()));
  });

  it('moves the selection with the keyboard; Left collapses, Right expands', async () => {
    h = await openHarness(browser, server.url, '?rows=300');
    const rows = () => h.page.locator('[role=treeitem]').count();
    await h.page.locator('[role=tree]').focus();
    await h.page.keyboard.press('ArrowDown');
    await h.selectedIs(0); // the first ArrowDown selects the first row
    await h.page.keyboard.press('ArrowDown');
    await h.selectedIs(1);
    await h.page.keyboard.press('End');
    await h.selectedIs(299);
    assert.ok(await row(h, 299).isVisible(), 'End scrolls the last row into view');
    await h.page.keyboard.press('Home');
    await h.selectedIs(0);
    await h.page.keyboard.press('ArrowLeft');
    await h.page.locator('[data-index="0"][aria-expanded=false]').waitFor();
    await until(async () => (await rows()) === 1, 'the root to hide its 299 descendants');
    await h.page.keyboard.press('ArrowRight');
    await until(async () => (await rows()) > 20, 'the root to show its children again');
    await h.page.keyboard.press('ArrowRight');
    await h.selectedIs(1); // Right on an expanded row goes to its first child
    await h.page.keyboard.press('ArrowLeft');
    await h.selectedIs(0); // Left on a leaf goes to the parent
    await h.page.keyboard.press('PageDown');
    const selectedIndex = async () => Number(await h.page.locator('[role=treeitem][aria-selected=true]').getAttribute('data-index'));
    await until(async () => (await selectedIndex()) > 20, 'PageDown to move a page');
  });

  it('Enter, Alt+Enter and double-click post openSource', async () => {
    h = await openHarness(browser, server.url, '?rows=300');
    await row(h, 1).click();
    await h.page.keyboard.press('Enter');
    await h.page.keyboard.press('Alt+Enter');
    await row(h, 4).dblclick();
    const opens = (await h.posted()).filter((m) => m.type === 'openSource');
    assert.deepEqual(opens, [
      { type: 'openSource', spanId: '0000000000000001', toSide: false },
      { type: 'openSource', spanId: '0000000000000001', toSide: true },
      { type: 'openSource', spanId: '0000000000000004', toSide: false },
    ]);
  });

  it('shows the conversation; a prompt with <script> and </script> stays text and runs nothing', async () => {
    h = await openHarness(browser, server.url, '?rows=300');
    await row(h, 1).click();
    const user = h.page.locator('.detail-pane .message.role-user .message-content');
    await user.waitFor();
    const text = (await user.textContent())!;
    assert.ok(text.includes('<script>window.__xss = 1; alert(1)</script>'), text);
    assert.ok(text.includes('</script><img src=x onerror="window.__xss = 2">'));
    assert.ok(text.includes('\\x1b[31mred ANSI text\\x1b[0m'), 'ANSI escapes shown as \\x1b, not interpreted');
    assert.equal(await h.page.locator('.detail-pane script, .detail-pane img, .detail-pane b').count(), 0);
    assert.equal(await h.page.locator('.message.role-tool .tool-result-of').textContent(), 'result of call_1');
    assert.match((await h.page.locator('.tool-call .pre').first().textContent())!, /"query": "refund policy for damaged items"/);
    await h.page.locator('[role=tree]').focus();
    fs.mkdirSync(SHOTS, { recursive: true });
    await h.page.screenshot({ path: path.join(SHOTS, 'trace.png') });
    await h.page.locator('.section-title', { hasText: 'Attributes' }).click();
    assert.equal(await h.page.locator('td', { hasText: '<b>this is not bold</b> & stays text' }).count(), 1);
    await h.page.waitForTimeout(100);
    assert.equal(await h.page.evaluate<unknown>('window.__xss'), undefined);
    assert.deepEqual(h.dialogs, []);
  });

  it("shows the next step's detail on ArrowDown from what it fetched ahead, with no request of its own", async () => {
    h = await openHarness(browser, server.url, '?rows=300');
    const asked = async (spanId: string) => (await h.posted()).filter((m) => m.type === 'getDetail' && m.spanId === spanId).length;
    const shows = (i: number) => async () =>
      (await h.page.locator('.detail-pane .detail-name').textContent()) === (await row(h, i).locator('.name').textContent()) &&
      (await h.page.locator('.detail-pane').getAttribute('aria-busy')) !== 'true';
    await row(h, 3).click();
    await until(shows(3), "row 3's detail");
    await until(async () => (await asked('0000000000000004')) === 1, 'row 4 fetched ahead');
    await h.page.keyboard.press('ArrowDown');
    await h.selectedIs(4);
    await until(shows(4), "row 4's detail");
    assert.equal(await asked('0000000000000004'), 1, 'row 4 was asked for once, ahead, and not again');
    await until(async () => (await asked('0000000000000005')) === 1, 'row 5 fetched ahead in turn');
    await h.page.keyboard.press('ArrowUp');
    await until(shows(3), "row 3's detail again");
    assert.equal(await asked('0000000000000003'), 1, 'row 3 shown again from what was kept');
  });

  it('shows a failed step with its error and stack trace', async () => {
    h = await openHarness(browser, server.url, '?rows=300');
    await row(h, 2).click();
    await h.page.locator('.error-box').waitFor();
    assert.match((await h.page.locator('.error-box .error-text').textContent())!, /TimeoutError: search_web/);
    assert.match((await h.page.locator('.error-box .pre').textContent())!, /at withTimeout \(agent\/tools\.ts:41:11\)/);
    assert.match((await h.page.locator('.source-link').textContent())!, /agent\/loop\.ts:42/);
  });

  it('a row the host says holds a folded duplicate of its model call starts collapsed, marked, and expands to show it', async () => {
    h = await openHarness(browser, server.url, '?rows=300&folded=0');
    const root = row(h, 0);
    await h.page.locator('[data-index="0"][aria-expanded=false]').waitFor();
    assert.equal(await h.page.locator('[role=treeitem]').count(), 1, 'the folded row hides what is nested in it');
    assert.equal(await root.locator('.chip-folded').count(), 1);
    assert.match((await root.locator('.chip-folded').getAttribute('title'))!, /folded into this row .*counted once/);
    assert.equal(await row(h, 1).count(), 0);
    await root.locator('.twisty').click();
    await h.page.locator('[data-index="0"][aria-expanded=true]').waitFor();
    await row(h, 1).waitFor();
  });

  it('logs unknown host messages and follows a host `select` into a collapsed subtree', async () => {
    h = await openHarness(browser, server.url, '?rows=300');
    await h.page.evaluate('window.__fakeHost.send({ type: "bogus" })');
    await until(async () => (await h.posted()).some((m) => m.type === 'log'), 'a log message');
    const log = (await h.posted()).find((m): m is Extract<FromWebview, { type: 'log' }> => m.type === 'log');
    assert.equal(log?.level, 'warn');
    assert.match(log.message, /unknown message type "bogus"/);
    await h.page.locator('[role=tree]').focus();
    await h.page.keyboard.press('Home');
    await h.page.keyboard.press('ArrowLeft');
    await h.page.locator('[data-index="0"][aria-expanded=false]').waitFor();
    await h.page.evaluate('window.__fakeHost.send({ type: "select", spanId: "0000000000000009" })');
    await h.selectedIs(9);
    await h.page.locator('[data-index="0"][aria-expanded=true]').waitFor();
  });
});
