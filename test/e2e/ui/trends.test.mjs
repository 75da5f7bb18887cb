// The Trends view the way a user meets it: runs whose own quality score degrades arrive; "Tracefork:
// Show Trends" charts the score of that step over the runs, with the band of the runs before each;
// the runs outside it are marked; clicking one opens that run.
import * as assert from 'node:assert/strict';
import { frameWith } from './uiHelpers.mjs';

export const timeout = 120_000;
const PORT = 14318; // test/e2e/workspace/.vscode/settings.json

/** @param {import('../../../scripts/e2e/types').UiTestContext} ctx */
export default async function ({ page, screenshot, runCommand }) {
  await page
    .locator('.statusbar-item', { hasText: `Tracefork :${PORT}` })
    .first()
    .waitFor({ state: 'visible', timeout: 30_000 });
  const now = Date.now() - 120_000;
  const hex = (n, len) => n.toString(16).padStart(len, '0');
  for (let i = 0; i < 32; i++) {
    const start = BigInt(now + i * 1000) * 1_000_000n;
    const quality = i < 22 ? 0.8 + (i % 4) * 0.03 : 0.5 + (i % 2) * 0.03;
    const span = {
      traceId: `7e4d${hex(i, 28)}`,
      spanId: `c${hex(i, 15)}`,
      name: 'chat trends-probe',
      kind: 3,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + 120_000_000n),
      attributes: [
        { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
        { key: 'eval.answer_quality.score', value: { doubleValue: quality } },
      ],
    };
    const res = await fetch(`http://127.0.0.1:${PORT}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
    });
    assert.equal(res.status, 200);
  }
  try {
    await runCommand('Tracefork: Show Trends');
    const view = await frameWith(page, '.trends');
    const select = view.locator('#series');
    await select.waitFor({ timeout: 20_000 });
    const option = view.locator('#series option', { hasText: 'answer_quality of chat trends-probe' });
    await option.waitFor({ state: 'attached', timeout: 20_000 });
    await select.selectOption({ label: await option.innerText() });
    await view.locator('circle.point').nth(31).waitFor({ timeout: 10_000 });
    assert.equal(await view.locator('circle.point').count(), 32, 'a point per run');
    const outside = view.locator('circle.point.outside');
    assert.ok((await outside.count()) >= 5, `the degraded runs are marked (${await outside.count()})`);
    assert.match(await view.locator('.hint').last().innerText(), /outside it \(marked\)/);
    await screenshot('trends');
    await outside.first().click();
    await page.locator('.tabs-container .tab', { hasText: 'chat trends-probe' }).first().waitFor({ timeout: 20_000 });
  } finally {
    await runCommand('View: Close All Editor Groups').catch(() => {});
  }
}
