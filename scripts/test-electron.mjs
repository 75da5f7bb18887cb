// `npm run test:electron`: the same in-host suite as the end-to-end run, in desktop VS Code via
// @vscode/test-electron (the contract test/e2e/host/index.ts keeps). It downloads VS Code, so it
// runs only on machines that can reach the VS Code download servers: optional, not part of CI.
import { runTests } from '@vscode/test-electron';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildHostTests, HOST_INDEX } from './e2e/buildHostTests.mjs';
import { REPO } from './e2e/paths.mjs';

if (spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'inherit' }).status !== 0) process.exit(1);
await buildHostTests();
const workspace = fs.mkdtempSync(path.join(REPO, '.cache', 'electron-ws-'));
fs.cpSync(path.join(REPO, 'test', 'e2e', 'workspace'), workspace, { recursive: true });
try {
  await runTests({
    extensionDevelopmentPath: REPO,
    extensionTestsPath: HOST_INDEX,
    launchArgs: [workspace, '--disable-extensions', `--user-data-dir=${fs.mkdtempSync(path.join(os.tmpdir(), 'tf-electron-'))}`],
    extensionTestsEnv: { TRACEFORK_E2E_REPO: REPO, TRACEFORK_E2E_NODE: process.execPath },
  });
} catch (e) {
  console.error(`test:electron failed: ${e.message ?? e}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(workspace, { recursive: true, force: true });
}
