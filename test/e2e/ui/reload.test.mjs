// Reloading the window while an agent exports loses nothing the receiver acknowledged: the
// extension host restarts (the old one keeps the port for a few seconds, the new one follows it,
// then takes over), and every span the exporter saw acknowledged is in the store afterwards.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const timeout = 150_000;
const PORT = 14318; // test/e2e/workspace/.vscode/settings.json
const REPO = path.resolve(new URL('.', import.meta.url).pathname, '../../..');

/** @param {import('../../../scripts/e2e/types').UiTestContext} ctx */
export default async function ({ page, workspace, runCommand, screenshot }) {
  await page
    .locator('.statusbar-item', { hasText: `Tracefork :${PORT}` })
    .first()
    .waitFor({ timeout: 30_000 });
  const agent = spawn(process.execPath, ['--import', 'tsx', 'steady-agent.ts'], {
    cwd: workspace,
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${PORT}`, DURATION_MS: '9000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  agent.stdout.on('data', (c) => (out += c));
  const exited = new Promise((r) => agent.on('exit', r));
  await page.waitForTimeout(2500);
  await runCommand('Developer: Reload Window');
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await exited;
  const result = JSON.parse(out.trim().split('\n').pop());
  assert.ok(result.acked > 0, `the exporter got acknowledgements: ${out}`);

  // Wait until a Tracefork answers on the port again, and read its store from outside.
  let info;
  for (let i = 0; i < 100 && !info; i++) {
    info = await fetch(`http://127.0.0.1:${PORT}/tracefork/info`).then(
      (r) => r.json(),
      () => undefined,
    );
    if (!info) await page.waitForTimeout(300);
  }
  assert.ok(info?.db, 'Tracefork receives again after the reload');
  let stored = 0;
  for (let i = 0; i < 20; i++) {
    const list = spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'list', '--db', info.db, '--json'], { encoding: 'utf8' });
    stored = JSON.parse(list.stdout || '[]').find((t) => t.traceId === result.traceId)?.spanCount ?? 0;
    if (stored >= result.acked) break;
    await page.waitForTimeout(500);
  }
  console.log(
    `  reload while exporting: ${result.created} spans created, ${result.acked} acknowledged, ${stored} stored; exporter errors during the restart: ${result.errors.length ? result.errors.join('; ') : 'none'}`,
  );
  assert.ok(stored >= result.acked, `every acknowledged span is stored (${stored} stored, ${result.acked} acknowledged)`);
  await runCommand('Tracefork: Show Runs');
  await page.locator('.pane-body .monaco-list-row', { hasText: 'steady run' }).first().waitFor({ timeout: 20_000 });
  await screenshot('after-reload');
}
