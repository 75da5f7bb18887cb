// Builds the extension for release (`node esbuild.mjs --production`) and packages it as a .vsix
// with vsce, offline. Used by the demo and the end-to-end tests; `npm run package` runs it on this
// checkout and writes tracefork-<version>.vsix here.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Builds and packages the extension in `extDir` into `vsix`; returns its size in MB. */
export function packageExtension({ extDir, vsix, repo, log = console.log }) {
  if (fs.existsSync(path.join(extDir, 'esbuild.mjs'))) exec(process.execPath, ['esbuild.mjs', '--production'], extDir);
  fs.mkdirSync(path.dirname(vsix), { recursive: true });
  fs.rmSync(vsix, { force: true });
  const vsce = path.join(repo, 'node_modules', '@vscode', 'vsce', 'vsce');
  // --no-rewrite-relative-links: without a repository field vsce refuses README's relative links.
  const args = ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '-o', vsix];
  const ignore = ignoreFile(extDir, path.dirname(vsix));
  if (ignore) args.push('--ignoreFile', ignore);
  exec(process.execPath, [vsce, ...args], extDir);
  const mb = fs.statSync(vsix).size / 1e6;
  log(`packaged ${path.relative(repo, vsix)} (${mb.toFixed(2)} MB)`);
  return mb;
}

/**
 * vsce packs every file not in .vscodeignore, and the tool caches (.cache/ holds code-server)
 * live in the repo: a copy of .vscodeignore that also leaves those out, or null when the
 * extension lists its files in package.json instead.
 */
function ignoreFile(extDir, outDir) {
  const own = path.join(extDir, '.vscodeignore');
  const manifest = JSON.parse(fs.readFileSync(path.join(extDir, 'package.json'), 'utf8'));
  if (!fs.existsSync(own) && Array.isArray(manifest.files)) return null;
  const base = fs.existsSync(own) ? fs.readFileSync(own, 'utf8') : '';
  const file = path.join(outDir, 'vscodeignore');
  fs.writeFileSync(file, `${base}\n# added by scripts/package.mjs\n.cache/**\n.test-output/**\nout/test/**\n`);
  return file;
}

function exec(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed in ${cwd} (exit ${r.status ?? r.signal})`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  packageExtension({ extDir: repo, vsix: path.join(repo, `tracefork-${version}.vsix`), repo });
}
