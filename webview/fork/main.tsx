/** Entry of the fork editor webview: ready handshake, one exhaustive switch over host messages. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ForkModel, FromForkEditor, ToForkEditor } from '../../src/shared/protocol';
import { ForkEditor, type ForkStatus } from './ForkEditor';

const api = acquireVsCodeApi();
const post = (m: FromForkEditor) => api.postMessage(m);

function App() {
  const [model, setModel] = useState<ForkModel | null>(null);
  const [status, setStatus] = useState<ForkStatus>({ busy: false, message: '', errors: [] });
  const [playground, setPlayground] = useState<{ output?: unknown; error?: string } | null>(null);
  useEffect(() => {
    const onMessage = (e: MessageEvent) => {
      const msg = e.data as ToForkEditor;
      switch (msg?.type) {
        case 'forkInit':
          return setModel(msg.model);
        case 'forkStatus':
          return setStatus({ busy: msg.busy, message: msg.message, errors: msg.errors ?? [] });
        case 'playgroundResult':
          return setPlayground({ output: msg.output, error: msg.error });
        default:
          post({ type: 'log', level: 'warn', message: `fork editor: unknown message ${JSON.stringify(e.data)?.slice(0, 200)}` });
      }
    };
    window.addEventListener('message', onMessage);
    post({ type: 'forkReady' });
    return () => window.removeEventListener('message', onMessage);
  }, []);
  return model ? (
    <ForkEditor key={model.spanId} model={model} status={status} playground={playground} post={post} />
  ) : (
    <div class="loading">Loading the step…</div>
  );
}

render(<App />, document.getElementById('root')!);
