// One build script, several entries: the CLI and the extension host (Node, CommonJS), the SDK
// for agents (Node, CommonJS) and the webviews (browser, Preact). `--watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: /** @type {const} */ ('warning') };

const contexts = await Promise.all([
  esbuild.context({
    ...common,
    entryPoints: {
      cli: 'src/cli.ts',
      extension: 'src/extension/extension.ts',
      evalWorker: 'src/core/eval/live/worker.ts',
      receiverWorker: 'src/core/receiver/worker/receiverWorker.ts',
      viewWorker: 'src/core/view/worker/viewWorker.ts',
    },
    outdir: 'dist',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
  }),
  // The agent-side SDK as plain CommonJS, so a JavaScript agent needs no TypeScript loader;
  // OpenTelemetry stays external (the agent's own copy, a peer dependency).
  esbuild.context({
    ...common,
    entryPoints: { index: 'sdk/src/index.ts', auto: 'sdk/src/auto.ts' },
    outdir: 'sdk/dist',
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    external: ['@opentelemetry/*', './index'], // auto.js loads index.js: one SDK instance per process
  }),
  esbuild.context({
    ...common,
    entryPoints: { webview: 'webview/main.tsx', forkEditor: 'webview/fork/main.tsx', trends: 'webview/trends/main.tsx' },
    outdir: 'dist',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.svg': 'text' },
  }),
]);

fs.mkdirSync('dist', { recursive: true });
// sql.js loads its wasm at run time; ship it beside the bundles.
fs.copyFileSync('node_modules/sql.js/dist/sql-wasm.wasm', 'dist/sql-wasm.wasm');
// The webview's stylesheet is linked, not inlined (the CSP has no 'unsafe-inline').
fs.copyFileSync('webview/style.css', 'dist/webview.css');

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  fs.chmodSync('dist/cli.js', 0o755);
  // The SDK's published types (sdk/dist/*.d.ts): an agent project type-checks against the package alone.
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'sdk/tsconfig.json'], { stdio: 'inherit' });
}
