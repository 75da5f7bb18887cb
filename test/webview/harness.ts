/**
 * The webview's dev harness for browser tests and the bench: builds it, serves
 * .cache/webview-dev/ on 127.0.0.1, and launches headless Chromium with playwright-core.
 * Run directly (`node --import tsx test/webview/harness.ts`) to serve it for a manual look.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const ROOT = path.resolve(__dirname, '../..');
const outDir = (production: boolean) => path.join(ROOT, production ? '.cache/webview-dev-min' : '.cache/webview-dev');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/** Builds the harness bundles (minified with `production`). */
export function buildHarness(production = false): void {
  const r = spawnSync(process.execPath, ['webview/dev/build.mjs', ...(production ? ['--production'] : [])], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`webview/dev/build.mjs failed:\n${r.stdout}${r.stderr}`);
}

/** Serves the built harness (the minified one with `production`); resolves with its URL and a close function. */
export async function serveHarness(production = false): Promise<{ url: string; close(): Promise<void> }> {
  const out = outDir(production);
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    if (name === 'favicon.ico') return void res.writeHead(204).end();
    const file = path.join(out, path.normalize(name));
    if (!file.startsWith(out + path.sep) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Headless Debian Chromium, the flags that keep it quiet and offline. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

if (require.main === module) {
  buildHarness();
  void serveHarness().then(({ url }) => console.log(`dev harness on ${url}?rows=1000 (Ctrl+C to stop)`));
}
