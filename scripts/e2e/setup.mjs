// Idempotent installer for the end-to-end tools: Debian's chromium (and libkrb5-dev, which
// code-server's kerberos module compiles against), Node 24 from the npm registry, and
// code-server built against that Node, all under .cache/e2e/. A marker file records a
// finished install for the pinned versions; a second run only re-checks and returns.
// Usage: node scripts/e2e/setup.mjs   (exit 1 with a message on failure)
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CACHE_DIR,
  CHROMIUM,
  CODE_SERVER_DIR,
  CODE_SERVER_ENTRY,
  CODE_SERVER_VERSION,
  NODE_BIN,
  NODE_DIR,
  NODE_PKG_DIR,
  NODE_VERSION,
  SETUP_MARKER,
  since,
  xdgEnv,
} from './paths.mjs';
import { verifyNativeModules } from './verifyNative.mjs';

const APT_PACKAGES = ['chromium', 'libkrb5-dev'];
const MARKER = { node: NODE_VERSION, codeServer: CODE_SERVER_VERSION, layout: 1 };

/** Installs whatever is missing; resolves when the tools are ready, throws with a clear message otherwise. */
export async function setup({ log = (m) => console.log(`[e2e setup] ${m}`) } = {}) {
  const t0 = Date.now();
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  await ensureAptPackages(log, t0);
  await ensureNode(log, t0);
  await ensureCodeServer(log, t0);
  log(`ready in ${since(t0)} (node ${NODE_VERSION}, code-server ${CODE_SERVER_VERSION})`);
}

function markerMatches() {
  try {
    const m = JSON.parse(fs.readFileSync(SETUP_MARKER, 'utf8'));
    return m.node === MARKER.node && m.codeServer === MARKER.codeServer && m.layout === MARKER.layout;
  } catch {
    return false;
  }
}

function dpkgInstalled(name) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

async function ensureAptPackages(log, t0) {
  // libkrb5-dev is needed only to compile code-server; once built, chromium alone matters.
  const wanted = markerMatches() ? ['chromium'] : APT_PACKAGES;
  const missing = wanted.filter((p) => !dpkgInstalled(p));
  if (missing.length === 0 && fs.existsSync(CHROMIUM)) return log(`apt packages present (${wanted.join(', ')})`);
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(' ')}; run as root or: sudo apt-get install -y ${missing.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`apt-get update (missing: ${missing.join(', ')})`);
  await run('apt-get', ['update'], { env, logFile: path.join(CACHE_DIR, 'apt.log') });
  log(`apt-get install -y ${APT_PACKAGES.join(' ')} (${since(t0)})`);
  await run('apt-get', ['install', '-y', '--no-install-recommends', ...APT_PACKAGES], { env, logFile: path.join(CACHE_DIR, 'apt.log') });
  if (!fs.existsSync(CHROMIUM)) throw new Error(`apt-get finished but ${CHROMIUM} is missing`);
  log(`apt packages installed (${since(t0)})`);
}

function nodeVersionOk() {
  if (!fs.existsSync(NODE_BIN)) return false;
  const r = spawnSync(NODE_BIN, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === `v${NODE_VERSION}`;
}

async function ensureNode(log, t0) {
  if (nodeVersionOk() && fs.existsSync(path.join(NODE_PKG_DIR, 'include', 'node', 'node.h'))) {
    return log(`node ${NODE_VERSION} present`);
  }
  log(`npm install node@${NODE_VERSION} into ${path.relative(process.cwd(), NODE_DIR) || NODE_DIR}`);
  fs.rmSync(NODE_DIR, { recursive: true, force: true });
  fs.mkdirSync(NODE_DIR, { recursive: true });
  // The `node` package fetches its platform binary package in a preinstall script: allow it.
  writeJson(path.join(NODE_DIR, 'package.json'), {
    private: true,
    description: 'Node 24 for code-server (end-to-end tests only)',
    dependencies: { node: NODE_VERSION },
    allowScripts: { node: true },
  });
  await run('npm', ['install', '--no-audit', '--no-fund'], { cwd: NODE_DIR, logFile: path.join(CACHE_DIR, 'node24.log') });
  if (!nodeVersionOk()) throw new Error(`node@${NODE_VERSION} installed but ${NODE_BIN} does not report v${NODE_VERSION}`);
  log(`node ${NODE_VERSION} installed (${since(t0)})`);
}

async function ensureCodeServer(log, t0) {
  if (markerMatches() && fs.existsSync(CODE_SERVER_ENTRY)) {
    return log(`code-server ${CODE_SERVER_VERSION} present (marker ${path.basename(SETUP_MARKER)})`);
  }
  fs.rmSync(SETUP_MARKER, { force: true });
  fs.rmSync(CODE_SERVER_DIR, { recursive: true, force: true });
  fs.mkdirSync(CODE_SERVER_DIR, { recursive: true });
  // npm 11 skips dependency install scripts unless allowed. code-server's postinstall runs
  // `npm install` in lib/vscode, whose own package.json allows its native modules.
  writeJson(path.join(CODE_SERVER_DIR, 'package.json'), {
    private: true,
    description: 'code-server for end-to-end tests only',
    dependencies: { 'code-server': CODE_SERVER_VERSION },
    allowScripts: { [`code-server@${CODE_SERVER_VERSION}`]: true, argon2: true },
  });
  // Under `npm test`, the outer npm's npm_* variables are inherited, and npm reads them as its own
  // config: code-server's postinstall then sees the outer npm's user agent ("node/v20") and stops.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE'));
  const env = {
    ...clean,
    PATH: `${path.dirname(NODE_BIN)}${path.delimiter}${process.env.PATH}`, // npm runs under Node 24
    npm_config_nodedir: NODE_PKG_DIR, // node-gyp builds against Node 24's headers
    JOBS: 'max',
  };
  const logFile = path.join(CACHE_DIR, 'code-server.log');
  log(`npm install code-server@${CODE_SERVER_VERSION} with Node ${NODE_VERSION} (compiles native modules; ~2-4 min; log: ${logFile})`);
  await run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts'], { cwd: CODE_SERVER_DIR, env, logFile, heartbeat: log });
  log(`npm install finished (${since(t0)}); checking native modules`);
  verifyNativeModules();
  const version = codeServerVersion();
  if (!version.startsWith(CODE_SERVER_VERSION)) throw new Error(`code-server --version said: ${version}`);
  log(`code-server ${version}`);
  writeJson(SETUP_MARKER, { ...MARKER, at: new Date().toISOString() });
  log(`code-server installed (${since(t0)})`);
}

/** `code-server --version`'s version line, run with a throwaway XDG home. */
function codeServerVersion() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tracefork-e2e-version-'));
  try {
    const r = spawnSync(NODE_BIN, [CODE_SERVER_ENTRY, '--version'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ...xdgEnv(home) },
    });
    const line = r.stdout.split('\n').find((l) => /^\d+\.\d+\.\d+ /.test(l));
    return line ?? `(exit ${r.status}) ${r.stdout}${r.stderr}`;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Runs a command with output appended to `logFile`; rejects with the log's tail on failure.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, logFile?: string, heartbeat?: (line: string) => void }} [opts]
 */
function run(cmd, args, { cwd, env = process.env, logFile, heartbeat } = {}) {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(logFile, 'a');
    fs.writeSync(out, `\n$ ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', out, out] });
    const t0 = Date.now();
    const timer = heartbeat && setInterval(() => heartbeat(`  ... still running ${cmd} ${args[0]} (${since(t0)})`), 30_000);
    const done = (err) => {
      if (timer) clearInterval(timer);
      fs.closeSync(out);
      if (!err) return resolve();
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-60).join('\n');
      reject(new Error(`${err}\n--- last lines of ${logFile} ---\n${tail}`));
    };
    child.on('error', (e) => done(`${cmd} could not start: ${e.message}`));
    child.on('exit', (code, sig) => done(code === 0 ? null : `${cmd} ${args.join(' ')} failed (${sig ?? `exit ${code}`})`));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  setup().catch((e) => {
    console.error(`[e2e setup] FAILED: ${e.message}`);
    process.exit(1);
  });
}
