/**
 * Canonical OTLP data as Tracefork keeps it: the OTLP/JSON shape (hex ids, nanosecond
 * timestamps as decimal strings, int64 values as strings), whichever encoding it arrived in.
 * This is what the journal stores and what `export` writes back out.
 */

/** An OTLP AnyValue in its JSON form; exactly one field is set. */
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64 as a decimal string (OTLP/JSON); JSON senders may also send a number. */
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  /** base64 */
  bytesValue?: string;
}

/** One attribute. */
export interface KeyValue {
  key: string;
  value?: AnyValue;
}

/** An OTLP Resource. */
export interface Resource {
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
}

/** An OTLP InstrumentationScope. */
export interface Scope {
  name?: string;
  version?: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
}

/** A span event. */
export interface SpanEvent {
  timeUnixNano: string;
  name: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
}

/** A span link. */
export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
}

/** An OTLP span, ids as lowercase hex. */
export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  flags?: number;
  name: string;
  /** SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind?: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
  events?: SpanEvent[];
  droppedEventsCount?: number;
  links?: SpanLink[];
  droppedLinksCount?: number;
  /** code: 0 unset, 1 ok, 2 error. */
  status?: { code?: number; message?: string };
}

/** An OTLP log record; GenAI events arrive this way. */
export interface LogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  body?: AnyValue;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
  traceId?: string;
  spanId?: string;
  eventName?: string;
}

/** ExportTraceServiceRequest in OTLP/JSON form. */
export interface TracesData {
  resourceSpans?: Array<{
    resource?: Resource;
    schemaUrl?: string;
    scopeSpans?: Array<{ scope?: Scope; schemaUrl?: string; spans?: Span[] }>;
  }>;
}

/** ExportLogsServiceRequest in OTLP/JSON form. */
export interface LogsData {
  resourceLogs?: Array<{
    resource?: Resource;
    schemaUrl?: string;
    scopeLogs?: Array<{ scope?: Scope; schemaUrl?: string; logRecords?: LogRecord[] }>;
  }>;
}
