// Any agent, no SDK, the way a user does it in the real VS Code: "Run Agent with Tracefork…" on an
// agent that only uses the openai client (its base URL pointed at the proxy by the command), the
// run opens by itself; select the second model call, "Fork & Replay…", edit the tool result in the
// conversation, launch; the replay re-runs the agent's own command through the proxy, the calls
// before the fork served from the recording, the edited request sent upstream (the mock of the
// model API, in a process of its own, counts what reaches it), and the Comparison view marks it.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { frameWith } from './uiHelpers.mjs';

export const timeout = 240_000;
const PORT = 14318; // test/e2e/workspace/.vscode/settings.json
const UPSTREAM = 14400; // tracefork.proxy.openaiUpstream there

/** @param {import('../../../scripts/e2e/types').UiTestContext} ctx */
export default async function ({ page, screenshot, runCommand }) {
  await page
    .locator('.statusbar-item', { hasText: `Tracefork :${PORT}` })
    .first()
    .waitFor({ state: 'visible', timeout: 30_000 });
  const repo = path.resolve(import.meta.dirname, '../../..');
  const mock = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'test/clients/mockModelsMain.ts'), String(UPSTREAM)], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise((resolve, reject) => {
      mock.stdout.on('data', (b) => String(b).includes('http://') && resolve());
      mock.once('exit', (c) => reject(new Error(`the model mock exited ${c}`)));
    });
    const requests = async () => (await fetch(`http://127.0.0.1:${UPSTREAM}/__requests`)).json();

    await runCommand('Tracefork: Run Agent with Tracefork…');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill('OPENAI_API_KEY=sk-e2e-proxy-key0123456789 "${TRACEFORK_E2E_NODE:-node}" proxy-agent.mjs');
    await screenshot('run-agent-command');
    await input.press('Enter');

    // The run opens when the agent exits: the agent step with the four calls under it.
    const trace = await frameWith(page, '[role="treeitem"][data-loaded="true"]', 60_000);
    const calls = trace.locator('[role="treeitem"][data-loaded="true"]', { hasText: 'chat gpt-4o-mini' });
    await calls.nth(2).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal((await requests()).length, 4, 'the agent made its four calls through the proxy');
    assert.equal(
      await page.locator('.tabs-container .tab', { hasText: 'proxy-key0123456789' }).count(),
      0,
      "the key in the command line is masked in the run's name",
    );
    await calls.nth(1).click();
    await trace.locator('text=sunny, 21C').first().waitFor({ timeout: 10_000 });
    await screenshot('proxy-run');
    await trace.locator('button[data-action="fork"]').click();

    const editor = await frameWith(page, '.fork-editor');
    await editor.locator('.hint', { hasText: 'proxy-agent.mjs' }).first().waitFor({ timeout: 15_000 });
    const tool = editor.locator('textarea[aria-label="Content of message 4"]');
    await tool.waitFor({ timeout: 15_000 });
    assert.equal(await tool.inputValue(), 'sunny, 21C', 'the recorded tool result is shown for editing');
    await tool.fill('rainy, 9C');
    await screenshot('proxy-fork-editor');
    const before = (await requests()).length;
    await editor.locator('button[data-action="launch"]').click();

    const first = page.locator('.pane-body .monaco-list-row', { hasText: 'first divergence' });
    await first.waitFor({ state: 'visible', timeout: 90_000 });
    assert.match(await first.innerText(), /chat gpt-4o-mini/);
    assert.match(await first.innerText(), /\(fork\)/);
    await editor.locator('.fork-status', { hasText: 'Replayed as run' }).waitFor({ timeout: 15_000 });
    const made = (await requests()).slice(before);
    assert.deepEqual(
      made.map((r) => r.path),
      ['/v1/chat/completions', '/v1/responses', '/v1/embeddings'],
      'the first call was served from the recording; the fork and the rest went upstream',
    );
    assert.equal(made[0].body.messages.find((m) => m.role === 'tool').content, 'rainy, 9C', 'the edited request went upstream');
    await screenshot('proxy-comparison');

    await runCommand('Tracefork: Show Runs');
    await page.locator('.pane-body .monaco-list-row', { hasText: 'fork of' }).first().waitFor({ state: 'visible', timeout: 15_000 });
  } finally {
    mock.kill();
    await runCommand('View: Close All Editor Groups').catch(() => {});
  }
}
