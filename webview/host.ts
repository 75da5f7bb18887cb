/** The webview's end of the channel to the extension host. */
import type { FromWebview } from '../src/shared/protocol';

/** Posts typed messages to the host and numbers requests. */
export interface Host {
  post(message: FromWebview): void;
  /** A fresh request id (rows and detail share one sequence). */
  nextId(): number;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** Wraps the VS Code API object; `acquireVsCodeApi` may be called only once per webview. */
export function createHost(api: { postMessage(message: unknown): void }): Host {
  let id = 0;
  const post = (message: FromWebview) => api.postMessage(message);
  return {
    post,
    nextId: () => ++id,
    log: (level, message) => post({ type: 'log', level, message }),
  };
}
