/**
 * Entry of the trace webview: acquires the VS Code API once, mounts the view, says `ready`,
 * and dispatches every host message through one exhaustive switch.
 */
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { ToWebview } from '../src/shared/protocol';
import { createHost, type Host } from './host';
import { TraceView } from './TraceView';
import { useTrace, type StateStore, type TraceState } from './useTrace';

// Applies one host message to the trace state; anything unknown is reported, never dropped silently.
function handleMessage(trace: TraceState, host: Host, data: unknown): void {
  if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') {
    host.log('warn', `webview: ignored a message without a type: ${describe(data)}`);
    return;
  }
  const msg = data as ToWebview;
  switch (msg.type) {
    case 'init':
      return trace.onInit(msg.header);
    case 'changed':
      return trace.onChanged(msg.header);
    case 'rows':
      return trace.onRows(msg.inReplyTo, msg.start, msg.rows);
    case 'detail':
      return trace.onDetail(msg.inReplyTo, msg.step);
    case 'select':
      return trace.onSelect(msg.spanId);
    case 'error':
      return trace.onError(msg.message);
    default: {
      const unknown: never = msg;
      host.log('warn', `webview: unknown message type ${describe((unknown as { type: unknown }).type)}`);
    }
  }
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 200) ?? String(v);
  } catch {
    return String(v);
  }
}

function App({ host, state }: { host: Host; state: StateStore }) {
  const trace = useTrace(host, state);
  // The listener is added once; it always sees the latest state through this ref.
  const latest = useRef(trace);
  latest.current = trace;
  useEffect(() => {
    const onMessage = (e: MessageEvent) => handleMessage(latest.current, host, e.data);
    window.addEventListener('message', onMessage);
    host.post({ type: 'ready' });
    return () => window.removeEventListener('message', onMessage);
  }, [host]);
  return <TraceView trace={trace} />;
}

const api = acquireVsCodeApi();
const host = createHost(api);
const state: StateStore = { get: () => api.getState(), set: (s) => api.setState(s) };
render(<App host={host} state={state} />, document.getElementById('root') ?? document.body);
