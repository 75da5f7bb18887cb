// Trace content from an attacker-controlled prompt stays inert in the real VS Code: HTML, a
// closing </script>, a javascript: link and ANSI escapes show as literal text in the trace panel,
// nothing runs, and no element is injected.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openRunFromView } from './uiHelpers.mjs';

export const timeout = 120_000;
const PORT = 14318; // test/e2e/workspace/.vscode/settings.json

const PROMPT = '</script><script>window.__xss=1;alert(1)</script><img src=x onerror="window.__xss=2"> [click](javascript:alert(3)) \u001b[31mred\u001b[0m';

/** @param {import('../../../scripts/e2e/types').UiTestContext} ctx */
export default async function ({ page, screenshot, webviewFrame, runCommand }) {
  const dialogs = [];
  page.on('dialog', (d) => (dialogs.push(d.message()), d.dismiss()));
  await page
    .locator('.statusbar-item', { hasText: `Tracefork :${PORT}` })
    .first()
    .waitFor({ timeout: 30_000 });

  const traceId = randomBytes(16).toString('hex');
  const span = {
    traceId,
    spanId: randomBytes(8).toString('hex'),
    name: '<b>hostile</b> chat',
    kind: 3,
    startTimeUnixNano: `${Date.now()}000000`,
    endTimeUnixNano: `${Date.now() + 5}000000`,
    attributes: [
      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
      { key: 'gen_ai.input.messages', value: { stringValue: JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: PROMPT }] }]) } },
    ],
  };
  const res = await fetch(`http://127.0.0.1:${PORT}/v1/traces`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
  });
  assert.equal(res.status, 200);

  await openRunFromView(page, runCommand, '<b>hostile</b> chat');
  const frame = webviewFrame();
  const row = frame.locator('[role="treeitem"][data-loaded="true"]', { hasText: '<b>hostile</b> chat' });
  await row.waitFor({ timeout: 30_000 });
  await row.click();
  const detail = frame.locator('.detail-pane');
  await detail.getByText('window.__xss=1', { exact: false }).first().waitFor({ timeout: 10_000 });
  const text = await detail.innerText();
  assert.ok(text.includes('</script><script>window.__xss=1;alert(1)</script><img src=x onerror="window.__xss=2">'), 'the HTML shows as text');
  assert.ok(text.includes('[click](javascript:alert(3))'), 'the javascript: link shows as text');
  assert.ok(!text.includes('\u001b'), 'no raw escape character reaches the screen');
  assert.equal(await detail.locator('script, img, b, a[href^="javascript:"]').count(), 0, 'no element was injected');
  assert.equal(await frame.locator('b').count(), 0);
  assert.deepEqual(dialogs, [], 'nothing ran');
  await screenshot('hostile-content');
}
