/**
 * `node --import @tracefork/sdk/auto agent.js` (with `--import tsx` first for TypeScript): the
 * same set-up as calling register(), with no change to the agent's code; spans are flushed when
 * the event loop empties.
 */
import { register } from './index';

const registration = register();
let flushed = false;
process.once('beforeExit', () => {
  if (flushed) return;
  flushed = true;
  void registration.shutdown();
});
