// Compiles the in-host end-to-end suite (test/e2e/host/*.ts) into out/test/e2e/host/ for
// VS Code's extension host: CommonJS for Node, `vscode` provided by the host, mocha loaded
// from the repository's node_modules at run time.
// Usage: node scripts/e2e/buildHostTests.mjs
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './paths.mjs';

export const HOST_SRC = path.join(REPO, 'test', 'e2e', 'host');
export const HOST_OUT = path.join(REPO, 'out', 'test', 'e2e', 'host');
/** The compiled `extensionTestsPath`. */
export const HOST_INDEX = path.join(HOST_OUT, 'index.js');

/** Builds index.ts and every *.test.ts, replacing whatever out/test/e2e/host held. */
export async function buildHostTests() {
  const entries = fs.readdirSync(HOST_SRC).filter((f) => f === 'index.ts' || f.endsWith('.test.ts'));
  fs.rmSync(HOST_OUT, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: entries.map((f) => path.join(HOST_SRC, f)),
    outdir: HOST_OUT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return entries.length;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = await buildHostTests();
  console.log(`built ${n} file(s) into ${path.relative(REPO, HOST_OUT)}`);
}
