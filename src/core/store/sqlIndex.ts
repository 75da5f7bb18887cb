/**
 * The SQLite index (sql.js, in memory, snapshotted to disk): one row per trace, per journal
 * record and per (trace, record) pair, so listing and locating never touch the payloads,
 * which stay in the journal. Timestamps are microseconds (exact in a double).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs, { type Database, type SqlJsStatic, type Statement } from 'sql.js';

export const SCHEMA_VERSION = '6';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS records(off INTEGER PRIMARY KEY, len INTEGER NOT NULL, type INTEGER NOT NULL, refs INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS trace_records(trace_id TEXT NOT NULL, rec_off INTEGER NOT NULL, PRIMARY KEY(trace_id, rec_off)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS traces(
  trace_id TEXT PRIMARY KEY, root_name TEXT, first_name TEXT, root_status INTEGER,
  start_us INTEGER NOT NULL, end_us INTEGER NOT NULL, span_count INTEGER NOT NULL,
  error_count INTEGER NOT NULL, bytes INTEGER NOT NULL, seq INTEGER NOT NULL,
  session_id TEXT, model TEXT, service TEXT, replay_of TEXT);
CREATE INDEX IF NOT EXISTS traces_start ON traces(start_us);
`;

let sqlJs: Promise<SqlJsStatic> | undefined;

/** Loads sql.js once; the wasm is found beside the bundle (dist/) or in node_modules. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs({
    locateFile: (file: string) => {
      const beside = path.join(__dirname, file);
      return fs.existsSync(beside) ? beside : require.resolve(`sql.js/dist/${file}`);
    },
  });
  return sqlJs;
}

/** Thin typed wrapper around the index database with cached prepared statements. */
export class SqlIndex {
  private stmts = new Map<string, Statement>();

  constructor(readonly db: Database) {
    this.pragmas();
    db.run(SCHEMA);
  }

  /**
   * The index lives in sql.js's in-memory file system and is rebuilt from the journal after a
   * crash, so SQLite's own rollback journal only needs to live in memory: writing it to the
   * in-memory file system on every commit cost more than the inserts themselves.
   */
  private pragmas(): void {
    this.db.run('PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536');
  }

  /** A cached prepared statement (re-prepared after export(), which frees them). */
  stmt(sql: string): Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** Runs a statement with parameters; returns rows modified. */
  run(sql: string, params: (string | number | null)[]): number {
    this.stmt(sql).run(params);
    return this.db.getRowsModified();
  }

  /** All rows of a query as objects. */
  all<T>(sql: string, params: (string | number | null)[] = []): T[] {
    const s = this.stmt(sql);
    s.bind(params);
    const rows: T[] = [];
    while (s.step()) rows.push(s.getAsObject() as T);
    s.reset();
    return rows;
  }

  /** The first row of a query, or undefined. */
  get<T>(sql: string, params: (string | number | null)[] = []): T | undefined {
    return this.all<T>(sql, params)[0];
  }

  /** A meta value. */
  meta(key: string): string | undefined {
    return this.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key])?.value;
  }

  /** Sets a meta value. */
  setMeta(key: string, value: string): void {
    this.run('INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  /** Serialises the database (frees the cached statements, as sql.js requires). */
  export(): Uint8Array {
    this.freeStatements();
    const data = this.db.export();
    this.pragmas(); // export() closes and reopens the database, resetting pragmas
    return data;
  }

  /** Frees statements and closes the database. */
  close(): void {
    this.freeStatements();
    this.db.close();
  }

  private freeStatements(): void {
    for (const s of this.stmts.values()) s.free();
    this.stmts.clear();
  }
}
