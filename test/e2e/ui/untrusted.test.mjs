// Workspace Trust in the real VS Code: the folder opens untrusted and the user keeps it so
// (Restricted Mode). Tracefork still receives and shows runs, but the workspace's
// custom evaluator (.tracefork/evaluators/token-budget.js) does not run: its verdicts appear
// nowhere, and a notification says why; the workspace's settings cannot move the receiver off
// 127.0.0.1. Trusting the folder then runs the evaluator and applies the setting (the controls).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export const untrusted = true; // run against a code-server with Workspace Trust on
export const timeout = 180_000;
const PORT = 14318; // test/e2e/workspace/.vscode/settings.json
const WHY = 'does not run the custom evaluators';

/**
 * User actions that would run the workspace's code and must refuse in Restricted Mode with a
 * notification saying why. Each `act({ page, panel, runCommand })` starts with the failing run open
 * in the trace panel (`panel`, its content frame) and a model-call step selected.
 */
/** @type {Array<{ act: (ui: { page: any, panel: any, runCommand: (title: string) => Promise<void> }) => Promise<unknown>, message: RegExp }>} */
const REFUSALS = [
  // Fork & replay re-runs the agent: the button in the step's detail refuses, with a notification saying why.
  {
    act: ({ panel }) => panel.locator('button[data-action="fork"]').click(),
    message: /Fork & Replay runs your workspace's code, so it is off in Restricted Mode/,
  },
];

/** @param {import('../../../scripts/e2e/types').UiTestContext} ctx */
export default async function ({ page, workspace, runCommand, screenshot, webviewFrame }) {
  // VS Code asks on opening the folder: desktop VS Code with a modal prompt, the web workbench
  // (code-server) by opening it in Restricted Mode under a banner. The user keeps it restricted.
  const prompt = page.locator('.monaco-dialog-box', { hasText: 'trust' });
  const banner = page.locator('.monaco-workbench .part.banner', { hasText: 'Restricted Mode' });
  await prompt.or(banner).first().waitFor({ timeout: 30_000 });
  await screenshot('trust-prompt');
  if (await prompt.isVisible()) {
    await prompt.getByRole('button', { name: /don't trust/i }).click();
    await prompt.waitFor({ state: 'hidden', timeout: 10_000 });
  }
  await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 15_000 });

  // Tracefork runs in Restricted Mode (limited support) and tells the user what it leaves out.
  await page
    .locator('.statusbar-item', { hasText: `Tracefork :${PORT}` })
    .first()
    .waitFor({ timeout: 30_000 });
  const notice = await findNotification(page, runCommand, WHY);
  const text = await notice.innerText();
  assert.match(text, /\.tracefork[\\/]evaluators/, `the notification names the folder: ${text}`);
  assert.match(text, /not trusted/, `the notification says why: ${text}`);
  await screenshot('restricted-notice');

  // A workspace cannot move the receiver in Restricted Mode (a restricted setting; control below).
  const settings = path.join(workspace, '.vscode', 'settings.json');
  const original = fs.readFileSync(settings, 'utf8');
  const ipv6 = await canListen('::1');
  if (ipv6) {
    fs.writeFileSync(settings, JSON.stringify({ ...JSON.parse(original), 'tracefork.receiver.host': '::1' }));
    await page.waitForTimeout(3000);
    // The default loopback listens on 127.0.0.1 and ::1; the setting '::1' alone would leave 127.0.0.1.
    assert.ok(await answers('127.0.0.1'), 'the workspace did not move the receiver to ::1 only: 127.0.0.1 still answers');
    fs.writeFileSync(settings, original);
  }

  for (const mode of ['fail', 'ok']) runAgent(workspace, mode, assert);
  await runCommand('Tracefork: Show Runs');
  const rows = page.locator('.pane-body .monaco-list-row', { hasText: 'ai.generateText' });
  // The built-in evaluators ran (their verdict is in the run's description)…
  await rows.filter({ hasText: 'tool-failure' }).first().waitFor({ timeout: 30_000 });
  await rows.nth(1).waitFor({ timeout: 10_000 });
  // …and the custom one did not: it fails both runs when it runs (60 input tokens, budget 50; see
  // the trusted control below), and it runs right after the built-in ones.
  await page.waitForTimeout(4000);
  for (const row of await rows.all()) assert.doesNotMatch(await row.innerText(), /token-budget/, 'no custom verdict in the Runs view');
  await runCommand('Tracefork: Filter Runs…');
  const picks = page.locator('.quick-input-list .monaco-list-row');
  await picks.filter({ hasText: 'Failing on evaluator tool-failure' }).waitFor({ timeout: 10_000 });
  assert.equal(await picks.filter({ hasText: 'token-budget' }).count(), 0, 'the filter offers no custom evaluator');
  await screenshot('restricted-runs');
  await page.keyboard.press('Escape');
  // Nor in the trace panel's step detail (the model calls are what it scores).
  await rows.filter({ hasText: 'tool-failure' }).first().click();
  const panel = webviewFrame();
  const calls = panel.locator('[role="treeitem"][data-loaded="true"]', { hasText: 'doGenerate' });
  await calls.first().waitFor({ timeout: 30_000 });
  for (const call of await calls.all()) {
    await call.click();
    const detail = panel.locator('.detail-pane:not(.loading)');
    await detail.locator('.detail-name', { hasText: 'doGenerate' }).waitFor({ timeout: 10_000 });
    assert.doesNotMatch(await detail.innerText(), /token-budget/, 'no custom score in the step detail');
  }
  for (const { act, message } of REFUSALS) {
    await act({ page, panel, runCommand });
    await findNotification(page, runCommand, message);
  }

  // Control: once the user trusts the folder (from the notification's button), the evaluator runs.
  const manage = (await findNotification(page, runCommand, WHY)).getByRole('button', { name: 'Manage Workspace Trust' });
  await manage.click();
  const trustButton = page.getByRole('button', { name: /^Trust( Folder)?$/ }).first();
  await trustButton.waitFor({ timeout: 15_000 });
  await screenshot('trust-editor');
  await trustButton.click();
  await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'hidden', timeout: 15_000 });
  await runCommand('Tracefork: Show Runs');
  await rows.filter({ hasText: 'token-budget' }).first().waitFor({ timeout: 30_000 });
  await screenshot('trusted-runs');
  if (ipv6) {
    fs.writeFileSync(settings, JSON.stringify({ ...JSON.parse(original), 'tracefork.receiver.host': '::1' }));
    // The receiver restarts: 127.0.0.1 closes first, ::1 answers once the new listener is up.
    const moved = async () => !(await answers('127.0.0.1')) && (await answers('[::1]'));
    let ok = false;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && !(ok = await moved());) await page.waitForTimeout(250);
    assert.ok(ok, 'trusted, the workspace setting applies (the receiver moved to ::1 only)');
  }
}

/** Whether a Tracefork receiver answers on `host`:PORT. */
function answers(host) {
  return fetch(`http://${host}:${PORT}/tracefork/info`, { signal: AbortSignal.timeout(2000) }).then(
    (r) => r.ok,
    () => false,
  );
}

/** Whether this machine can listen on `host` (IPv6 loopback may be absent). */
function canListen(host) {
  return new Promise((resolve) => {
    const srv = net.createServer().once('error', () => resolve(false));
    srv.listen(0, host, () => srv.close(() => resolve(true)));
  });
}

/** Runs the workspace's real agent against the receiver; the run shows in the Runs view. */
function runAgent(workspace, mode, assert) {
  const agent = spawnSync(process.execPath, ['--import', 'tsx', 'weather-agent.ts', mode], {
    cwd: workspace,
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${PORT}` },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(agent.status, 0, `the agent failed: ${agent.stderr}`);
}

/**
 * A notification whose text contains `text` (a string or a RegExp): a toast, or else an entry of
 * the notification center (toasts hide after a while).
 */
async function findNotification(page, runCommand, text) {
  const toast = page.locator('.notification-toast', { hasText: text }).first();
  if (
    await toast.waitFor({ timeout: 5_000 }).then(
      () => true,
      () => false,
    )
  )
    return toast;
  await runCommand('Notifications: Show Notifications');
  const entry = page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
  await entry.waitFor({ timeout: 10_000 });
  return entry;
}
