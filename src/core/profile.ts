/**
 * A developer's tool, off unless asked for: with TRACEFORK_PROFILE_DIR set, the thread that calls
 * `profileFromEnv` (the extension host, the receiver, view and evaluation workers) records a CPU
 * profile with Node's inspector and writes it to that folder every 20 s
 * (`LABEL-TIME.cpuprofile`, for Chrome DevTools or `node scripts/profileTop.mjs`). It is how the
 * time of each thread under load is found (issue #16); nothing is profiled otherwise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Session } from 'node:inspector';

/** Starts profiling this thread when TRACEFORK_PROFILE_DIR is set. */
export function profileFromEnv(label: string): void {
  const dir = process.env.TRACEFORK_PROFILE_DIR;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  session.post('Profiler.enable', () => session.post('Profiler.start'));
  const write = () =>
    session.post('Profiler.stop', (err, res) => {
      if (!err) fs.writeFileSync(path.join(dir, `${label}-${Date.now()}.cpuprofile`), JSON.stringify(res.profile));
      session.post('Profiler.start');
    });
  setInterval(write, 20_000).unref();
}
