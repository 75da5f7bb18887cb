// Fork & replay the way a user does it in the real VS Code: a real agent recorded with the
// Tracefork SDK fails at its tool; open the run, select the failing tool step, "Fork & Replay…",
// change the city in the fork editor, launch; the replayed run appears under the original in the
// Runs view and the Comparison view marks the first divergence at the fork step.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { frameWith } from './uiHelpers.mjs';

export const timeout = 240_000;
const PORT = 14318; // test/e2e/workspace/.vscode/settings.json

/** @param {import('../../../scripts/e2e/types').UiTestContext} ctx */
export default async function ({ page, workspace, screenshot, runCommand }) {
  await page
    .locator('.statusbar-item', { hasText: `Tracefork :${PORT}` })
    .first()
    .waitFor({ state: 'visible', timeout: 30_000 });
  const agent = spawnSync(process.execPath, ['--import', 'tsx', 'replay-agent.ts'], {
    cwd: workspace,
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${PORT}` },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(agent.status, 0, `the agent failed: ${agent.stderr}`);

  await runCommand('Tracefork: Show Runs');
  const run = page.locator('.pane-body .monaco-list-row', { hasText: 'ai.generateText' }).first();
  await run.waitFor({ state: 'visible', timeout: 20_000 });
  await run.click();

  const trace = await frameWith(page, '[role="treeitem"][data-loaded="true"]');
  const toolRow = trace.locator('[role="treeitem"][data-loaded="true"]', { hasText: 'ai.toolCall' });
  await toolRow.waitFor({ state: 'visible', timeout: 30_000 });
  await toolRow.click();
  await trace.locator('text=weather service unavailable for Paris').first().waitFor({ timeout: 10_000 });
  await trace.locator('button[data-action="fork"]').click();

  const editor = await frameWith(page, '.fork-editor');
  const city = editor.locator('textarea[data-field="city"]');
  await city.waitFor({ timeout: 15_000 });
  assert.equal(await city.inputValue(), '"Paris"', 'the recorded tool argument is shown for editing');
  await city.fill('"Lyon');
  await editor.locator('button[data-action="launch"]').click();
  await editor.locator('.errors', { hasText: 'city: not valid JSON' }).waitFor({ timeout: 5000 });
  await screenshot('fork-editor-invalid');
  await city.fill('"Lyon"');
  await screenshot('fork-editor');
  await editor.locator('button[data-action="launch"]').click();

  // The comparison opens with the first divergence revealed and selected.
  const first = page.locator('.pane-body .monaco-list-row', { hasText: 'first divergence' });
  await first.waitFor({ state: 'visible', timeout: 90_000 });
  assert.match(await first.innerText(), /ai\.toolCall/, 'the first divergence is the fork step');
  assert.match(await first.innerText(), /\(fork\)/);
  await editor.locator('.fork-status', { hasText: 'Replayed as run' }).waitFor({ timeout: 15_000 });
  await screenshot('comparison');

  // The replayed run sits under its original in the Runs view, marked as a fork.
  await runCommand('Tracefork: Show Runs');
  await page.locator('.pane-body .monaco-list-row', { hasText: 'fork of' }).first().waitFor({ state: 'visible', timeout: 15_000 });
  await screenshot('runs-with-fork');
}
