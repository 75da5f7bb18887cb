/**
 * The OTLP wire schema (opentelemetry-proto v1: common, resource, trace, logs, collector
 * responses) and google.rpc.Status, written from the public specification. Only field numbers
 * and types matter on the wire, so everything lives in one package here. Fields we do not know
 * (newer additions) are skipped by protobufjs, never an error.
 */
import * as protobuf from 'protobufjs';

const OTLP_PROTO = `
syntax = "proto3";
package tracefork.otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  message Link {
    bytes trace_id = 1;
    bytes span_id = 2;
    string trace_state = 3;
    repeated KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5;
    fixed32 flags = 6;
  }
}
message Status {
  string message = 2;
  int32 code = 3;
}

message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ResourceLogs {
  Resource resource = 1;
  repeated ScopeLogs scope_logs = 2;
  string schema_url = 3;
}
message ScopeLogs {
  InstrumentationScope scope = 1;
  repeated LogRecord log_records = 2;
  string schema_url = 3;
}
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}

message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }
message ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }

message RpcStatus {
  int32 code = 1;
  string message = 2;
  repeated ProtoAny details = 3;
}
message ProtoAny { string type_url = 1; bytes value = 2; }
message RetryInfo { ProtoDuration retry_delay = 1; }
message ProtoDuration { int64 seconds = 1; int32 nanos = 2; }
`;

/** The message types Tracefork reads and writes. */
export interface OtlpTypes {
  traceRequest: protobuf.Type;
  logsRequest: protobuf.Type;
  traceResponse: protobuf.Type;
  logsResponse: protobuf.Type;
  metricsResponse: protobuf.Type;
  rpcStatus: protobuf.Type;
  retryInfo: protobuf.Type;
}

let cached: OtlpTypes | undefined;

/** Parses the schema once and returns its message types. */
export function otlpTypes(): OtlpTypes {
  if (cached) return cached;
  const root = protobuf.parse(OTLP_PROTO, { keepCase: false }).root;
  const t = (name: string) => root.lookupType(`tracefork.otlp.${name}`);
  cached = {
    traceRequest: t('ExportTraceServiceRequest'),
    logsRequest: t('ExportLogsServiceRequest'),
    traceResponse: t('ExportTraceServiceResponse'),
    logsResponse: t('ExportLogsServiceResponse'),
    metricsResponse: t('ExportMetricsServiceResponse'),
    rpcStatus: t('RpcStatus'),
    retryInfo: t('RetryInfo'),
  };
  return cached;
}
