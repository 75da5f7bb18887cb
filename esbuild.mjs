// One build script, several entries: the CLI (and later the extension host and the webview).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** Host-side bundles run in Node (the CLI; the extension host once it lands). */
const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  external: ['vscode'],
};

const contexts = await Promise.all([
  esbuild.context({ ...node, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist', banner: { js: '' } }),
]);

fs.mkdirSync('dist', { recursive: true });
// sql.js loads its wasm at run time; ship it beside the bundles.
fs.copyFileSync('node_modules/sql.js/dist/sql-wasm.wasm', 'dist/sql-wasm.wasm');

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  fs.chmodSync('dist/cli.js', 0o755);
}
