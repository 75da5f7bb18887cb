/**
 * In-page measurements for bench/webview.ts, so the bench (a Node file) never touches the DOM
 * itself: when the first loaded rows were painted, and how long scrolling takes to show
 * loaded rows. Exposed as `window.__tfBench`.
 */

import type { BenchProbe, FrameResult, ScrollResult } from './benchTypes';

const nextFrame = () => new Promise<number>((r) => requestAnimationFrame(r));

function tree(): HTMLElement {
  const el = document.querySelector<HTMLElement>('[role=tree]');
  if (!el) throw new Error('no tree');
  return el;
}

/** True when every row overlapping the viewport has its data (no placeholder). */
function viewportLoaded(el: HTMLElement): boolean {
  const box = el.getBoundingClientRect();
  let seen = 0;
  for (const row of el.querySelectorAll<HTMLElement>('[role=treeitem]')) {
    const r = row.getBoundingClientRect();
    if (r.bottom <= box.top || r.top >= box.bottom) continue;
    if (!row.dataset.loaded) return false;
    seen++;
  }
  return seen > 0;
}

async function scrollThrough(positions: number): Promise<ScrollResult> {
  const el = tree();
  const times: number[] = [];
  let maxRowsInDom = 0;
  const t0 = performance.now();
  for (let k = 0; k < positions; k++) {
    const start = performance.now();
    el.scrollTop = Math.round(((el.scrollHeight - el.clientHeight) * k) / Math.max(1, positions - 1));
    do await nextFrame();
    while (!viewportLoaded(el));
    times.push(performance.now() - start);
    maxRowsInDom = Math.max(maxRowsInDom, el.querySelectorAll('[role=treeitem]').length);
  }
  const totalMs = performance.now() - t0;
  return { positions, meanMs: times.reduce((a, b) => a + b, 0) / times.length, maxMs: Math.max(...times), totalMs, maxRowsInDom };
}

async function fling(frames: number, step: number): Promise<FrameResult> {
  const el = tree();
  el.scrollTop = 0;
  let last = await nextFrame();
  const gaps: number[] = [];
  for (let k = 0; k < frames; k++) {
    el.scrollTop += step;
    const now = await nextFrame();
    gaps.push(now - last);
    last = now;
  }
  return { frames, meanMs: gaps.reduce((a, b) => a + b, 0) / gaps.length, maxMs: Math.max(...gaps) };
}

/** Records when loaded rows are first on screen and exposes the scroll measurements. */
export function installBenchProbe(): void {
  const probe: BenchProbe = { hostReadyAt: performance.now(), firstRowsAt: null, scrollThrough, fling };
  (window as unknown as { __tfBench: BenchProbe }).__tfBench = probe;
  const poll = () => {
    // A rAF callback runs just before the frame is painted: the rows found here are in that frame.
    if (document.querySelector('[role=treeitem][data-loaded]')) probe.firstRowsAt = performance.now();
    else requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}
