/**
 * Opening a store: load the index snapshot, open the journal, replay what the snapshot does
 * not cover. Damage is repaired and reported, never dropped silently: a corrupt snapshot is
 * moved aside and the index rebuilt from the journal; a damaged journal is copied aside
 * before its good prefix is kept.
 */
import * as fs from 'node:fs';
import type { Database } from 'sql.js';
import { Journal, JournalHeaderError, RecordType } from './journal';
import { pendingFromRecord } from './payload';
import { applyRecord, SeenSpans, type IndexContext } from './indexer';
import { loadSqlJs, SCHEMA_VERSION, SqlIndex } from './sqlIndex';

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

/** Moves a damaged file aside and returns where it went. */
export function moveAside(file: string): string {
  const dest = `${file}.corrupt-${stamp()}`;
  fs.renameSync(file, dest);
  return dest;
}

async function loadSnapshot(dbPath: string, readOnly: boolean, warn: (m: string) => void): Promise<SqlIndex> {
  const SQL = await loadSqlJs();
  if (fs.existsSync(dbPath)) {
    let db: Database | undefined;
    try {
      db = new SQL.Database(fs.readFileSync(dbPath));
      const index = new SqlIndex(db);
      // Reading the schema and meta pages catches a file that is not SQLite or is cut short;
      // a full integrity check would cost seconds on large indexes at every open.
      index.get('SELECT COUNT(*) AS n FROM sqlite_master');
      const schema = index.meta('schema');
      if (schema !== SCHEMA_VERSION && Number(schema) < Number(SCHEMA_VERSION)) {
        // An index from an earlier Tracefork: nothing is wrong with it; rebuild it from the journal.
        index.close();
        return freshIndex();
      }
      if (schema !== SCHEMA_VERSION) throw new Error(`unknown schema version ${schema}`);
      return index;
    } catch (e) {
      db?.close();
      const where = readOnly ? 'left in place (read-only)' : `moved to ${moveAside(dbPath)}`;
      warn(`The index ${dbPath} could not be read (${(e as Error).message}); it was ${where} and the index is rebuilt from the journal.`);
    }
  }
  return freshIndex();
}

async function freshIndex(): Promise<SqlIndex> {
  const index = new SqlIndex(new (await loadSqlJs()).Database());
  index.setMeta('schema', SCHEMA_VERSION);
  return index;
}

function openJournal(path: string, readOnly: boolean, warn: (m: string) => void): Journal {
  try {
    return Journal.open(path, readOnly);
  } catch (e) {
    if (!(e instanceof JournalHeaderError) || readOnly) throw e;
    warn(`The journal ${path} is damaged (${e.message}); it was moved to ${moveAside(path)} and a new journal started.`);
    return Journal.create(path);
  }
}

/** Opens the index and journal of a store and brings the index up to date. */
export async function openIndex(dbPath: string, readOnly: boolean, warn: (m: string) => void) {
  const journalPath = `${dbPath}.journal`;
  if (readOnly && !fs.existsSync(journalPath)) throw new Error(`no Tracefork database at ${dbPath} (expected ${journalPath})`);
  let index = await loadSnapshot(dbPath, readOnly, warn);
  const journal = openJournal(journalPath, readOnly, warn);
  let from = Number(index.meta('journal_end') ?? 0);
  if (index.meta('generation') !== journal.generation || from > journal.size) {
    if (index.meta('generation')) warn(`The index ${dbPath} belongs to another journal generation; rebuilding it from the journal.`);
    index.close();
    const SQL = await loadSqlJs();
    index = new SqlIndex(new SQL.Database());
    index.setMeta('schema', SCHEMA_VERSION);
    from = 0;
  }
  const ctx: IndexContext = {
    index,
    seen: new SeenSpans(),
    totals: {
      traces: index.get<{ n: number }>('SELECT COUNT(*) AS n FROM traces')?.n ?? 0,
      liveBytes: index.get<{ n: number | null }>('SELECT SUM(len) AS n FROM records')?.n ?? 0,
    },
  };
  primeSeen(ctx.seen, index, journal, from);
  let seq = index.get<{ n: number | null }>('SELECT MAX(seq) AS n FROM traces')?.n ?? 0;
  index.db.run('BEGIN');
  const end = journal.scan(from, (rec) => applyRecord(ctx, pendingFromRecord(rec), ++seq));
  index.db.run('COMMIT');
  if (end.state !== 'eof') repairTail(journal, end, readOnly, warn);
  else journal.size = end.end;
  return { ctx, journal };
}

/** How many of the newest span records the resend window starts with after an open. */
const PRIME_RECORDS = 32;

/**
 * Starts the resend window with the spans of the newest records the snapshot covers: an exporter
 * whose request was journaled but whose answer was lost in a crash or a reload sends it again to
 * the next process, and those spans must still be counted once.
 */
function primeSeen(seen: SeenSpans, index: SqlIndex, journal: Journal, before: number): void {
  const rows = index.all<{ off: number }>('SELECT off FROM records WHERE type = ? AND off < ? ORDER BY off DESC LIMIT ?', [
    RecordType.Spans,
    before,
    PRIME_RECORDS,
  ]);
  for (const { off } of rows.reverse()) {
    try {
      const rec = pendingFromRecord(journal.read(off));
      if (rec.type === RecordType.Spans) for (const e of rec.entries) seen.add(e.traceId, e.spanId);
    } catch {
      /* a damaged record: the window just starts without it */
    }
  }
}

function repairTail(journal: Journal, end: { end: number; state: string }, readOnly: boolean, warn: (m: string) => void): void {
  const lost = journal.size - end.end;
  if (readOnly) {
    journal.size = end.end;
    if (end.state === 'corrupt') warn(`The journal ${journal.path} is damaged at byte ${end.end}; ${lost} bytes after it are not shown.`);
    return;
  }
  if (end.state === 'corrupt') {
    const copy = `${journal.path}.corrupt-${stamp()}`;
    fs.copyFileSync(journal.path, copy);
    warn(
      `The journal ${journal.path} is damaged at byte ${end.end}: a full copy was saved to ${copy}, and the ${lost} bytes after the damage were cut from the live journal.`,
    );
  } else {
    warn(`The journal ${journal.path} ended in an incomplete record (${lost} bytes, a write cut short by a crash); it was cut at the last complete record.`);
  }
  journal.truncate(end.end);
}
