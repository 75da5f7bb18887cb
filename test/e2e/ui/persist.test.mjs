// The trace panel keeps its view across being hidden: VS Code reloads a hidden webview when it is
// shown again, and the selected step and the collapsed rows come back as the user left them.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openRunFromView } from './uiHelpers.mjs';

export const timeout = 120_000;
const PORT = 14318; // test/e2e/workspace/.vscode/settings.json

/** @param {import('../../../scripts/e2e/types').UiTestContext} ctx */
export default async function ({ page, screenshot, webviewFrame, runCommand }) {
  await page
    .locator('.statusbar-item', { hasText: `Tracefork :${PORT}` })
    .first()
    .waitFor({ timeout: 30_000 });
  const traceId = randomBytes(16).toString('hex');
  const id = () => randomBytes(8).toString('hex');
  const [root, a, a1, b] = [id(), id(), id(), id()];
  const t0 = Date.now();
  const span = (spanId, parentSpanId, name, dt) => ({
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: 1,
    startTimeUnixNano: `${t0 + dt}000000`,
    endTimeUnixNano: `${t0 + dt + 5}000000`,
    attributes: [],
  });
  const spans = [span(root, '', 'persist-run', 0), span(a, root, 'step-a', 1), span(a1, a, 'step-a-inner', 2), span(b, root, 'step-b', 3)];
  const res = await fetch(`http://127.0.0.1:${PORT}/v1/traces`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }),
  });
  assert.equal(res.status, 200);

  const tab = await openRunFromView(page, runCommand, 'persist-run');
  let frame = webviewFrame();
  const row = (f, name) => f.locator('[role="treeitem"][data-loaded="true"]', { hasText: new RegExp(`^\\s*${name}(?![-a-z])`) }).first(); // the name, then its figures ("step-a5 ms")
  await row(frame, 'step-a-inner').waitFor({ timeout: 30_000 });
  // Collapse step-a (select it, ArrowLeft), then select step-b.
  await row(frame, 'step-a').click();
  await page.keyboard.press('ArrowLeft');
  await frame.locator('[role="treeitem"]', { hasText: 'step-a-inner' }).waitFor({ state: 'detached', timeout: 10_000 });
  await row(frame, 'step-b').click();
  await frame.locator('.detail-pane', { hasText: 'step-b' }).first().waitFor({ timeout: 10_000 });

  // Hide the panel behind another editor in its group, then show it again.
  await runCommand('File: New Untitled Text File');
  await page.locator('.tabs-container .tab.active', { hasText: 'Untitled' }).waitFor({ timeout: 10_000 });
  await tab.first().click();
  frame = webviewFrame();
  await row(frame, 'step-b').waitFor({ timeout: 30_000 });
  await frame.locator('.detail-pane', { hasText: 'step-b' }).first().waitFor({ timeout: 10_000 });
  assert.equal(await row(frame, 'step-b').getAttribute('aria-selected'), 'true', 'the selection came back');
  assert.equal(await row(frame, 'step-a').getAttribute('aria-expanded'), 'false', 'step-a is still collapsed');
  assert.equal(await frame.locator('[role="treeitem"]', { hasText: 'step-a-inner' }).count(), 0, 'its child stays hidden');
  await screenshot('persisted-view');
  await runCommand('View: Revert and Close Editor').catch(() => {});
}
