/**
 * The trace webview with a 100,000-row trace: the dev harness (minified bundle, fake host
 * answering in 1 ms) in headless Chromium under the host's CSP. Measures, in the page:
 * navigation → first loaded rows painted; 50 jumps from top to bottom, each until the rows in
 * view are loaded and painted; frame intervals while scrolling 50 rows per frame. Printed,
 * never asserted. `node --import tsx bench/webview.ts [rows]`.
 */
import type { Page } from 'playwright-core';
import { buildHarness, launchChromium, serveHarness } from '../test/webview/harness';
import type { FrameResult, ScrollResult } from '../webview/dev/benchTypes';

/** The figures of one bench run (milliseconds). */
export interface WebviewBench {
  rows: number;
  /** Navigation start → first frame with loaded rows, median of `loads` page loads. */
  firstRowsMs: number;
  /** The part of it spent after the fake host had generated its rows: the webview's own start. */
  afterHostMs: number;
  loads: number;
  jumps: ScrollResult;
  fling: FrameResult;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function load(page: Page, url: string): Promise<{ first: number; host: number }> {
  await page.goto(url);
  await page.locator('[role=treeitem][data-loaded]').first().waitFor({ timeout: 60_000 });
  for (;;) {
    const t = await page.evaluate<{ first: number | null; host: number }>('({ first: window.__tfBench.firstRowsAt, host: window.__tfBench.hostReadyAt })');
    if (t.first !== null) return { first: t.first, host: t.host };
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs the webview bench and returns its figures. */
export async function benchWebview(rows = 100_000, loads = 3): Promise<WebviewBench> {
  buildHarness(true);
  const server = await serveHarness(true);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const url = `${server.url}?rows=${rows}&latency=1`;
    const times: { first: number; host: number }[] = [];
    for (let i = 0; i < loads; i++) times.push(await load(page, url));
    const jumps = await page.evaluate<ScrollResult>('window.__tfBench.scrollThrough(50)');
    const fling = await page.evaluate<FrameResult>(`window.__tfBench.fling(300, ${22 * 50})`);
    return { rows, firstRowsMs: median(times.map((t) => t.first)), afterHostMs: median(times.map((t) => t.first - t.host)), loads, jumps, fling };
  } finally {
    await browser.close();
    await server.close();
  }
}

async function main() {
  const rows = Number(process.argv[2] ?? 100_000);
  const r = await benchWebview(rows);
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(`Trace webview, ${r.rows.toLocaleString('en-US')} rows, headless Chromium (dev harness, minified bundle)`);
  console.log(
    `navigation → first rows painted:  ${ms(r.firstRowsMs)} (median of ${r.loads}); of which after the fake host generated the trace: ${ms(r.afterHostMs)}`,
  );
  console.log(
    `50 jumps top → bottom, each until loaded rows are painted: mean ${ms(r.jumps.meanMs)}, max ${ms(r.jumps.maxMs)}, total ${ms(r.jumps.totalMs)}; at most ${r.jumps.maxRowsInDom} rows in the DOM`,
  );
  console.log(`scrolling 50 rows per frame for ${r.fling.frames} frames: frame interval mean ${ms(r.fling.meanMs)}, max ${ms(r.fling.maxMs)}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
