/**
 * Journal compaction: when most of the journal belongs to evicted or deleted traces, the live
 * records are copied into a new journal (a new generation), the index's offsets are remapped,
 * and the new snapshot and journal replace the old ones. A crash between the two renames
 * leaves a snapshot and journal of different generations, which makes the next open rebuild
 * the index from the journal: nothing is lost either way.
 */
import * as fs from 'node:fs';
import { Journal } from './journal';
import type { SqlIndex } from './sqlIndex';

/** Copies live records into a new journal and returns it (the old one is closed). */
export function compactJournal(index: SqlIndex, old: Journal, saveSnapshot: (data: Uint8Array) => void): Journal {
  const tmpPath = `${old.path}.compact`;
  const next = Journal.create(tmpPath);
  const rows = index.all<{ off: number }>('SELECT off FROM records ORDER BY off');
  index.db.run('BEGIN');
  index.db.run('CREATE TEMP TABLE remap(old INTEGER PRIMARY KEY, new INTEGER NOT NULL)');
  for (const r of rows) {
    const rec = old.read(r.off);
    const newOff = next.append(rec.type, rec.payload);
    index.run('INSERT INTO remap(old, new) VALUES (?, ?)', [r.off, newOff]);
  }
  // Ascending rowid order makes the in-place key update collision-free: every new offset is
  // at most its old one, and above every already-moved record's new offset.
  index.db.run('UPDATE records SET off = (SELECT new FROM remap WHERE old = records.off)');
  index.db.run('UPDATE trace_records SET rec_off = (SELECT new FROM remap WHERE old = trace_records.rec_off)');
  index.db.run('DROP TABLE remap');
  index.db.run('COMMIT');
  next.sync();
  index.setMeta('generation', next.generation);
  index.setMeta('journal_end', String(next.size));
  saveSnapshot(index.export());
  old.close();
  next.close();
  fs.renameSync(tmpPath, old.path);
  return Journal.open(old.path, false);
}
