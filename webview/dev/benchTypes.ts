/** What the in-page bench probe reports; DOM-free so bench/webview.ts (Node) can import it. */

/** Time to show loaded rows after each of `positions` jumps, and the whole traversal. */
export interface ScrollResult {
  positions: number;
  meanMs: number;
  maxMs: number;
  totalMs: number;
  maxRowsInDom: number;
}

/** Frame intervals while the list scrolls by a fixed step every frame. */
export interface FrameResult {
  frames: number;
  meanMs: number;
  maxMs: number;
}

/** The probe as exposed on `window.__tfBench`. */
export interface BenchProbe {
  /** performance.now() when the fake host had generated its rows (before the webview runs). */
  hostReadyAt: number;
  /** performance.now() of the first frame with loaded rows, or null before it. */
  firstRowsAt: number | null;
  scrollThrough(positions: number): Promise<ScrollResult>;
  fling(frames: number, step: number): Promise<FrameResult>;
}
