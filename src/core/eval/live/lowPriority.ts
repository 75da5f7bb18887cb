/**
 * Imported first by the evaluation worker, before the modules it runs: lowers the worker thread's
 * scheduling priority so that evaluation takes only CPU the receiver and the agents leave idle. On
 * Linux the nice value belongs to the calling thread; elsewhere the call would lower the whole
 * process (the extension host), so it is made on Linux only.
 */
import * as os from 'node:os';

if (process.platform === 'linux') {
  try {
    os.setPriority(19);
  } catch {
    /* not permitted: evaluate at normal priority */
  }
}
