// The project's test command (`npm test`, and so `.ci/run`): build, type-check, then every
// suite — unit and integration (mocha: real exporters and agent frameworks), the Python tests
// (pytest in a virtual environment scripts/test-python.mjs makes), then the real
// VS Code end to end (code-server in headless Chromium, installed by scripts/e2e/setup.mjs).
// Each suite prints "N passed, N failed"; the last line adds them up. Exits non-zero on any failure.
import { spawn } from 'node:child_process';

const results = [];

/** Runs one step, streaming its output; records its "N passed, N failed" line when it has one. */
function step(name, cmd, args) {
  const t0 = Date.now();
  process.stdout.write(`\n== ${name}\n`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    let tail = '';
    child.stdout.on('data', (c) => {
      process.stdout.write(c);
      tail = (tail + c.toString()).slice(-4000);
    });
    child.on('exit', (code) => {
      const counts = [...tail.matchAll(/^(\d+) passed, (\d+) failed/gm)].pop();
      results.push({ name, code, passed: counts ? Number(counts[1]) : 0, failed: counts ? Number(counts[2]) : 0 });
      process.stdout.write(`== ${name}: ${code === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
      resolve(code === 0);
    });
  });
}

const node = process.execPath;
const ok =
  (await step('build', node, ['esbuild.mjs'])) &&
  (await step('typecheck (host, core, tests)', node, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.'])) &&
  (await step('typecheck (webview)', node, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'webview/tsconfig.json'])) &&
  (await step('typecheck (webview tests)', node, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'webview/tsconfig.test.json'])) &&
  (await step('typecheck (scripts: the .mjs files, checkJs)', node, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.scripts.json'])) &&
  (await step('lint (ESLint with type information)', node, ['node_modules/eslint/bin/eslint.js', '.'])) &&
  (await step('format (Prettier --check)', node, ['node_modules/prettier/bin/prettier.cjs', '--check', '.']));
if (ok && (await step('test tools: Chromium and code-server (installed once into .cache/)', node, ['scripts/e2e/setup.mjs']))) {
  await step('unit, integration and webview tests', node, ['node_modules/mocha/bin/mocha.js']);
  await step('Python: sdk-python and real Python exporters (pytest, venv in .cache/)', node, ['scripts/test-python.mjs']);
  await step('end to end in a real VS Code', node, ['scripts/e2e/run.mjs']);
}

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed + (r.code !== 0 && r.failed === 0 ? 1 : 0), 0);
process.stdout.write(
  `\n${results.map((r) => `${r.name}: ${r.code === 0 ? 'ok' : 'FAILED'}${r.passed + r.failed ? ` (${r.passed} passed, ${r.failed} failed)` : ''}`).join('\n')}\n`,
);
process.stdout.write(`tests: ${passed} passed, ${failed} failed\n`);
process.exit(results.every((r) => r.code === 0) && ok ? 0 : 1);
