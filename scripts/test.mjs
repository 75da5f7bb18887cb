// The project's test command (`npm test`, and so `.ci/run`): build, type-check, then every
// mocha suite (unit, integration with real exporters and agent frameworks). Prints mocha's
// closing "N passed, N failed" line; exits non-zero on any failure.
import { spawnSync } from 'node:child_process';

function step(name, cmd, args) {
  const t0 = Date.now();
  process.stdout.write(`\n== ${name}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  process.stdout.write(`== ${name}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}

step('build', process.execPath, ['esbuild.mjs']);
step('typecheck', process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.']);
step('unit and integration tests', process.execPath, ['node_modules/mocha/bin/mocha.js']);
