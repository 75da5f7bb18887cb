// Starts and stops a real VS Code (code-server, run by Node 24) on loopback for the end-to-end
// tests, and installs a .vsix into an extensions folder. Nothing is written to the home folder.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CODE_SERVER_ENTRY, NODE_BIN, xdgEnv } from './paths.mjs';
import { randomUUID } from 'node:crypto';
import { extensionHostPids, TOKEN_VAR, waitForNoExtensionHost } from './processes.mjs';

/** User settings that keep the workbench quiet: no telemetry, welcome pages, updates or port forwarding. */
export const QUIET_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'remote.autoForwardPorts': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
};

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server on 127.0.0.1 with `workspace` opened and resolves once /healthz answers.
 * `settings` are merged over QUIET_SETTINGS; `env` over the inherited environment. Workspace
 * Trust is off unless `workspaceTrust` is true (then a folder opens with VS Code's trust prompt).
 * Returns { url, port, pid, logFile, extensionHostPids(), waitForNoExtensionHost(), stop() }.
 */
/**
 * @param {{ workspace: string, extensionsDir: string, userDataDir: string, port?: number, env?: Record<string, string | undefined>, settings?: Record<string, unknown>, logFile?: string, workspaceTrust?: boolean, timeoutMs?: number }} opts
 */
export async function startCodeServer({
  workspace,
  extensionsDir,
  userDataDir,
  port,
  env = {},
  settings = {},
  logFile,
  workspaceTrust = false,
  timeoutMs = 60_000,
}) {
  port ??= await freePort();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracefork-e2e-cs-'));
  logFile ??= path.join(home, 'code-server.log');
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  const config = path.join(home, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\ncert: false\n');
  const args = [
    CODE_SERVER_ENTRY,
    '--config',
    config,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--disable-proxy',
    '--reconnection-grace-time',
    '5',
    '--vscode-option',
    'enable-smoke-test-driver',
    workspace,
  ];
  const token = randomUUID();
  const out = fs.openSync(logFile, 'a');
  // Own process group, so stop() can signal code-server and every process it started at once.
  const child = spawn(NODE_BIN, args, {
    env: { ...process.env, ...xdgEnv(home), ...env, [TOKEN_VAR]: token },
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  let exited = null;
  const exitPromise = new Promise((resolve) => child.on('exit', (code, sig) => resolve((exited = sig ?? code))));
  const url = `http://127.0.0.1:${port}`;
  const server = {
    url,
    port,
    pid: child.pid,
    logFile,
    /** Pids of this server's live extension hosts. */
    extensionHostPids: () => extensionHostPids(child.pid, token),
    /** Resolves once no extension host of this server is alive (e.g. after a window closed). */
    waitForNoExtensionHost: (ms = 20_000) => waitForNoExtensionHost(child.pid, token, ms),
    stop: () => stopServer(child, exitPromise, () => exited, home, token),
  };
  try {
    await waitForHealth(url, () => exited, timeoutMs, logFile);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}

async function waitForHealth(url, exitedFn, timeoutMs, logFile) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitedFn() !== null) throw new Error(`code-server exited (${exitedFn()}) before /healthz answered; see ${logFile}:\n${tail(logFile)}`);
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  throw new Error(`code-server's /healthz did not answer within ${timeoutMs / 1000}s; see ${logFile}:\n${tail(logFile)}`);
}

/** SIGTERM to the group, SIGKILL after 10 s; then waits until none of its extension hosts remain. */
async function stopServer(child, exitPromise, exitedFn, home, token) {
  const pgid = child.pid;
  signalGroup(pgid, 'SIGTERM');
  if (exitedFn() === null) {
    const killTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), 10_000);
    await exitPromise;
    clearTimeout(killTimer);
  }
  await waitForNoExtensionHost(pgid, token, 20_000);
  fs.rmSync(home, { recursive: true, force: true });
}

function signalGroup(pgid, sig) {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* already gone */
  }
}

/** Installs a .vsix with code-server's own CLI into `extensionsDir`; throws with its output on failure. */
export function installVsix(vsixPath, extensionsDir) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracefork-e2e-install-'));
  try {
    fs.mkdirSync(extensionsDir, { recursive: true });
    const r = spawnSync(
      NODE_BIN,
      [CODE_SERVER_ENTRY, '--extensions-dir', extensionsDir, '--user-data-dir', path.join(home, 'user-data'), '--install-extension', vsixPath, '--force'],
      {
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, ...xdgEnv(home) },
      },
    );
    const output = `${r.stdout}${r.stderr}`;
    if (r.status !== 0 || !/successfully installed/i.test(output)) {
      throw new Error(`code-server --install-extension ${vsixPath} failed (exit ${r.status ?? r.signal}):\n${output}`);
    }
    return output.trim();
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function tail(file, n = 30) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
