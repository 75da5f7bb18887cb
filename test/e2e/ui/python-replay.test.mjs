// Fork & replay of a Python agent the way a user does it in the real VS Code, as replay.test.mjs
// does for Node: a real Python agent recorded with the Tracefork Python SDK fails at its tool; its
// run appears in the Runs view, Enter on the failing tool step opens replay_agent.py at the tool's
// line, "Fork & Replay…" with another city asks for the agent's command prefilled with the guess
// for a .py file (python3: this VS Code has no Python extension), which is replaced by the e2e
// Python; the replayed run is compared and sits under the original as a fork.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { e2ePython } from '../../../scripts/e2e/paths.mjs';
import { frameWith } from './uiHelpers.mjs';

export const timeout = 240_000;
const PORT = 14318; // test/e2e/workspace/.vscode/settings.json

/** @param {import('../../../scripts/e2e/types').UiTestContext} ctx */
export default async function ({ page, workspace, screenshot, runCommand, openWorkbench }) {
  const python = e2ePython();
  assert.ok(python, 'no Python with the Tracefork SDK: make .cache/py-venv first (node scripts/test-python.mjs, part of npm test)');
  // No replay command configured, so the extension guesses one from the run's .py file.
  const settingsFile = path.join(workspace, '.vscode', 'settings.json');
  const settings = fs.readFileSync(settingsFile, 'utf8');
  const rest = JSON.parse(settings);
  delete rest['tracefork.replay.command'];
  fs.writeFileSync(settingsFile, JSON.stringify(rest, null, 2));
  try {
    await page
      .locator('.statusbar-item', { hasText: `Tracefork :${PORT}` })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    const agent = spawnSync(python, ['replay_agent.py'], {
      cwd: workspace,
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${PORT}` },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(agent.status, 0, `the agent failed: ${agent.stderr}`);

    await runCommand('Tracefork: Show Runs');
    const run = page.locator('.pane-body .monaco-list-row', { hasText: 'py-weather-agent' }).first();
    await run.waitFor({ state: 'visible', timeout: 20_000 });
    assert.ok((await run.locator('.codicon-error').count()) > 0, 'the failing run carries the error icon');
    await run.click();

    // Enter on the failing tool step opens the agent's .py file at the tool's line.
    let trace = await frameWith(page, '[role="treeitem"][data-loaded="true"]');
    const toolRow = () => trace.locator('[role="treeitem"][data-loaded="true"]', { hasText: 'get_weather' });
    await toolRow().waitFor({ state: 'visible', timeout: 30_000 });
    await toolRow().click();
    await trace.locator('text=weather service unavailable for Paris').first().waitFor({ timeout: 10_000 });
    const toolLine =
      fs
        .readFileSync(path.join(workspace, 'replay_agent.py'), 'utf8')
        .split('\n')
        .findIndex((l) => l.startsWith('@tracefork.tool("get_weather")')) + 1;
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'replay_agent.py' }).waitFor({ timeout: 15_000 });
    await page
      .locator('.statusbar-item', { hasText: `Ln ${toolLine}, Col 1` })
      .first()
      .waitFor({ timeout: 10_000 });
    await screenshot('python-source-line');

    // Back to the run, fork at the tool with another city.
    await runCommand('Tracefork: Show Runs');
    await run.click();
    trace = await frameWith(page, '[role="treeitem"][data-loaded="true"]');
    await toolRow().waitFor({ state: 'visible', timeout: 30_000 });
    await toolRow().click();
    await trace.locator('button[data-action="fork"]').click();

    const editor = await frameWith(page, '.fork-editor');
    // A one-parameter Python tool's recorded input is the bare value, one field ("$", labelled input).
    const city = editor.locator('textarea[data-field="$"]');
    await city.waitFor({ timeout: 15_000 });
    assert.equal(await city.inputValue(), '"Paris"', 'the recorded tool argument is shown for editing');
    await city.fill('"Lyon"');
    await editor.locator('button[data-action="launch"]').click();

    // Nothing is configured: the command is asked for, prefilled with the guess for a .py file.
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await page.waitForFunction(() => /** @type {HTMLInputElement | null} */ (document.querySelector('.quick-input-widget input.input'))?.value, null, {
      timeout: 5000,
    });
    assert.equal(await input.inputValue(), 'python3 replay_agent.py', 'the guessed command for a Python run');
    await screenshot('python-command-guess');
    await input.fill(`${python} replay_agent.py`);
    await input.press('Enter');

    const first = page.locator('.pane-body .monaco-list-row', { hasText: 'first divergence' });
    await first.waitFor({ state: 'visible', timeout: 90_000 });
    assert.match(await first.innerText(), /get_weather/, 'the first divergence is the fork step');
    assert.match(await first.innerText(), /\(fork\)/);
    await editor.locator('.fork-status', { hasText: 'Replayed as run' }).waitFor({ timeout: 15_000 });
    await screenshot('python-comparison');

    await runCommand('Tracefork: Show Runs');
    await page.locator('.pane-body .monaco-list-row', { hasText: 'fork of' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(fs.readFileSync(settingsFile, 'utf8'), /replay_agent\.py/, 'the command was saved as tracefork.replay.command');
    await screenshot('python-runs-with-fork');
  } finally {
    fs.writeFileSync(settingsFile, settings);
    // The workbench restores its editors and groups into the next test: leave it as this test found
    // it, and reload so the closed layout is saved (closing the page may not save it).
    await runCommand('View: Close All Editor Groups').catch(() => {});
    await page
      .locator('.tabs-container .tab')
      .first()
      .waitFor({ state: 'detached', timeout: 10_000 })
      .catch(() => {});
    await openWorkbench().catch(() => {});
  }
}
