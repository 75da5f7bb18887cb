// The user's path through the real VS Code: the receiver shows in the status bar, a real agent
// whose tool fails sends its traces, the run appears in the Runs view marked failing, opening it
// shows the step tree, and Enter on the failing step opens the agent's source at the throwing line.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const timeout = 180_000;
const PORT = 14318; // test/e2e/workspace/.vscode/settings.json

/** @param {import('../../../scripts/e2e/types').UiTestContext} ctx */
export default async function ({ page, workspace, screenshot, webviewFrame, runCommand }) {
  const status = page.locator('.statusbar-item', { hasText: `Tracefork :${PORT}` });
  await status.first().waitFor({ state: 'visible', timeout: 30_000 });

  const agent = spawnSync(process.execPath, ['--import', 'tsx', 'weather-agent.ts', 'fail'], {
    cwd: workspace,
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${PORT}` },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(agent.status, 0, `the agent failed: ${agent.stderr}`);
  const exportedAt = Date.now();

  await runCommand('Tracefork: Show Runs');
  const run = page.locator('.pane-body .monaco-list-row', { hasText: 'ai.generateText' }).first();
  await run.waitFor({ state: 'visible', timeout: 20_000 });
  console.log(`  export→visible in the Runs view: ${Date.now() - exportedAt} ms (includes the view opening)`);
  assert.ok((await run.locator('.codicon-error').count()) > 0, 'the failing run carries the error icon');
  await screenshot('runs-view');

  await run.click();
  const frame = webviewFrame();
  const toolRow = frame.locator('[role="treeitem"][data-loaded="true"]', { hasText: 'ai.toolCall' });
  await toolRow.waitFor({ state: 'visible', timeout: 30_000 });
  assert.match((await toolRow.getAttribute('class')) ?? '', /\bfailed\b/, 'the failing step is marked');
  assert.equal(await frame.locator('[role="treeitem"][data-loaded="true"]').count(), 4, 'one row per step');
  await toolRow.click();
  await frame.locator('text=weather service unavailable for Paris').first().waitFor({ timeout: 10_000 });
  await screenshot('trace-panel');

  const lines = fs.readFileSync(path.join(workspace, 'weather-agent.ts'), 'utf8').split('\n');
  const throwLine = lines.findIndex((l) => l.includes("the failing step's line")) + 1;
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: 'weather-agent.ts' }).waitFor({ timeout: 15_000 });
  await page
    .locator('.statusbar-item', { hasText: `Ln ${throwLine}, Col 1` })
    .first()
    .waitFor({ timeout: 10_000 });
  await screenshot('source-line');
}
