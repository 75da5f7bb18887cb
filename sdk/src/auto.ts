/**
 * `node --import @tracefork/sdk/auto agent.js` (with `--import tsx` first for TypeScript): the
 * same set-up as calling register(), with no change to the agent's code; spans are flushed when
 * the event loop empties.
 */
import { register } from './index';

const registration = register({ run: 'process' }); // the whole script is one run, as python -m tracefork.auto
let flushed = false;
process.once('beforeExit', () => {
  if (flushed) return;
  flushed = true;
  void registration.shutdown();
});
