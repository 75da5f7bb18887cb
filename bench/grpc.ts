/**
 * OTLP/gRPC beside OTLP/HTTP, in one run, on the same bodies: captured from the real OTLP protobuf
 * exporter (batches of 512 GenAI chat spans with ~2 KB prompts), sent again from a separate process
 * over 4 connections into a fresh store each, timed from the first request until all is stored.
 *   npm run bench:grpc [spans]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GrpcReceiver } from '../src/core/receiver/grpc';
import { benchHttpReplay, captureExporterBodies, traceforkSink, writeBodies, type BenchSink } from './httpReplay';

async function benchGrpcReplay(bodies: Buffer[], sink: BenchSink, connections = 4) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-grpc-'));
  const file = path.join(dir, 'bodies.bin');
  writeBodies(bodies, file);
  let first = 0n;
  const receiver = new GrpcReceiver(
    {
      ingestTraces: (b, e) => ((first ||= process.hrtime.bigint()), sink.ingestTraces(b, e)),
      ingestLogs: (b, e) => sink.ingestLogs(b, e),
      get full() {
        return sink.full;
      },
    },
    { port: 0 },
  );
  const port = await receiver.listen();
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'grpcReplayClient.ts'), file, String(connections)], {
      env: { ...process.env, GRPC_ADDRESS: `127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`grpc replay client exited ${code}`))));
  });
  sink.settle();
  const secs = Number(process.hrtime.bigint() - first) / 1e9;
  const stored = sink.stored();
  await receiver.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { ...(JSON.parse(out) as { requests: number; statuses: Record<string, number> }), received: receiver.stats.spans, stored, spansPerSec: stored / secs };
}

async function main() {
  const spans = Number(process.argv[2] ?? 51_200);
  const bodies = await captureExporterBodies(spans);
  const rows: Array<[string, Awaited<ReturnType<typeof benchGrpcReplay>>]> = [];
  for (let round = 1; round <= 3; round++) {
    for (const [name, run] of [
      ['OTLP/HTTP protobuf', benchHttpReplay],
      ['OTLP/gRPC', benchGrpcReplay],
    ] as const) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-bench-'));
      const sink = await traceforkSink(dir);
      const r = await run(bodies, sink, 4);
      sink.close();
      fs.rmSync(dir, { recursive: true, force: true });
      rows.push([`${name} (round ${round})`, r as Awaited<ReturnType<typeof benchGrpcReplay>>]);
      console.log(
        `${name.padEnd(20)} round ${round}: ${Math.round(r.spansPerSec).toLocaleString('en-US')} spans/s, ${r.stored} of ${r.received} received spans stored, statuses ${JSON.stringify(r.statuses)}`,
      );
    }
  }
  const best = (name: string) => Math.max(...rows.filter(([n]) => n.startsWith(name)).map(([, r]) => r.spansPerSec));
  const http = best('OTLP/HTTP'),
    grpc = best('OTLP/gRPC');
  console.log(
    `best of 3: HTTP ${Math.round(http).toLocaleString('en-US')} spans/s, gRPC ${Math.round(grpc).toLocaleString('en-US')} spans/s; gRPC/HTTP = ${(grpc / http).toFixed(2)}`,
  );
}

void main();
