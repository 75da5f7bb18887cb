/** Writing a stored trace back out as OTLP/JSON, in the order it was received. */
import type { StoredTrace } from '../store/queries';
import { maskDeep } from '../view/maskSecrets';
import type { LogsData, Resource, Scope, Span, LogRecord, TracesData } from './types';

/** One OTLP/JSON document; `resourceLogs` rides along when the trace has log records. */
export type OtlpJsonDocument = TracesData & LogsData;

function group<T>(items: Array<{ resource: Resource; scope: Scope; item: T }>) {
  const byResource = new Map<string, { resource: Resource; scopes: Map<string, { scope: Scope; items: T[] }> }>();
  for (const { resource, scope, item } of items) {
    const rk = JSON.stringify(resource);
    let r = byResource.get(rk);
    if (!r) byResource.set(rk, (r = { resource, scopes: new Map() }));
    const sk = JSON.stringify(scope);
    let s = r.scopes.get(sk);
    if (!s) r.scopes.set(sk, (s = { scope, items: [] }));
    s.items.push(item);
  }
  return [...byResource.values()];
}

/**
 * The trace as an ExportTraceServiceRequest (plus its logs), readable by `import`. Credentials
 * (API-key shapes) are masked unless `unmasked` is asked for; masking twice changes nothing, so a
 * masked export still reads back unchanged.
 */
export function traceToOtlpJson(trace: StoredTrace, { unmasked = false } = {}): OtlpJsonDocument {
  const doc = rawOtlpJson(trace);
  return unmasked ? doc : maskDeep(doc);
}

function rawOtlpJson(trace: StoredTrace): OtlpJsonDocument {
  const doc: OtlpJsonDocument = {
    resourceSpans: group<Span>(trace.spans.map(({ span, resource, scope }) => ({ resource, scope, item: span }))).map((r) => ({
      resource: r.resource,
      scopeSpans: [...r.scopes.values()].map((s) => ({ scope: s.scope, spans: s.items })),
    })),
  };
  if (trace.logs.length) {
    doc.resourceLogs = group<LogRecord>(trace.logs.map(({ resource, scope, ...item }) => ({ resource, scope, item }))).map((r) => ({
      resource: r.resource,
      scopeLogs: [...r.scopes.values()].map((s) => ({ scope: s.scope, logRecords: s.items })),
    }));
  }
  return doc;
}

/**
 * What an OTLP/JSON document is written from: resources in order, each with its scopes in order,
 * each visiting its items in order (from memory, or read again from the journal record by record).
 */
export interface OtlpParts {
  spans: Array<OtlpPart<Span>>;
  logs: Array<OtlpPart<LogRecord>>;
}

/** One resource's scopes and their items. */
export interface OtlpPart<T> {
  resource: Resource;
  scopes: Array<{ scope: Scope; each: (visit: (item: T) => void) => void }>;
}

const partsOf = <T>(groups: ReturnType<typeof group<T>>): Array<OtlpPart<T>> =>
  groups.map((r) => ({ resource: r.resource, scopes: [...r.scopes.values()].map((s) => ({ scope: s.scope, each: (visit) => s.items.forEach(visit) })) }));

/**
 * The same document as `JSON.stringify(traceToOtlpJson(trace, opts))`, byte for byte, written in
 * pieces (one span or log record at a time, masked one at a time): a run of a million spans is
 * never one string in memory.
 */
export function writeOtlpJson(trace: StoredTrace, write: (chunk: string) => void, opts: { unmasked?: boolean } = {}): void {
  const spans = partsOf(group<Span>(trace.spans.map(({ span, resource, scope }) => ({ resource, scope, item: span }))));
  const logs = partsOf(group<LogRecord>(trace.logs.map(({ resource, scope, ...item }) => ({ resource, scope, item }))));
  writeOtlpParts({ spans, logs }, write, opts);
}

/** Writes a document from its parts, as `writeOtlpJson` does (the journal's streaming export gives the same bytes). */
export function writeOtlpParts(parts: OtlpParts, write: (chunk: string) => void, { unmasked = false } = {}): void {
  const mask = <T>(v: T): T => (unmasked ? v : maskDeep(v));
  const out = new ChunkedWriter(write);
  const part = <T>(key: 'resourceSpans' | 'resourceLogs', inner: 'scopeSpans' | 'scopeLogs', list: 'spans' | 'logRecords', groups: Array<OtlpPart<T>>) => {
    out.add(`${JSON.stringify(key)}:[`);
    groups.forEach((r, ri) => {
      out.add(`${ri ? ',' : ''}{"resource":${JSON.stringify(mask(r.resource))},${JSON.stringify(inner)}:[`);
      r.scopes.forEach((sc, si) => {
        out.add(`${si ? ',' : ''}{"scope":${JSON.stringify(mask(sc.scope))},${JSON.stringify(list)}:[`);
        let ii = 0;
        sc.each((item) => out.add(`${ii++ ? ',' : ''}${JSON.stringify(mask(item))}`));
        out.add(']}');
      });
      out.add(']}');
    });
    out.add(']');
  };
  out.add('{');
  part('resourceSpans', 'scopeSpans', 'spans', parts.spans);
  if (parts.logs.length) {
    out.add(',');
    part('resourceLogs', 'scopeLogs', 'logRecords', parts.logs);
  }
  out.add('}');
  out.end();
}

/** Collects small strings and hands them on in chunks of about 1 MB. */
export class ChunkedWriter {
  private parts: string[] = [];
  private size = 0;
  constructor(
    private readonly write: (chunk: string) => void,
    private readonly chunk = 1 << 20,
  ) {}

  add(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= this.chunk) this.flush();
  }

  flush(): void {
    if (!this.parts.length) return;
    this.write(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }

  end(): void {
    this.flush();
  }
}

/** Items to write one at a time: how many, and a visit of each in order. */
export interface ItemStream<T> {
  count: number;
  each: (visit: (item: T) => void) => void;
}

/**
 * `{ ...head, [key]: items }` written as `JSON.stringify(that, null, 2)` writes it, byte for byte,
 * one item at a time (`tracefork show --json` of a big run: its steps built one at a time too).
 */
export function writePrettyJson(
  head: Record<string, unknown>,
  key: string,
  items: readonly unknown[] | ItemStream<unknown>,
  write: (chunk: string) => void,
): void {
  const stream: ItemStream<unknown> = Array.isArray(items)
    ? { count: items.length, each: (visit) => items.forEach((x) => visit(x)) }
    : (items as ItemStream<unknown>);
  const out = new ChunkedWriter(write);
  out.add('{\n');
  for (const [k, v] of Object.entries(head)) out.add(`  ${JSON.stringify(k)}: ${JSON.stringify(v, null, 2).replace(/\n/g, '\n  ')},\n`);
  if (!stream.count) out.add(`  ${JSON.stringify(key)}: []\n}`);
  else {
    out.add(`  ${JSON.stringify(key)}: [\n`);
    let i = 0;
    stream.each((item) => out.add(`${i++ ? ',\n' : ''}    ${JSON.stringify(item, null, 2).replace(/\n/g, '\n    ')}`));
    out.add('\n  ]\n}');
  }
  out.end();
}
