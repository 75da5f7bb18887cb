// Checks that code-server's native modules really compiled: npm 11 skips install scripts it
// was not told to allow, and then reports success anyway. Each module is loaded by Node 24.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CODE_SERVER_PKG, NODE_BIN } from './paths.mjs';

/** Native modules the VS Code server loads on Linux, resolved from lib/vscode. */
const VSCODE_NATIVE = ['node-pty', '@vscode/spdlog', 'kerberos', '@vscode/sqlite3', '@parcel/watcher', '@vscode/native-watchdog', '@vscode/deviceid'];
/** Resolved from code-server itself (password hashing). */
const CODE_SERVER_NATIVE = ['argon2'];

const PROBE = `
const { createRequire } = require('node:module');
const [vscodeDir, csDir, a, b] = process.argv.slice(1);
const bad = [];
for (const [dir, names] of [[vscodeDir, a], [csDir, b]]) {
  const req = createRequire(dir + '/package.json');
  for (const n of names.split(',')) {
    try { req(n); } catch (e) { bad.push(n + ': ' + String(e.message).split('\\n')[0]); }
  }
}
if (bad.length) { console.error(bad.join('\\n')); process.exit(1); }
`;

/** Throws listing every native module that does not load. */
export function verifyNativeModules() {
  const r = spawnSync(
    NODE_BIN,
    ['-e', PROBE, path.join(CODE_SERVER_PKG, 'lib', 'vscode'), CODE_SERVER_PKG, VSCODE_NATIVE.join(','), CODE_SERVER_NATIVE.join(',')],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (r.status !== 0) {
    throw new Error(`native modules did not build (install scripts skipped or compile failed):\n${r.stderr}${r.stdout}`);
  }
}
