/** The detail of the selected step: one `getDetail` at a time, stale answers dropped. */
import { useCallback, useRef, useState } from 'preact/hooks';
import type { Step } from '../src/shared/protocol';
import type { Host } from './host';

/** What the detail pane shows. */
export interface DetailState {
  spanId: string | null;
  step: Step | null;
  loading: boolean;
}

/** Requests and receives the selected step's detail. */
export function useDetail(host: Host) {
  const [detail, setDetail] = useState<DetailState>({ spanId: null, step: null, loading: false });
  const pending = useRef(0);

  const requestDetail = useCallback(
    (spanId: string | null) => {
      if (!spanId) {
        pending.current = 0;
        setDetail({ spanId: null, step: null, loading: false });
        return;
      }
      const requestId = host.nextId();
      pending.current = requestId;
      // Keep showing the same step while it refreshes (live runs); clear it for another step.
      setDetail((d) => ({ spanId, step: d.spanId === spanId ? d.step : null, loading: true }));
      host.post({ type: 'getDetail', requestId, spanId });
    },
    [host],
  );

  const receiveDetail = useCallback((inReplyTo: number, step: Step | null) => {
    if (inReplyTo !== pending.current) return;
    pending.current = 0;
    setDetail((d) => ({ ...d, step, loading: false }));
  }, []);

  return { detail, requestDetail, receiveDetail };
}
