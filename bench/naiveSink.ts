/**
 * The naive design the issue compares against (../shared/RECIPES.md): decode every span to
 * objects, one sql.js row per span with its attributes as JSON, 5,000 rows per transaction.
 * Bench-only; run in the same harness as the real store so both figures come from one run.
 */
import type { Database, Statement } from 'sql.js';
import { loadSqlJs } from '../src/core/store/sqlIndex';
import { decodeLogs, decodeTraces, type BodyEncoding } from '../src/core/otlp/decode';
import type { IngestResult, IngestSink } from '../src/core/receiver/server';

/** A naive sink over an in-memory sql.js database. */
export class NaiveSink implements IngestSink {
  readonly full = false;
  rows = 0;
  private pending = 0;
  private insert: Statement;

  private constructor(private db: Database) {
    db.run(
      'CREATE TABLE spans(trace_id TEXT, span_id TEXT, parent_span_id TEXT, name TEXT, start TEXT, end TEXT, attributes TEXT, PRIMARY KEY(trace_id, span_id))',
    );
    this.insert = db.prepare('INSERT OR IGNORE INTO spans VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  /** A fresh naive store. */
  static async create(): Promise<NaiveSink> {
    const SQL = await loadSqlJs();
    return new NaiveSink(new SQL.Database());
  }

  ingestTraces(body: Buffer, enc: BodyEncoding): IngestResult {
    const d = decodeTraces(body, enc);
    for (const g of d.groups) {
      for (const s of g.spans) {
        if (this.pending === 0) this.db.run('BEGIN');
        this.insert.run([
          s.traceId,
          s.spanId,
          s.parentSpanId ?? null,
          s.name,
          s.startTimeUnixNano,
          s.endTimeUnixNano,
          JSON.stringify({ attributes: s.attributes, events: s.events, links: s.links, status: s.status, resource: g.resource }),
        ]);
        this.rows++;
        if (++this.pending === 5000) this.commit();
      }
    }
    return { accepted: d.accepted, rejected: d.rejected, firstRejection: d.firstRejection };
  }

  ingestLogs(body: Buffer, enc: BodyEncoding): IngestResult {
    const d = decodeLogs(body, enc);
    return { accepted: d.accepted, rejected: d.rejected, firstRejection: d.firstRejection };
  }

  /** Commits the open transaction. */
  commit(): void {
    if (this.pending) this.db.run('COMMIT');
    this.pending = 0;
  }

  close(): void {
    this.commit();
    this.insert.free();
    this.db.close();
  }
}
