/**
 * Entry of the evaluation worker thread (bundled as dist/evalWorker.js): answers each request of
 * the live loop with an EvalSession. Its priority is lowered before anything else is loaded.
 */
import './lowPriority';
import { parentPort, workerData } from 'node:worker_threads';
import { EvalSession } from './session';
import { VerdictFiles, type VerdictFilesOptions } from './verdictFile';
import type { NoticeReply, WorkerRequest } from './protocol';
import { profileFromEnv } from '../../profile';

profileFromEnv('eval-worker');

const files = (workerData as { verdictFiles?: VerdictFilesOptions } | null)?.verdictFiles;
const session = new EvalSession(files ? new VerdictFiles(files) : null, (message) =>
  parentPort?.postMessage({ type: 'notice', message } satisfies NoticeReply),
);
parentPort?.on('message', (req: WorkerRequest) => {
  if (req.type === 'verdict') return parentPort?.postMessage(session.verdict(req));
  let reply;
  try {
    reply = session.evaluate(req);
  } catch (e) {
    reply = { type: 'evaluated', id: req.id, results: [], stale: [], errors: req.traces.map((t) => ({ traceId: t.traceId, message: (e as Error).message })) };
  }
  parentPort?.postMessage(reply);
});
