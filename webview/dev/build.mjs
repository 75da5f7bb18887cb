// Builds the dev harness into .cache/webview-dev/: the webview bundle (same options as
// esbuild.mjs), the fake host, index.html, theme.css and style.css (as webview.css, the name
// it has in dist/). `--production` minifies like the shipped build, into .cache/webview-dev-min/.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const production = process.argv.includes('--production');
const out = path.join(root, production ? '.cache/webview-dev-min' : '.cache/webview-dev');

await esbuild.build({
  absWorkingDir: root,
  entryPoints: { webview: 'webview/main.tsx', fakeHost: 'webview/dev/fakeHost.ts' },
  outdir: out,
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  loader: { '.svg': 'text' },
});
fs.copyFileSync(path.join(here, 'index.html'), path.join(out, 'index.html'));
fs.copyFileSync(path.join(here, 'theme.css'), path.join(out, 'theme.css'));
fs.copyFileSync(path.join(root, 'webview/style.css'), path.join(out, 'webview.css'));
console.log(`dev harness built in ${path.relative(root, out)}${production ? ' (minified)' : ''}`);
