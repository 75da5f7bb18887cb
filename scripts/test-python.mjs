// The Python tests of `npm test`: a virtual environment in .cache/py-venv (remade when the pinned
// requirements change), this checkout's sdk-python installed into it, then pytest over
// sdk-python/tests (the SDK, and real Python OpenTelemetry exporters against the built CLI), after
// ruff and mypy.
// Prints "N passed, N failed"; exits non-zero on any failure, and when pytest collected nothing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const venv = path.join(root, '.cache', 'py-venv');
const py = path.join(venv, 'bin', 'python');
const reqs = path.join(root, 'sdk-python', 'requirements-ci.txt');
const stampFile = path.join(venv, '.tracefork-stamp');
const stamp = createHash('sha256')
  .update(fs.readFileSync(reqs))
  .update(fs.readFileSync(path.join(root, 'sdk-python', 'pyproject.toml')))
  .digest('hex');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    process.stdout.write(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})\n0 passed, 1 failed\n`);
    process.exit(1);
  }
  return r;
}

if (!fs.existsSync(py) || !fs.existsSync(stampFile) || fs.readFileSync(stampFile, 'utf8') !== stamp) {
  fs.rmSync(venv, { recursive: true, force: true });
  run(process.env.PYTHON || 'python3', ['-m', 'venv', venv]);
  run(py, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', reqs]);
  fs.writeFileSync(stampFile, stamp);
}
// The package itself is reinstalled every run, so the tests see this checkout's code.
run(py, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--force-reinstall', './sdk-python']);

if (process.argv.includes('--setup')) process.exit(0); // the environment only (npm run bench:python)

// Lint and types first: ruff (lint and format) over the package and its tests, mypy --strict over the package.
const venvBin = (tool) => path.join(venv, 'bin', tool);
for (const [tool, args] of /** @type {Array<[string, string[]]>} */ ([
  ['ruff', ['check', 'src', 'tests', 'bench']],
  ['ruff', ['format', '--check', 'src', 'tests', 'bench']],
  ['mypy', ['src']],
])) {
  const lint = spawnSync(venvBin(tool), args, { cwd: path.join(root, 'sdk-python'), encoding: 'utf8' });
  if (lint.status !== 0) {
    process.stdout.write(
      `${lint.stdout}${lint.stderr}sdk-python: ${tool} ${args.join(' ')} failed; run it in sdk-python/ to see and fix\n0 passed, 1 failed\n`,
    );
    process.exit(1);
  }
}

const r = spawnSync(py, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'sdk-python/tests'], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, TRACEFORK_ROOT: root },
});
process.stdout.write(r.stdout);
process.stderr.write(r.stderr);
const passed = Number(/(\d+) passed/.exec(r.stdout)?.[1] ?? 0);
const failed = Number(/(\d+) failed/.exec(r.stdout)?.[1] ?? 0) + Number(/(\d+) error/.exec(r.stdout)?.[1] ?? 0);
const ok = r.status === 0 && passed > 0;
process.stdout.write(`${passed} passed, ${failed + (ok || failed ? 0 : 1)} failed\n`);
process.exit(ok ? 0 : 1);
