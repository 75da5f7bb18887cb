/**
 * The detail of the selected step: one `getDetail` at a time, stale answers dropped. The steps
 * next to the selected one are fetched ahead and kept (a few dozen), so moving through the tree
 * with the arrow keys shows each detail at once, without a round trip to the extension host: on a
 * machine busy with agents exporting at full speed that round trip took hundreds of milliseconds.
 * A live change of the run drops what was kept (a step's detail may have grown).
 */
import { useCallback, useRef, useState } from 'preact/hooks';
import type { Step } from '../src/shared/protocol';
import type { Host } from './host';

/** What the detail pane shows. */
export interface DetailState {
  spanId: string | null;
  step: Step | null;
  loading: boolean;
}

/** Details kept (the selected step's neighbours and the steps seen last). */
export const DETAILS_KEPT = 32;

/** Details by span id, least recently used out first, and the fetches ahead still in flight. */
export class DetailCache {
  private readonly kept = new Map<string, Step | null>();
  /** requestId → spanId of fetches ahead. */
  private readonly ahead = new Map<number, string>();

  get(spanId: string): Step | null | undefined {
    const step = this.kept.get(spanId);
    if (step !== undefined) {
      this.kept.delete(spanId);
      this.kept.set(spanId, step);
    }
    return step;
  }

  set(spanId: string, step: Step | null): void {
    this.kept.delete(spanId);
    this.kept.set(spanId, step);
    while (this.kept.size > DETAILS_KEPT) this.kept.delete(this.kept.keys().next().value as string);
  }

  /** The request already on its way for this step, if any. */
  inFlight(spanId: string): number | undefined {
    for (const [id, s] of this.ahead) if (s === spanId) return id;
    return undefined;
  }

  fetching(requestId: number, spanId: string): void {
    this.ahead.set(requestId, spanId);
  }

  /** The span id a fetch ahead was for (and forgets the fetch), or undefined for another request. */
  answered(requestId: number): string | undefined {
    const spanId = this.ahead.get(requestId);
    this.ahead.delete(requestId);
    return spanId;
  }

  /** Forgets everything (the run changed). */
  clear(): void {
    this.kept.clear();
    this.ahead.clear();
  }
}

/** Requests and receives the selected step's detail; fetches its neighbours ahead. */
export function useDetail(host: Host) {
  const [detail, setDetail] = useState<DetailState>({ spanId: null, step: null, loading: false });
  const pending = useRef(0);
  const pendingSpan = useRef<string | null>(null);
  const [cache] = useState(() => new DetailCache());

  const fetchAhead = useCallback(
    (spanIds: ReadonlyArray<string | null | undefined>) => {
      for (const spanId of spanIds) {
        if (!spanId || cache.get(spanId) !== undefined || cache.inFlight(spanId) !== undefined) continue;
        const requestId = host.nextId();
        cache.fetching(requestId, spanId);
        host.post({ type: 'getDetail', requestId, spanId });
      }
    },
    [host],
  );

  /** Shows `spanId`'s detail (kept, or asked for), and fetches `ahead` (its neighbours) meanwhile. */
  const requestDetail = useCallback(
    (spanId: string | null, ahead: ReadonlyArray<string | null | undefined> = []) => {
      if (!spanId) {
        pending.current = 0;
        pendingSpan.current = null;
        setDetail({ spanId: null, step: null, loading: false });
        return;
      }
      const kept = cache.get(spanId);
      if (kept !== undefined) {
        pending.current = 0;
        pendingSpan.current = null;
        setDetail({ spanId, step: kept, loading: false });
      } else {
        // A fetch ahead already on its way answers for the selection; otherwise ask now.
        let requestId = cache.inFlight(spanId);
        if (requestId === undefined) {
          requestId = host.nextId();
          host.post({ type: 'getDetail', requestId, spanId });
        }
        pending.current = requestId;
        pendingSpan.current = spanId;
        // Keep showing the same step while it refreshes (live runs); clear it for another step.
        setDetail((d) => ({ spanId, step: d.spanId === spanId ? d.step : null, loading: true }));
      }
      fetchAhead(ahead);
    },
    [host],
  );

  const receiveDetail = useCallback((inReplyTo: number, step: Step | null) => {
    const aheadFor = cache.answered(inReplyTo);
    if (aheadFor) cache.set(aheadFor, step);
    if (inReplyTo !== pending.current) return;
    if (pendingSpan.current) cache.set(pendingSpan.current, step);
    pending.current = 0;
    pendingSpan.current = null;
    setDetail((d) => ({ ...d, step, loading: false }));
  }, []);

  /** Drops the kept details (a live change: a step's detail may have grown). */
  const forget = useCallback(() => cache.clear(), []);

  return { detail, requestDetail, receiveDetail, forget };
}
