// What several UI tests do in the workbench. Not a test module (no .test.mjs).

/**
 * Shows the Runs view and opens the run named `name` in a trace panel. The view may re-sort while
 * earlier runs' evaluations land, so a click can open the row that moved under it: it clicks until
 * that run's panel tab is open.
 */
export async function openRunFromView(page, runCommand, name) {
  await runCommand('Tracefork: Show Runs');
  const row = page.locator('.pane-body .monaco-list-row', { hasText: name }).first();
  await row.waitFor({ timeout: 20_000 });
  const tab = page.locator('.tabs-container .tab', { hasText: name });
  for (let i = 0; i < 5 && !(await tab.count()); i++) {
    await row.click();
    await tab
      .first()
      .waitFor({ timeout: 3000 })
      .catch(() => {});
  }
  return tab.first();
}

/** The content frame of the webview whose document holds `selector` (several webviews are open). */
export async function frameWith(page, selector, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const outer = page.locator('iframe.webview.ready');
    const n = await outer.count();
    for (let i = 0; i < n; i++) {
      const inner = outer.nth(i).contentFrame().locator('#active-frame').contentFrame();
      if (
        (await inner
          .locator(selector)
          .count()
          .catch(() => 0)) > 0
      )
        return inner;
    }
    if (Date.now() > end) throw new Error(`no webview shows ${selector}`);
    await page.waitForTimeout(250);
  }
}

/**
 * Deletes every run ("Tracefork: Delete All Runs", confirmed) and waits until the status bar of the
 * receiver on `port` says 0 runs: the store has done it (it first indexes what is still queued), not
 * only taken the click. `runCommand(title)` runs a palette command.
 */
export async function deleteAllRuns(page, runCommand, port) {
  await runCommand('Tracefork: Delete All Runs');
  await page.locator('.monaco-dialog-box').getByRole('button', { name: 'Delete All' }).click();
  await page
    .locator('.statusbar-item', { hasText: `Tracefork :${port}` })
    .filter({ hasText: ' 0 runs' })
    .first()
    .waitFor({ timeout: 60_000 });
}
