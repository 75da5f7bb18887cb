import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Journal, RecordType } from './journal';
import { tmpDir } from '../../../test/support/tmp';

describe('Journal background sync', () => {
  let t: ReturnType<typeof tmpDir>;
  beforeEach(() => (t = tmpDir()));
  afterEach(() => t.cleanup());

  /** Whether a file descriptor is still open. */
  const isOpen = (fd: number) => {
    try {
      fs.fstatSync(fd);
      return true;
    } catch {
      return false;
    }
  };

  it('flushes on the thread pool, one at a time, and closes the file once the flush in flight is done', async () => {
    const j = Journal.create(path.join(t.dir, 'journal'));
    const fd = (j as unknown as { fd: number }).fd;
    const off = j.append(RecordType.Spans, Buffer.from('a record'));
    let failed: Error | null = null;
    assert.equal(
      j.syncInBackground((e) => (failed = e)),
      true,
    );
    assert.equal(j.syncInBackground(), false, 'a second flush waits for the first');
    assert.equal(j.read(off).payload.toString(), 'a record', 'the thread goes on reading and writing meanwhile');
    j.close();
    assert.ok(isOpen(fd), 'the file stays open for the flush in flight');
    for (let i = 0; i < 200 && isOpen(fd); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(!isOpen(fd), 'and is closed after it');
    assert.equal(failed, null);
  });
});
