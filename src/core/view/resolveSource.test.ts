import * as assert from 'node:assert/strict';
import { resolveSourcePath } from './resolveSource';

const files = new Set(['/ws/app/src/agent.ts', '/ws/app/tools/weather.ts', '/other/lib.ts']);
const exists = (p: string) => files.has(p);

describe('resolveSourcePath', () => {
  it('uses the recorded absolute path when it exists', () => {
    assert.equal(resolveSourcePath('/other/lib.ts', ['/ws/app'], exists), '/other/lib.ts');
  });
  it('re-roots a path recorded elsewhere under a workspace folder, longest suffix first', () => {
    assert.equal(resolveSourcePath('/home/ci/build/app/src/agent.ts', ['/ws/app'], exists), '/ws/app/src/agent.ts');
    assert.equal(resolveSourcePath('/srv/tools/weather.ts', ['/nope', '/ws/app'], exists), '/ws/app/tools/weather.ts');
  });
  it('resolves relative paths, file URLs and Windows paths', () => {
    assert.equal(resolveSourcePath('src/agent.ts', ['/ws/app'], exists), '/ws/app/src/agent.ts');
    assert.equal(resolveSourcePath('file:///home/x/app/src/agent.ts', ['/ws/app'], exists), '/ws/app/src/agent.ts');
    assert.equal(resolveSourcePath('C:\\Users\\dev\\app\\src\\agent.ts', ['/ws/app'], exists), '/ws/app/src/agent.ts');
  });
  it('returns null when nothing matches', () => {
    assert.equal(resolveSourcePath('/home/ci/elsewhere/main.py', ['/ws/app'], exists), null);
    assert.equal(resolveSourcePath('', ['/ws/app'], exists), null);
  });
});
