// Runs a mocha suite inside the real extension host of a running code-server: the browser
// opens the workbench with a payload naming the extension under development and the tests'
// index.js (both as vscode-remote URIs on the server), and VS Code's smoke-test driver calls
// window.codeAutomationExit(code) when the suite's run() settles (0 passed, 1 failed).
import * as fs from 'node:fs';

/** The workbench URL that loads `extensionDir` in development mode and runs `testsIndex`. */
export function inHostUrl({ url, port, workspace, extensionDir, testsIndex }) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(extensionDir)],
    ['extensionTestsPath', remote(testsIndex)],
  ]);
  return `${url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`;
}

/**
 * Opens a new page of `context` on the in-host URL and resolves with mocha's exit code.
 * Console lines of the page are passed to `onConsole`; the page is closed afterwards.
 * Rejects when the suite does not finish within `timeoutMs`.
 */
export async function runInHost({ context, url, port, workspace, extensionDir, testsIndex, timeoutMs = 180_000, onConsole }) {
  if (!fs.existsSync(testsIndex)) throw new Error(`in-host tests not built: ${testsIndex}`);
  const page = await context.newPage();
  let timer;
  try {
    let exit;
    const exited = new Promise((resolve) => (exit = resolve));
    // Must exist before the workbench loads: the driver looks it up when the tests end.
    await page.exposeFunction('codeAutomationExit', (code) => exit(Number(code)));
    if (onConsole) page.on('console', (msg) => onConsole(consoleText(msg)));
    page.on('pageerror', (e) => onConsole?.(`page error: ${e.message}`));
    await page.goto(inHostUrl({ url, port, workspace, extensionDir, testsIndex }), { timeout: 60_000 });
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`in-host suite did not finish within ${timeoutMs / 1000}s`)), timeoutMs);
    });
    return await Promise.race([exited, timeout]);
  } finally {
    clearTimeout(timer);
    await page.close().catch(() => {});
  }
}

/** A console message as text: a format string's %c styles dropped, %s/%d/%i/%f/%o/%O filled in from its arguments. */
export function consoleText(msg) {
  const args = msg.args().map((a) => a.toString().replace(/^JSHandle@/, ''));
  if (args.length < 2 || !args[0].includes('%')) return msg.text();
  let i = 1;
  const head = args[0].replace(/%[csdifoO]/g, (spec) => {
    const arg = i < args.length ? args[i++] : '';
    return spec === '%c' ? '' : arg;
  });
  return [head, ...args.slice(i)].join(' ');
}
