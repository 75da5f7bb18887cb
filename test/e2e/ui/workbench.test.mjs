// The harness itself works: the workbench renders with its status bar, the command palette
// runs a command, and that command's editor opens and lists the running extensions.
import * as assert from 'node:assert/strict';

/** @param {import('../../../scripts/e2e/types').UiTestContext} ctx */
export default async function ({ page, runCommand, screenshot }) {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible' });
  assert.ok(await page.locator('.statusbar').isVisible(), 'status bar is visible');

  await runCommand('Developer: Show Running Extensions');
  // VS Code 1.139 opens this editor as a modal over the workbench, not as a tab.
  const editor = page.locator('.runtime-extensions-editor');
  await editor.waitFor({ state: 'visible', timeout: 20_000 });
  const rows = editor.locator('.monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
  assert.ok((await rows.count()) > 0, 'running extensions are listed');
  await screenshot('running-extensions');

  await page.keyboard.press('Escape');
  await editor.waitFor({ state: 'hidden', timeout: 10_000 });
  await screenshot('workbench');
}
