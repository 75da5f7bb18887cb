/** OTLP/HTTP responses in the request's encoding: export responses and google.rpc.Status errors. */
import type * as http from 'node:http';
import { otlpTypes } from '../otlp/schema';

/** How the request body was encoded (and so the response). */
export type Encoding = 'json' | 'protobuf';

import type { Signal } from './ingest';
export type { Signal };

const GRPC_CODE: Record<number, number> = { 400: 3, 403: 7, 404: 5, 405: 12, 413: 3, 415: 12, 429: 8, 500: 13, 503: 14 };

/** An error answer with an HTTP status and a reason. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const CONTENT_TYPE: Record<Encoding, string> = { json: 'application/json', protobuf: 'application/x-protobuf' };

/** Sends a google.rpc.Status error body. */
export function sendError(res: http.ServerResponse, err: HttpError, enc: Encoding): void {
  const status = { code: GRPC_CODE[err.status] ?? 2, message: err.message };
  const t = otlpTypes().rpcStatus;
  const body = enc === 'json' ? Buffer.from(JSON.stringify(status)) : Buffer.from(t.encode(t.fromObject(status)).finish());
  res.writeHead(err.status, { 'Content-Type': CONTENT_TYPE[enc], 'Content-Length': body.length, ...err.headers });
  res.end(body);
}

/** The body of an Export*ServiceResponse in `enc`, with partial success when items were rejected. */
export function exportResponseBody(signal: Signal, enc: Encoding, rejected: number, message: string | null): Buffer {
  const field = { traces: 'rejectedSpans', logs: 'rejectedLogRecords', metrics: 'rejectedDataPoints' }[signal];
  const partial = rejected > 0 ? { partialSuccess: { [field]: String(rejected), errorMessage: message ?? '' } } : {};
  if (enc === 'json') return Buffer.from(JSON.stringify(partial));
  const types = otlpTypes();
  const t = { traces: types.traceResponse, logs: types.logsResponse, metrics: types.metricsResponse }[signal];
  return Buffer.from(t.encode(t.fromObject(partial)).finish());
}

/** Sends a successful Export*ServiceResponse, with partial success when items were rejected. */
export function sendExportResponse(res: http.ServerResponse, signal: Signal, enc: Encoding, rejected: number, message: string | null): void {
  const body = exportResponseBody(signal, enc, rejected, message);
  res.writeHead(200, { 'Content-Type': CONTENT_TYPE[enc], 'Content-Length': body.length });
  res.end(body);
}
