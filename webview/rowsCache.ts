/**
 * The rows of one trace as the webview knows them: a sparse array filled page by page
 * (`getRows` of ROW_PAGE rows), with the pages asked for but not answered yet. Pure: it
 * returns the requests to send and never talks to the host itself.
 */
import { ROW_PAGE, type RowData } from '../src/shared/protocol';

/** A `getRows` request to post (without its `type`). */
export interface PageRequest {
  requestId: number;
  start: number;
  count: number;
}

/** Page bookkeeping for the rows of the current trace. */
export class RowsCache {
  /** Sparse: `rows[i]` stays undefined until its page arrives. */
  rows: (RowData | undefined)[] = [];
  total = 0;
  private readonly loaded = new Set<number>();
  /** requestId → page, for the requests of the current generation only. */
  private readonly inFlight = new Map<number, number>();
  private readonly pending = new Set<number>();
  private readonly bySpan = new Map<string, number>();
  /** Set by a reset: the last page is fetched once the first answer is in (see `prefetchTail`). */
  private tailWanted = false;

  constructor(
    private readonly nextId: () => number,
    private readonly pageSize = ROW_PAGE,
  ) {}

  /** Forgets every row and request (another trace); answers to old requests are then ignored. */
  reset(total: number): void {
    this.rows = [];
    this.bySpan.clear();
    this.invalidate(total);
    this.tailWanted = true;
  }

  /**
   * Once after a reset, when some page has arrived: the request for the last page, so that End
   * (where an agent's final answer is) paints from rows already here instead of waiting on the host.
   * Asked after the first answer, never before it, so it does not delay the first rows.
   */
  prefetchTail(): PageRequest[] {
    if (!this.tailWanted || this.loaded.size === 0) return [];
    this.tailWanted = false;
    return this.request([this.total - 1]);
  }

  /**
   * Marks every page as to be asked for again (the trace changed) but keeps the old rows on
   * screen until their pages arrive, so a live run does not flicker; old answers are ignored.
   */
  invalidate(total: number): void {
    this.total = Math.max(0, total);
    this.rows.length = this.total;
    this.loaded.clear();
    this.inFlight.clear();
    this.pending.clear();
  }

  /** The requests for the pages holding `indices` that are neither loaded nor asked for yet. */
  request(indices: Iterable<number>): PageRequest[] {
    const out: PageRequest[] = [];
    for (const i of indices) {
      if (i < 0 || i >= this.total) continue;
      const page = Math.floor(i / this.pageSize);
      if (!this.loaded.has(page) && !this.pending.has(page)) out.push(this.ask(page));
    }
    return out;
  }

  /** The request for the first page neither loaded nor asked for, if any (to look for a row). */
  requestNextMissing(): PageRequest | undefined {
    const pages = Math.ceil(this.total / this.pageSize);
    for (let p = 0; p < pages; p++) if (!this.loaded.has(p) && !this.pending.has(p)) return this.ask(p);
    return undefined;
  }

  /** Stores an answer; false when it answers no current request (stale after a reset, or unknown). */
  receive(inReplyTo: number, start: number, rows: readonly RowData[]): boolean {
    const page = this.inFlight.get(inReplyTo);
    if (page === undefined) return false;
    this.inFlight.delete(inReplyTo);
    this.pending.delete(page);
    this.loaded.add(page);
    for (let k = 0; k < rows.length && start + k < this.total; k++) {
      const row = rows[k];
      this.rows[start + k] = row;
      this.bySpan.set(row.spanId, start + k);
    }
    return true;
  }

  /** Drops every outstanding request so its pages can be asked for again (after a host error). */
  abandonInFlight(): void {
    this.inFlight.clear();
    this.pending.clear();
  }

  /** The index of a row (loaded, or kept from before `invalidate`) by span id, or -1. */
  indexOf(spanId: string): number {
    const i = this.bySpan.get(spanId);
    return i !== undefined && this.rows[i]?.spanId === spanId ? i : -1;
  }

  /** True when the page holding row `i` has arrived. */
  has(i: number): boolean {
    return this.loaded.has(Math.floor(i / this.pageSize));
  }

  /** True when a request is outstanding. */
  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  private ask(page: number): PageRequest {
    const requestId = this.nextId();
    this.inFlight.set(requestId, page);
    this.pending.add(page);
    const start = page * this.pageSize;
    return { requestId, start, count: Math.min(this.pageSize, this.total - start) };
  }
}
