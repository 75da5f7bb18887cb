/**
 * A fake extension host for running the webview in a plain browser: defines
 * `acquireVsCodeApi` and answers the protocol from generated data. Query parameters:
 * `rows=N` (default 200), `live=1` (3 more rows every 500 ms, then `changed`),
 * `latency=ms` (default 5), `theme=dark|hc|hc-light`. Everything the webview posts is
 * recorded in `window.__posted` for tests; `window.__fakeHost.send(msg)` pushes a message.
 */
import type { FromWebview, RowData, ToWebview } from '../../src/shared/protocol';
import { installBenchProbe } from './benchProbe';
import { generateRows, headerOf } from './fakeTrace';
import { stepOf } from './fakeSteps';

interface HarnessWindow {
  __posted: FromWebview[];
  __fakeHost: { send(msg: ToWebview): void; rowCount(): number };
  acquireVsCodeApi?: () => unknown;
}

const params = new URLSearchParams(location.search);
const latency = Number(params.get('latency') ?? 5);
let rows: RowData[] = generateRows(Number(params.get('rows') ?? 200));
const posted: FromWebview[] = [];
/** `?folded=0,5`: rows the header says another span of the same model call is folded into. */
const folded = (params.get('folded') ?? '').split(',').filter(Boolean).map(Number);
const win = window as unknown as HarnessWindow;
document.body.classList.add(themeClass(params.get('theme')));

function themeClass(theme: string | null): string {
  return theme === 'hc' ? 'vscode-high-contrast' : theme === 'hc-light' ? 'vscode-high-contrast-light' : 'vscode-dark';
}

/** Delivers a message the way VS Code does: a `message` event on the window, asynchronously. */
function send(msg: ToWebview) {
  setTimeout(() => window.postMessage(msg, '*'), latency);
}

function answer(msg: FromWebview) {
  switch (msg.type) {
    case 'ready':
      return send({ type: 'init', header: { ...headerOf(rows), folded: folded.map((i) => rows[i]?.spanId).filter((id): id is string => !!id) } });
    case 'getRows':
      return send({ type: 'rows', inReplyTo: msg.requestId, start: msg.start, rows: rows.slice(msg.start, msg.start + msg.count) });
    case 'getDetail': {
      const candidate = rows[parseInt(msg.spanId, 16)];
      const row = candidate?.spanId === msg.spanId ? candidate : undefined;
      return send({ type: 'detail', inReplyTo: msg.requestId, step: row ? stepOf(row) : null });
    }
    case 'openSource':
      return;
    case 'log':
      return console.log(`[webview ${msg.level}] ${msg.message}`);
  }
}

let acquired = false;
win.acquireVsCodeApi = () => {
  if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
  acquired = true;
  let state: unknown;
  return {
    postMessage: (msg: FromWebview) => {
      posted.push(msg);
      answer(msg);
    },
    getState: () => state,
    setState: (s: unknown) => (state = s),
  };
};
win.__posted = posted;
win.__fakeHost = { send, rowCount: () => rows.length };

if (params.get('live') === '1') {
  setInterval(() => {
    rows = generateRows(rows.length + 3);
    send({ type: 'changed', header: headerOf(rows) });
  }, 500);
}
installBenchProbe();
