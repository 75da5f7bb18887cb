/**
 * OTLP/JSON files, the one parser for the CLI's `import` and `eval FILE`, and the extension's
 * *Import OTLP JSON…*: a file holds one request document, or one per line (JSONL, as the
 * Collector's file exporter writes). Each document is an ExportTraceServiceRequest and/or an
 * ExportLogsServiceRequest.
 */
import { DecodeError, type BodyEncoding } from './decode';

/** One request document of a file: its bytes and which signals it holds. */
export interface OtlpDocument {
  body: Buffer;
  traces: boolean;
  logs: boolean;
}

/** The request documents of a file's text; DecodeError (naming the line) when one is not OTLP/JSON. */
export function otlpDocuments(text: string): OtlpDocument[] {
  let whole: unknown;
  let lines: Array<[number, string]>;
  try {
    whole = JSON.parse(text);
    lines = [[0, text]];
  } catch {
    lines = text
      .split('\n')
      .map((l, i) => [i + 1, l] as [number, string])
      .filter(([, l]) => l.trim());
  }
  return lines.map(([line, doc]) => {
    let parsed: unknown = whole;
    if (line > 0) {
      try {
        parsed = JSON.parse(doc);
      } catch (e) {
        throw new DecodeError(`line ${line} is not JSON: ${(e as Error).message}`);
      }
    }
    const o = parsed as Record<string, unknown> | null;
    const traces = !!o && typeof o === 'object' && !!o.resourceSpans;
    const logs = !!o && typeof o === 'object' && !!o.resourceLogs;
    if (!traces && !logs) throw new DecodeError(`${line > 0 ? `line ${line}: ` : ''}no resourceSpans or resourceLogs`);
    return { body: Buffer.from(doc), traces, logs };
  });
}

/** What an import took. */
export interface ImportCounts {
  spans: number;
  logs: number;
  rejected: number;
}

/** Where imported documents go (the TraceStore). */
export interface ImportSink {
  ingestTraces(body: Buffer, enc: BodyEncoding): { accepted: number; rejected: number };
  ingestLogs(body: Buffer, enc: BodyEncoding): { accepted: number; rejected: number };
}

/** Stores every document of a file's text; throws DecodeError before storing anything when one is malformed. */
export function importOtlpText(sink: ImportSink, text: string): ImportCounts {
  const docs = otlpDocuments(text);
  const n: ImportCounts = { spans: 0, logs: 0, rejected: 0 };
  for (const d of docs) {
    if (d.traces) {
      const t = sink.ingestTraces(d.body, 'json');
      n.spans += t.accepted;
      n.rejected += t.rejected;
    }
    if (d.logs) {
      const l = sink.ingestLogs(d.body, 'json');
      n.logs += l.accepted;
      n.rejected += l.rejected;
    }
  }
  return n;
}
