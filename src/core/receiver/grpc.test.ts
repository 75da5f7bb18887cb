// The OTLP/gRPC receiver over a real store, driven by a grpc-js client and by raw HTTP/2 (for what a
// well-behaved client never sends): the same guarantees as the HTTP receiver, in gRPC's terms.
import * as assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { GRPC_INFO_PATH, GrpcReceiver, isLoopbackPeer } from './grpc';
import { TraceStore } from '../store/store';
import { otlpTypes } from '../otlp/schema';
import { toProtobuf } from '../../../bench/decode';
import { hexId, request, span } from '../../../test/support/otlp';
import { tmpDir } from '../../../test/support/tmp';

const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const LOGS = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
const METRICS = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';
const raw = (b: Buffer) => b;

interface Answer {
  err: grpc.ServiceError | null;
  body: Buffer | undefined;
}

/** One unary call with raw bytes in and out. */
function call(client: grpc.Client, method: string, body: Buffer, md = new grpc.Metadata()): Promise<Answer> {
  return new Promise((resolve) => client.makeUnaryRequest(method, raw, raw, body, md, (err, res) => resolve({ err, body: res })));
}

/** A gRPC message frame (uncompressed flag, length, bytes). */
function frame(body: Buffer, compressed = false): Buffer {
  const head = Buffer.alloc(5);
  head[0] = compressed ? 1 : 0;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** A raw HTTP/2 request: status, headers and trailers as sent back. */
function h2(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body: Buffer,
): Promise<{ status: number; grpcStatus: string | undefined; message: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':method': 'POST', ...headers });
    let status = 0;
    let grpcStatus: string | undefined;
    let message: string | undefined;
    req.on('response', (h) => {
      status = Number(h[':status']);
      grpcStatus = h['grpc-status'] as string | undefined;
      message = h['grpc-message'] as string | undefined;
    });
    req.on('trailers', (t) => {
      grpcStatus = (t['grpc-status'] as string | undefined) ?? grpcStatus;
      message = (t['grpc-message'] as string | undefined) ?? message;
    });
    req.on('data', () => undefined);
    req.on('end', () => resolve({ status, grpcStatus, message: message && decodeURIComponent(message) }));
    req.on('error', reject);
    req.end(body);
  });
}

describe('GrpcReceiver', () => {
  let t: ReturnType<typeof tmpDir>;
  let store: TraceStore;
  let receiver: GrpcReceiver;
  let client: grpc.Client;
  let address: string;
  const refused: string[] = [];

  beforeEach(async () => {
    t = tmpDir();
    store = await TraceStore.open(path.join(t.dir, 'traces.db'));
    refused.length = 0;
    receiver = new GrpcReceiver(store, { port: 0, maxMessageBytes: 256 * 1024, onRejected: (code, why) => refused.push(`${code}: ${why}`) });
    const port = await receiver.listen();
    address = `127.0.0.1:${port}`;
    client = new grpc.Client(address, grpc.credentials.createInsecure());
  });
  afterEach(async () => {
    client.close();
    await receiver.close();
    store.close();
    t.cleanup();
  });

  const valid = () => {
    const traceId = hexId(16);
    return { traceId, body: toProtobuf(request([span({ traceId, name: 'grpc span' })])) };
  };

  it('stores an export and answers an empty ExportTraceServiceResponse', async () => {
    const { traceId, body } = valid();
    const r = await call(client, TRACES, body);
    assert.equal(r.err, null);
    assert.deepEqual(otlpTypes().traceResponse.toObject(otlpTypes().traceResponse.decode(r.body!)), {});
    assert.equal(store.get(traceId)?.spans.length, 1);
    assert.equal(receiver.stats.spans, 1);
  });

  it('takes gzip-compressed messages, as exporters send with compression on', async () => {
    const gz = new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip });
    try {
      const { traceId, body } = valid();
      assert.equal((await call(gz, TRACES, body)).err, null);
      assert.equal(store.get(traceId)?.spans.length, 1);
    } finally {
      gz.close();
    }
  });

  it('answers logs and metrics; metrics are accepted and not stored', async () => {
    const { traceId, body } = valid();
    await call(client, TRACES, body);
    const t = otlpTypes().logsRequest;
    const logs = Buffer.from(
      t
        .encode(
          t.fromObject({
            resourceLogs: [
              {
                scopeLogs: [
                  {
                    logRecords: [
                      { timeUnixNano: '1', eventName: 'gen_ai.evaluation.result', traceId: Buffer.from(traceId, 'hex'), body: { stringValue: 'hi' } },
                    ],
                  },
                ],
              },
            ],
          }),
        )
        .finish(),
    );
    assert.equal((await call(client, LOGS, logs)).err, null);
    assert.equal(receiver.stats.logs, 1);
    assert.equal((await call(client, METRICS, Buffer.alloc(0))).err, null);
  });

  it('reports partial success when single spans are rejected, and keeps the rest', async () => {
    const traceId = hexId(16);
    const body = toProtobuf(request([span({ traceId, name: 'good' })]));
    const t = otlpTypes().traceRequest;
    const bad = t.toObject(t.decode(body)) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
    bad.resourceSpans[0].scopeSpans[0].spans.push({ ...bad.resourceSpans[0].scopeSpans[0].spans[0], spanId: Buffer.from('abc') });
    const r = await call(client, TRACES, Buffer.from(t.encode(t.fromObject(bad)).finish()));
    assert.equal(r.err, null);
    const res = otlpTypes().traceResponse.toObject(otlpTypes().traceResponse.decode(r.body!), { longs: String }) as {
      partialSuccess?: { rejectedSpans: string; errorMessage: string };
    };
    assert.equal(res.partialSuccess?.rejectedSpans, '1');
    assert.match(res.partialSuccess?.errorMessage ?? '', /rejected/);
    assert.equal(store.get(traceId)?.spans.length, 1);
  });

  it('answers INVALID_ARGUMENT with the reason for a message that is not OTLP, and stores nothing', async () => {
    const r = await call(client, TRACES, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    assert.equal(r.err?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(r.err?.details ?? '', /not a valid protobuf ExportTraceServiceRequest/);
    assert.equal(store.list().length, 0);
    assert.equal(refused.length, 1);
  });

  it('answers RESOURCE_EXHAUSTED over the size cap, for a big message and for a gzip bomb', async () => {
    const big = await call(client, TRACES, Buffer.alloc(300 * 1024, 1));
    assert.equal(big.err?.code, grpc.status.RESOURCE_EXHAUSTED);
    const session = http2.connect(`http://${address}`);
    try {
      const bomb = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024));
      const r = await h2(session, { ':path': TRACES, 'content-type': 'application/grpc', 'grpc-encoding': 'gzip', te: 'trailers' }, frame(bomb, true));
      assert.equal(r.grpcStatus, String(grpc.status.RESOURCE_EXHAUSTED));
      assert.match(r.message ?? '', /decompresses to a size larger/);
    } finally {
      session.close();
    }
    const { traceId, body } = valid();
    assert.equal((await call(client, TRACES, body)).err, null, 'still serving');
    assert.ok(store.get(traceId));
  });

  it('answers UNAVAILABLE with RetryInfo while the store catches up, never a silent drop', async () => {
    const full = new GrpcReceiver(
      { full: true, ingestTraces: () => assert.fail('must not ingest'), ingestLogs: () => assert.fail('must not ingest') },
      { port: 0 },
    );
    const port = await full.listen();
    const c = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const r = await call(c, TRACES, valid().body);
      assert.equal(r.err?.code, grpc.status.UNAVAILABLE);
      const details = r.err?.metadata.get('grpc-status-details-bin')[0] as Buffer;
      const { rpcStatus, retryInfo } = otlpTypes();
      const status = rpcStatus.toObject(rpcStatus.decode(details), { longs: Number }) as {
        code: number;
        details: Array<{ typeUrl: string; value: Uint8Array }>;
      };
      assert.equal(status.code, grpc.status.UNAVAILABLE);
      assert.equal(status.details[0].typeUrl, 'type.googleapis.com/google.rpc.RetryInfo');
      assert.deepEqual(retryInfo.toObject(retryInfo.decode(status.details[0].value), { longs: Number }), { retryDelay: { seconds: 1 } });
    } finally {
      c.close();
      await full.close();
    }
  });

  it('refuses other content types, bad frames and unknown methods with a status, and refuses browser origins', async () => {
    const session = http2.connect(`http://${address}`);
    try {
      const json = await h2(session, { ':path': TRACES, 'content-type': 'application/json' }, Buffer.from('{}'));
      assert.equal(json.status, 415);
      const truncated = await h2(session, { ':path': TRACES, 'content-type': 'application/grpc', te: 'trailers' }, frame(valid().body).subarray(0, 20));
      assert.notEqual(truncated.grpcStatus, '0', 'a truncated frame is not accepted');
      assert.ok(truncated.grpcStatus !== undefined, 'and it is answered with a status');
      const unknown = await h2(
        session,
        { ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Nope', 'content-type': 'application/grpc', te: 'trailers' },
        frame(Buffer.alloc(0)),
      );
      assert.equal(unknown.grpcStatus, String(grpc.status.UNIMPLEMENTED));
      const badEncoding = await h2(
        session,
        { ':path': TRACES, 'content-type': 'application/grpc', 'grpc-encoding': 'snappy', te: 'trailers' },
        frame(Buffer.from('x'), true),
      );
      assert.equal(badEncoding.grpcStatus, String(grpc.status.UNIMPLEMENTED));
    } finally {
      session.close();
    }
    const md = new grpc.Metadata();
    md.set('origin', 'https://evil.example');
    const r = await call(client, TRACES, valid().body, md);
    assert.equal(r.err?.code, grpc.status.PERMISSION_DENIED);
    assert.equal(store.list().length, 0);
  });

  it('survives a flood of streams on one connection and keeps serving valid exports', async () => {
    const session = http2.connect(`http://${address}`);
    try {
      const flood = Array.from({ length: 600 }, (_, i) =>
        h2(session, { ':path': TRACES, 'content-type': 'application/grpc', te: 'trailers' }, frame(i % 2 ? Buffer.from([0xff, 0xff]) : valid().body)),
      );
      const answers = await Promise.all(flood);
      assert.ok(
        answers.every((a) => a.grpcStatus !== undefined),
        'every stream answered',
      );
      assert.equal(answers.filter((a) => a.grpcStatus === '0').length, 300);
      assert.equal(answers.filter((a) => a.grpcStatus === String(grpc.status.INVALID_ARGUMENT)).length, 300);
    } finally {
      session.close();
    }
    const { traceId, body } = valid();
    assert.equal((await call(client, TRACES, body)).err, null);
    assert.ok(store.get(traceId));
    assert.equal(store.list().length, 301);
  });

  it('is reachable on ::1 too, says it is Tracefork, and tells loopback peers apart', async () => {
    const v6 = new grpc.Client(`[::1]:${receiver.port}`, grpc.credentials.createInsecure());
    try {
      const { traceId, body } = valid();
      const r = await call(v6, TRACES, body);
      if (r.err?.code === grpc.status.UNAVAILABLE && /ECONNREFUSED|EADDRNOTAVAIL|ENETUNREACH/.test(r.err.details)) return; // no IPv6 loopback on this machine
      assert.equal(r.err, null);
      assert.ok(store.get(traceId));
      const info = JSON.parse((await call(v6, GRPC_INFO_PATH, Buffer.alloc(0))).body!.toString()) as { service: string; pid: number };
      assert.deepEqual([info.service, info.pid], ['tracefork', process.pid]);
    } finally {
      v6.close();
    }
    assert.deepEqual(
      ['127.0.0.1:5000', 'ipv4:127.0.0.9:1', '[::1]:80', '::1:51226', '[::ffff:127.0.0.1]:9', '10.0.0.1:80', '[::2]:1', '::2:1', '192.168.1.4:5'].map(
        isLoopbackPeer,
      ),
      [true, true, true, true, true, false, false, false, false],
    );
  });

  it('says EADDRINUSE when its port is taken', async () => {
    const other = new GrpcReceiver(store, { port: receiver.port });
    await assert.rejects(other.listen(), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE');
    await other.close();
  });
});
