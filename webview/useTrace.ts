/**
 * The webview's state for one trace: header, the paged rows, collapsed subtrees and the
 * selection (both kept by span id, so they survive a live `changed`), and the detail.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { RowData, Step, StepAction, TraceHeader } from '../src/shared/protocol';
import { visibleRows } from '../src/shared/visibleRows';
import type { Host } from './host';
import { RowsCache, type PageRequest } from './rowsCache';
import { useDetail } from './useDetail';

/** How many rows on, in the direction the selection moves, have their details fetched ahead (arrow keys held down outrun one). */
const FETCH_AHEAD = 3;

/** The selected row: its index in the current rows and, once known, its span id. */
export interface Selection {
  index: number;
  spanId: string | null;
}

/** What survives the webview being hidden and shown again (VS Code's getState/setState). */
export interface ViewState {
  traceId: string;
  selected: string | null;
  collapsed: string[];
}

/** Where the view state is kept (the VS Code API; nothing in the dev harness). */
export interface StateStore {
  get(): unknown;
  set(state: ViewState): void;
}

const isViewState = (v: unknown): v is ViewState =>
  typeof v === 'object' && v !== null && typeof (v as ViewState).traceId === 'string' && Array.isArray((v as ViewState).collapsed);

/** Everything the trace view renders and the actions it can take; one per webview. */
export function useTrace(host: Host, state?: StateStore) {
  const [header, setHeader] = useState<TraceHeader | null>(null);
  const [hostError, setHostError] = useState<string | null>(null);
  const [cache] = useState(() => new RowsCache(host.nextId));
  const [version, setVersion] = useState(0);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [sel, setSel] = useState<Selection>({ index: -1, spanId: null });
  const { detail, requestDetail, receiveDetail, forget } = useDetail(host);
  const bump = () => setVersion((v) => v + 1);
  const send = (reqs: PageRequest[]) => reqs.forEach((r) => host.post({ type: 'getRows', ...r }));

  // visibleRows reads only the collapsed rows (and the total): recompute it, O(rows), when they
  // change, not when a page arrives and never per scroll frame.
  const indices = [...collapsed].map((s) => cache.indexOf(s)).filter((i) => i >= 0);
  const key = `${cache.total}|${indices.map((i) => `${i}+${cache.rows[i]?.descendants}`).join(',')}`;
  const collapsedIdx = useMemo(() => new Set(indices), [key]);
  const visible = useMemo(() => visibleRows(cache.rows, cache.total, collapsedIdx), [key]);

  const lastIndex = useRef(-1);
  useEffect(() => {
    requestDetail(sel.spanId, neighbours(sel.index, lastIndex.current));
    lastIndex.current = sel.index;
  }, [sel.spanId]);
  // The selection and the collapsed rows, kept for when the panel is shown again.
  useEffect(() => {
    if (header) state?.set({ traceId: header.traceId, selected: sel.spanId, collapsed: [...collapsed] });
  }, [header?.traceId, sel.spanId, collapsed]);
  // Keep the selection on its span as pages arrive after a reset, a `select` or a live change.
  useEffect(() => {
    const row = sel.index >= 0 ? cache.rows[sel.index] : undefined;
    if (!sel.spanId) {
      if (row) setSel({ index: sel.index, spanId: row.spanId });
      else send(cache.request([sel.index]));
    } else if (row?.spanId !== sel.spanId || !cache.has(sel.index)) {
      findSelection(sel.spanId, sel.index);
    }
  }, [version, sel]);

  /** Moves the selection to where its span is now, asking for pages until it is found. */
  function findSelection(spanId: string, hint: number) {
    const found = cache.indexOf(spanId);
    if (found >= 0 && found !== hint) {
      reveal(found);
      setSel({ index: found, spanId });
    } else if (hint >= 0 && !cache.has(hint)) {
      send(cache.request([hint]));
    } else if (found < 0 && !cache.busy) {
      const next = cache.requestNextMissing();
      if (next) send([next]);
    }
  }

  /**
   * The span ids of the visible rows around row `i` whose details are fetched ahead (loaded rows
   * only): FETCH_AHEAD rows on in the direction the selection last moved, and one the other way.
   */
  function neighbours(i: number, from: number): Array<string | undefined> {
    let lo = 0,
      hi = visible.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (visible[mid] === i) {
        const dir = from > i ? -1 : 1;
        const at = [...Array.from({ length: FETCH_AHEAD }, (_, k) => mid + dir * (k + 1)), mid - dir];
        return at.map((v) => cache.rows[visible[v]]?.spanId);
      }
      if (visible[mid] < i) lo = mid + 1;
      else hi = mid - 1;
    }
    return [];
  }

  /** Expands the collapsed ancestors of row `i`. */
  function reveal(i: number) {
    setCollapsed((prev) => {
      const hiding = [...prev].filter((s) => {
        const a = cache.indexOf(s);
        return a >= 0 && a < i && i <= a + (cache.rows[a]?.descendants ?? 0);
      });
      return hiding.length ? new Set([...prev].filter((s) => !hiding.includes(s))) : prev;
    });
  }

  function setExpanded(i: number, expanded: boolean) {
    const row = cache.rows[i];
    if (!row || row.descendants === 0) return;
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (expanded) next.delete(row.spanId);
      else next.add(row.spanId);
      return next;
    });
  }

  return {
    header,
    hostError,
    rows: cache.rows as ReadonlyArray<RowData | undefined>,
    version,
    visible,
    collapsed: collapsedIdx,
    selected: sel.index,
    detail,
    /** Asks for the pages holding these rows (the rendered range) and the collapsed ones. */
    ensure: (indices: number[]) => send(cache.request([...indices, ...collapsedIdx])),
    select: (i: number) => setSel({ index: i, spanId: cache.rows[i]?.spanId ?? null }),
    setExpanded,
    toggle: (i: number) => setExpanded(i, collapsedIdx.has(i)),
    open: (spanId: string, toSide: boolean) => host.post({ type: 'openSource', spanId, toSide }),
    act: (action: StepAction, spanId: string) => host.post({ type: 'stepAction', action, spanId }),
    onInit(h: TraceHeader) {
      setHeader(h);
      setHostError(null);
      cache.reset(h.rowCount);
      // Shown again after being hidden: the same run comes back as the user left it.
      const kept = state?.get();
      const restore = isViewState(kept) && kept.traceId === h.traceId ? kept : null;
      // Otherwise a model call two instrumentations describe starts as one row, the nested span folded into it.
      setCollapsed(new Set(restore?.collapsed ?? h.folded ?? []));
      setSel({ index: -1, spanId: restore?.selected ?? null });
      forget();
      bump();
    },
    onChanged(h: TraceHeader) {
      setHeader(h);
      cache.invalidate(h.rowCount);
      bump();
      forget();
      requestDetail(sel.spanId);
    },
    onRows(inReplyTo: number, start: number, rows: RowData[]) {
      if (!cache.receive(inReplyTo, start, rows)) return;
      bump();
      send(cache.prefetchTail());
    },
    onDetail: (inReplyTo: number, step: Step | null) => receiveDetail(inReplyTo, step),
    onSelect(spanId: string) {
      const index = cache.indexOf(spanId);
      if (index >= 0) reveal(index);
      setSel({ index, spanId });
    },
    onError(message: string) {
      setHostError(message);
      cache.abandonInFlight();
      bump();
    },
  };
}

/** The trace state and actions `useTrace` returns. */
export type TraceState = ReturnType<typeof useTrace>;
