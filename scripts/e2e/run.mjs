// The end-to-end test run: install the tools (setup.mjs), build and package the extension,
// install the .vsix into a fresh code-server, then run (a) the mocha suite inside the real
// extension host and (b) every test/e2e/ui/*.test.mjs in headless Chromium. Ends with one
// "N passed, N failed" line over both; exit 1 on any failure. Screenshots and logs go to
// .test-output/e2e/.
// Usage: node scripts/e2e/run.mjs
//   TRACEFORK_E2E_EXTENSION_DIR  extension folder to build and test (default: the repo root)
//   TRACEFORK_E2E_TIMEOUT_MS     bound on everything after setup (default 600000)
//   TRACEFORK_E2E_KEEP=1         keep the run's temp folder (workspace, user data, extensions)
//   TRACEFORK_E2E_SKIP_UI=1      run only the in-host suite
//   TRACEFORK_E2E_ONLY=name[,…]  run only the UI tests whose file name contains one of the names (no in-host suite)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildHostTests, HOST_INDEX } from './buildHostTests.mjs';
import { launchBrowser } from './browser.mjs';
import { installVsix, startCodeServer } from './codeServer.mjs';
import { runInHost } from './inHost.mjs';
import { CACHE_DIR, e2ePython, OUTPUT_DIR, REPO, since } from './paths.mjs';
import { setup } from './setup.mjs';
import { packageExtension } from '../package.mjs';
import { runUiTests, uiTestFiles } from './uiRunner.mjs';

const EXT_DIR = path.resolve(process.env.TRACEFORK_E2E_EXTENSION_DIR || REPO);
const TIMEOUT_MS = Number(process.env.TRACEFORK_E2E_TIMEOUT_MS || 600_000);
const VSIX = path.join(CACHE_DIR, 'tracefork.vsix');
const RUNS_DIR = path.join(CACHE_DIR, 'runs');
/** The prefix test/e2e/host/index.ts puts on its console lines. */
const HOST_MARK = '[e2e-host] ';
const t0 = Date.now();
/** TRACEFORK_E2E_PYTHON for the extension host (the Python agents' interpreter), when there is one. */
const pythonEnv = () => (e2ePython() ? { TRACEFORK_E2E_PYTHON: e2ePython() } : {});
const log = (m) => console.log(`[e2e ${since(t0)}] ${m}`);

/** Everything run.mjs started, for cleanup on success, failure or timeout. */
const live = { browser: null, server: null, runDir: null };
let phase = 'setup';

async function main() {
  await setup({ log: (m) => log(`setup: ${m}`) });
  const timer = setTimeout(onTimeout, TIMEOUT_MS);
  try {
    return await testRun();
  } finally {
    clearTimeout(timer);
  }
}

async function testRun() {
  fs.rmSync(OUTPUT_DIR, { recursive: true, force: true });
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  phase = 'build';
  buildExtension();
  await buildHostTests();
  log(`built extension and in-host tests`);
  // Inside the repo, so the workspace's own scripts resolve the repo's node_modules (tsx, SDKs).
  fs.mkdirSync(RUNS_DIR, { recursive: true });
  live.runDir = fs.mkdtempSync(path.join(RUNS_DIR, 'run-'));
  const dirs = {
    extensions: path.join(live.runDir, 'extensions'),
    userData: path.join(live.runDir, 'user-data'),
    workspace: makeWorkspace(live.runDir),
  };
  phase = 'install';
  installVsix(VSIX, dirs.extensions);
  log(`installed ${path.relative(REPO, VSIX)} into a fresh extensions folder`);
  phase = 'start code-server';
  const hostResults = path.join(live.runDir, 'host-results.json');
  live.server = await startCodeServer({
    workspace: dirs.workspace,
    extensionsDir: dirs.extensions,
    userDataDir: dirs.userData,
    env: { TRACEFORK_E2E_HOST_RESULTS: hostResults, TRACEFORK_E2E_REPO: REPO, TRACEFORK_E2E_NODE: process.execPath, ...pythonEnv() },
    logFile: path.join(OUTPUT_DIR, 'code-server.log'),
  });
  log(`code-server on ${live.server.url}`);
  live.browser = await launchBrowser();
  const totals = { passed: 0, failed: 0 };
  phase = 'in-host suite';
  if (!process.env.TRACEFORK_E2E_ONLY) add(totals, await inHostPhase(hostResults, dirs.workspace));
  await live.server.waitForNoExtensionHost();
  phase = 'UI tests';
  if (process.env.TRACEFORK_E2E_SKIP_UI) return totals; // faster iteration on the in-host suite
  add(totals, await runUiTests({ context: live.browser.context, server: live.server, workspace: dirs.workspace, log }));
  phase = 'UI tests in an untrusted workspace';
  add(totals, await untrustedPhase(dirs.extensions));
  return totals;
}

/**
 * Tests that export `untrusted = true` run against a second code-server with Workspace Trust on
 * (the first one runs with --disable-workspace-trust), a fresh user-data folder and a fresh copy
 * of the workspace, so VS Code asks whether to trust it and nothing remembers an answer.
 */
async function untrustedPhase(extensionsDir) {
  if ((await uiTestFiles({ untrusted: true })).length === 0) return { passed: 0, failed: 0 };
  await live.server.stop();
  live.server = null;
  const dir = path.join(live.runDir, 'untrusted');
  const workspace = makeWorkspace(dir);
  live.server = await startCodeServer({
    workspace,
    extensionsDir,
    userDataDir: path.join(dir, 'user-data'),
    workspaceTrust: true,
    env: { TRACEFORK_E2E_REPO: REPO, TRACEFORK_E2E_NODE: process.execPath, ...pythonEnv() },
    logFile: path.join(OUTPUT_DIR, 'code-server-untrusted.log'),
  });
  log(`code-server with Workspace Trust on ${live.server.url}`);
  return runUiTests({ context: live.browser.context, server: live.server, workspace, log, untrusted: true });
}

/** Builds the extension for release and packages it with vsce (scripts/package.mjs). */
function buildExtension() {
  const mb = packageExtension({ extDir: EXT_DIR, vsix: VSIX, repo: REPO, log });
  if (mb > 50) console.warn(`[e2e] warning: the .vsix is ${mb.toFixed(0)} MB; check .vscodeignore`);
}

function makeWorkspace(runDir) {
  const ws = path.join(runDir, 'workspace');
  fs.mkdirSync(runDir, { recursive: true });
  const fixture = path.join(REPO, 'test', 'e2e', 'workspace');
  if (fs.existsSync(fixture)) fs.cpSync(fixture, ws, { recursive: true });
  else fs.mkdirSync(ws, { recursive: true });
  // The workspace's agents import the SDK by its package name, as a user's agent would.
  fs.mkdirSync(path.join(ws, 'node_modules', '@tracefork'), { recursive: true });
  fs.symlinkSync(path.join(REPO, 'sdk'), path.join(ws, 'node_modules', '@tracefork', 'sdk'), 'dir');
  return ws;
}

async function inHostPhase(resultsFile, workspace) {
  const t = Date.now();
  const hostLog = fs.createWriteStream(path.join(OUTPUT_DIR, 'in-host-console.log'));
  try {
    const code = await runInHost({
      context: live.browser.context,
      url: live.server.url,
      port: live.server.port,
      workspace,
      extensionDir: EXT_DIR,
      testsIndex: HOST_INDEX,
      onConsole: (line) => {
        hostLog.write(`${line}\n`);
        // index.ts marks its mocha output; the rest (workbench chatter) stays in the log file.
        const at = line.indexOf(HOST_MARK);
        if (at >= 0) console.log(line.slice(at + HOST_MARK.length).replace(/^/gm, '  host| '));
      },
    });
    const r = readJson(resultsFile);
    if (!r) return (log(`in-host suite: exit ${code} but no results file (the suite did not load?)`), { passed: 0, failed: 1 });
    log(`in-host suite: ${r.passed} passed, ${r.failed} failed, exit ${code} (${since(t)})`);
    return { passed: r.passed, failed: r.failed || (code === 0 ? 0 : 1) };
  } catch (e) {
    log(`in-host suite FAILED: ${e.message}`);
    return { passed: 0, failed: 1 };
  } finally {
    hostLog.end();
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function add(totals, r) {
  totals.passed += r.passed;
  totals.failed += r.failed;
}

async function cleanup() {
  const { browser, server, runDir } = live;
  live.browser = live.server = null;
  await browser?.close().catch((e) => console.error(`[e2e] closing the browser: ${e.message}`));
  await server?.stop().catch((e) => console.error(`[e2e] stopping code-server: ${e.message}`));
  // The workbench's logs (the extension host's, each output channel's: "Tracefork" says what the receiver did) stay beside the screenshots.
  for (const logs of runDir ? [path.join(runDir, 'user-data', 'logs'), path.join(runDir, 'untrusted', 'user-data', 'logs')] : []) {
    if (fs.existsSync(logs)) fs.cpSync(logs, path.join(OUTPUT_DIR, 'logs', path.relative(runDir, logs).split(path.sep)[0]), { recursive: true });
  }
  if (runDir && !process.env.TRACEFORK_E2E_KEEP) fs.rmSync(runDir, { recursive: true, force: true });
  else if (runDir) log(`kept ${runDir}`);
}

/** Stops everything and exits 1 (global timeout, Ctrl-C, SIGTERM): code-server runs in its own process group. */
async function abort(message) {
  console.error(`[e2e] ${message}`);
  const bound = setTimeout(() => process.exit(1), 30_000);
  await cleanup();
  clearTimeout(bound);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

function onTimeout() {
  abort(`TIMEOUT: the run exceeded ${TIMEOUT_MS / 1000}s (after setup) during "${phase}"; stopping.`);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => abort(`${sig} during "${phase}"; stopping.`));

let code = 1;
try {
  const { passed, failed } = await main();
  await cleanup();
  log(`done in ${since(t0)}; screenshots and logs in ${path.relative(REPO, OUTPUT_DIR)}/`);
  console.log(`${passed} passed, ${failed} failed`);
  code = failed > 0 || passed === 0 ? 1 : 0;
} catch (e) {
  console.error(`[e2e] FAILED during "${phase}": ${e.message}`);
  await cleanup();
  console.log('0 passed, 1 failed');
}
process.exit(code);
