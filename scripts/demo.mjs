// `npm run demo`: the README's main command. Builds and packages the extension, puts it in front
// of you with a demo agent sending it traces, and says where to look:
// - with `code` on PATH: installs the .vsix into your VS Code and opens the demo workspace there;
// - otherwise: runs VS Code in the browser (code-server, the route the end-to-end tests use,
//   installed on first use) and prints the address to open.
// Once Tracefork answers on :4318 in that window, real agents run against it (one whose tool
// fails). `--browser` forces code-server; `--screenshot FILE` drives the window itself in
// headless Chromium, saves a picture of the failing run and exits (used for the README).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageExtension } from './package.mjs';
import { REPO, since } from './e2e/paths.mjs';

const args = process.argv.slice(2);
const shotFile = args.includes('--screenshot') ? path.resolve(args[args.indexOf('--screenshot') + 1]) : null;
const useBrowser = args.includes('--browser') || shotFile || !onPath('code');
const DEMO = path.join(REPO, '.cache', 'demo');
const PORT = 4318;
const t0 = Date.now();
const say = (m) => console.log(`\x1b[1m[demo ${since(t0)}]\x1b[0m ${m}`);

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** A fresh demo workspace inside the repo, so the agent resolves the repo's node_modules. */
function makeWorkspace() {
  const ws = path.join(DEMO, 'workspace');
  fs.rmSync(ws, { recursive: true, force: true });
  fs.mkdirSync(ws, { recursive: true });
  fs.copyFileSync(path.join(REPO, 'test', 'e2e', 'workspace', 'weather-agent.ts'), path.join(ws, 'weather-agent.ts'));
  // The fork & replay demo: an agent recorded with the SDK (imported by its package name), and
  // the command that starts it again for a replay.
  fs.copyFileSync(path.join(REPO, 'test', 'e2e', 'workspace', 'replay-agent.ts'), path.join(ws, 'replay-agent.ts'));
  fs.mkdirSync(path.join(ws, 'node_modules', '@tracefork'), { recursive: true });
  fs.symlinkSync(path.join(REPO, 'sdk'), path.join(ws, 'node_modules', '@tracefork', 'sdk'), 'dir');
  fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'tracefork.replay.command': 'node --import tsx replay-agent.ts' }, null, 2));
  return ws;
}

async function tracefork() {
  try {
    const res = await fetch(`http://127.0.0.1:${PORT}/tracefork/info`, { signal: AbortSignal.timeout(1000) });
    return res.ok && (await res.json()).service === 'tracefork';
  } catch {
    return false;
  }
}

function runAgent(file, argv, cwd) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...argv], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${PORT}` },
  });
  if (r.status !== 0) throw new Error(`${path.basename(file)} ${argv.join(' ')} failed: ${r.stderr}`);
}

async function openInVsCode(vsix, ws) {
  say('installing the extension into your VS Code');
  if (spawnSync('code', ['--install-extension', vsix, '--force'], { stdio: 'inherit' }).status !== 0) throw new Error('code --install-extension failed');
  spawn('code', [ws], { stdio: 'ignore', detached: true }).unref();
  say(`opened ${ws} in VS Code`);
  return { stop: async () => {} };
}

async function openInCodeServer(vsix, ws) {
  const { setup } = await import('./e2e/setup.mjs');
  const { installVsix, startCodeServer } = await import('./e2e/codeServer.mjs');
  say('VS Code is not on PATH: using VS Code in the browser (code-server; the first run installs it, a few minutes)');
  await setup({ log: (m) => say(`setup: ${m}`) });
  const extensions = path.join(DEMO, 'extensions');
  fs.rmSync(extensions, { recursive: true, force: true });
  installVsix(vsix, extensions);
  const server = await startCodeServer({
    workspace: ws,
    extensionsDir: extensions,
    userDataDir: path.join(DEMO, 'user-data'),
    logFile: path.join(DEMO, 'code-server.log'),
    settings: { 'workbench.colorTheme': 'Default Dark Modern' },
  });
  const url = `${server.url}/?folder=${encodeURIComponent(ws)}`;
  say(`VS Code is running at\n\n    ${url}\n\nOpen it in your browser: Tracefork starts in that window.`);
  return { server, url, stop: () => server.stop() };
}

async function main() {
  if (await tracefork()) throw new Error(`a Tracefork receiver already answers on :${PORT}; close that window (or the other demo) first`);
  say('building and packaging the extension');
  const vsix = path.join(DEMO, 'tracefork.vsix');
  packageExtension({ extDir: REPO, vsix, repo: REPO, log: say });
  const ws = makeWorkspace();
  const win = useBrowser ? await openInCodeServer(vsix, ws) : await openInVsCode(vsix, ws);
  let browser = null;
  if (shotFile) {
    const { launchBrowser, openWorkbench } = await import('./e2e/browser.mjs');
    browser = await launchBrowser();
    await openWorkbench(browser.page, win.server.url, ws);
  }
  say(`waiting for Tracefork to answer on http://127.0.0.1:${PORT} in that window…`);
  while (!(await tracefork())) await new Promise((r) => setTimeout(r, 500));
  say('Tracefork is receiving; running the demo agents');
  runAgent('weather-agent.ts', ['ok'], ws);
  runAgent('weather-agent.ts', ['fail'], ws);
  runAgent(path.join(REPO, 'test', 'clients', 'vercelAgent.ts'), ['loop', '4'], ws);
  runAgent(path.join(REPO, 'test', 'clients', 'openaiAgent.ts'), ['traceloop'], ws);
  runAgent('replay-agent.ts', [], ws);
  say(
    'sent 5 runs. In the window: the Tracefork view (activity bar) lists them; the failing ones are marked.\n' +
      "    Open one, select the failing ai.toolCall step and press Enter: the agent's file opens at the line that threw.\n" +
      '    In the replay-agent run (service replay-agent), select ai.toolCall, press "Fork & Replay…", change "Paris"\n' +
      '    to "Lyon" and launch: the agent runs again from that step and the Comparison view shows what changed.\n' +
      `    Point your own agent at it with OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:${PORT}`,
  );
  if (browser) {
    await captureFailingRun(browser.page, shotFile);
    await browser.close();
    await win.stop();
    return;
  }
  if (win.server) {
    say('Ctrl-C stops VS Code in the browser.');
    await new Promise((r) => process.once('SIGINT', r));
    await win.stop();
  }
}

/** Opens the failing run in the window and saves a screenshot of it. */
async function captureFailingRun(page, file) {
  const { runCommand, webviewFrame } = await import('./e2e/browser.mjs');
  await runCommand(page, 'Tracefork: Show Runs');
  const run = page
    .locator('.pane-body .monaco-list-row', { hasText: 'ai.generateText' })
    .filter({ has: page.locator('.codicon-error') })
    .first();
  await run.waitFor({ timeout: 30_000 });
  await run.click();
  const tool = webviewFrame(page).locator('[role="treeitem"][data-loaded="true"]', { hasText: 'ai.toolCall' });
  await tool.waitFor({ timeout: 30_000 });
  await tool.click();
  await page.waitForTimeout(800);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  say(`saved ${path.relative(process.cwd(), file)}`);
}

main().catch((e) => {
  console.error(`[demo] ${e.message}`);
  process.exit(1);
});
