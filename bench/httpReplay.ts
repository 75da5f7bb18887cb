/**
 * Receiver capacity over HTTP: request bodies captured from the real OTLP protobuf exporter
 * (bench/exporterClient.ts, batches of 512 spans with ~2 KB prompts) are posted again over
 * keep-alive connections, so the figure is the receiver's and not the exporter's CPU.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Receiver, type IngestSink } from '../src/core/receiver/server';
import { TraceStore } from '../src/core/store/store';

/** Runs the real exporter against a capturing server and returns the request bodies it sent. */
export async function captureExporterBodies(spans: number, perTrace = 50): Promise<Buffer[]> {
  const bodies: Buffer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'exporterClient.ts'), String(spans)], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, TRACEFORK_BENCH_PER_TRACE: String(perTrace) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exporter exited ${code}`))));
  });
  server.close();
  return bodies;
}

/** Writes bodies to a length-prefixed file for the replay client. */
export function writeBodies(bodies: Buffer[], file: string): void {
  const parts: Buffer[] = [];
  for (const b of bodies) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  }
  fs.writeFileSync(file, Buffer.concat(parts));
}

/** A sink under test: ingest, then wait until everything is stored, then count. */
export interface BenchSink extends IngestSink {
  settle(): void;
  stored(): number;
  close(): void;
}

/** The real store in a fresh folder, as a BenchSink. */
export async function traceforkSink(dir: string): Promise<BenchSink> {
  return storeSink(await TraceStore.open(path.join(dir, 'traces.db'), { retention: { maxTraces: 1e9, maxBytes: 1e12 } }));
}

/** An open store as a BenchSink. */
export function storeSink(store: TraceStore): BenchSink {
  return {
    ingestTraces: (b, e) => store.ingestTraces(b, e),
    ingestLogs: (b, e) => store.ingestLogs(b, e),
    get full() {
      return store.full;
    },
    settle: () => void store.stats(),
    stored: () => store.list().reduce((n, t) => n + t.spanCount, 0),
    close: () => store.close(),
  };
}

/** A receiver on a free port in front of a bench sink, noting when the first export arrived and when the last one was taken. */
export async function timedReceiver(sink: BenchSink): Promise<{ receiver: Receiver; firstRequest: () => bigint; lastRequest: () => bigint }> {
  let first = 0n;
  let last = 0n;
  const receiver = new Receiver(
    {
      ingestTraces: (b, e) => {
        first ||= process.hrtime.bigint();
        const r = sink.ingestTraces(b, e);
        last = process.hrtime.bigint();
        return r;
      },
      ingestLogs: (b, e) => sink.ingestLogs(b, e),
      get full() {
        return sink.full;
      },
    },
    { port: 0 },
  );
  await receiver.listen();
  return { receiver, firstRequest: () => first, lastRequest: () => last };
}

/** Posts the bodies from a separate process over `connections` keep-alive connections; spans/s until all is stored. */
export async function benchHttpReplay(bodies: Buffer[], sink: BenchSink, connections = 4) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-http-'));
  const file = path.join(dir, 'bodies.bin');
  writeBodies(bodies, file);
  const { receiver, firstRequest, lastRequest } = await timedReceiver(sink);
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'replayClient.ts'), file, String(connections)], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`replay client exited ${code}`))));
  });
  // From the first request to the last one taken, plus the indexing still queued then (done now):
  // not the client process's own exit, which is no work of the receiver's.
  const t = process.hrtime.bigint();
  sink.settle();
  const secs = Number(lastRequest() - firstRequest() + (process.hrtime.bigint() - t)) / 1e9;
  const stored = sink.stored();
  await receiver.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const client = JSON.parse(out) as { requests: number; statuses: Record<string, number> };
  return { ...client, connections, received: receiver.stats.spans, stored, spansPerSec: stored / secs, seconds: secs };
}
