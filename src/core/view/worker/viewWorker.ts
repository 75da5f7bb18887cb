/**
 * Entry of the view worker thread (bundled as dist/viewWorker.js): answers the trace panels'
 * requests with a ViewSession. Runs at normal priority: a user is waiting for what it answers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ViewSession } from './viewSession';
import type { CloseReply, ViewCall, ViewMessage, ViewWorkerData } from './protocol';
import { profileFromEnv } from '../../profile';

const post = (m: ViewMessage) => parentPort?.postMessage(m);
profileFromEnv('view-worker');
const data = (workerData ?? {}) as ViewWorkerData;
const session = new ViewSession({
  onProgress: (traceId, done, total) => post({ type: 'progress', traceId, done, total }),
  rowFiles: data.rowFiles,
  onError: (message) => post({ type: 'error', message }),
});

async function answer(req: ViewCall): Promise<unknown> {
  switch (req.op) {
    case 'update':
      return session.update(req.traceId, req.at, !!req.open, req.prices);
    case 'prebuild':
      return session.prebuild(req.traceId, req.at, req.prices);
    case 'rows':
      return session.rows(req.traceId, req.start, req.count);
    case 'detail':
      return session.detail(req.traceId, req.spanId, req.prices);
    case 'names':
      return session.names(req.traceId, req.spanIds);
    case 'held':
      return session.held;
    case 'saved':
      return session.saved();
    case 'close':
      return { held: session.close(req.traceId) } satisfies CloseReply;
  }
}

// Prebuilt runs nobody opened go after a while; once nothing is held the host may end this thread.
setInterval(() => {
  if (session.held && !session.expire()) post({ type: 'held', held: 0 });
}, 30_000).unref();

parentPort?.on('message', (req: ViewCall) => {
  answer(req).then(
    (value) => post({ type: 'reply', id: req.id, value }),
    (e: unknown) => post({ type: 'reply', id: req.id, error: (e as Error).message }),
  );
});
