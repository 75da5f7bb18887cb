/**
 * End-to-end ingest: real protobuf exporters in child processes → the receiver → the store.
 * Measures spans/s from the first request to the last span indexed, and checks none was lost.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { timedReceiver, type BenchSink } from './httpReplay';

interface ClientResult {
  created: number;
  sent: number;
  errors: string[];
}

function runClient(endpoint: string, spans: number): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'exporterClient.ts'), String(spans)], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`client exited ${code}`))));
  });
}

/** Runs `clients` exporter processes of `spansEach` spans against a sink; returns throughput and loss. */
export async function benchEndToEnd(sink: BenchSink, clients = 2, spansEach = 50_000) {
  const { receiver, firstRequest } = await timedReceiver(sink);
  const results = await Promise.all(Array.from({ length: clients }, () => runClient(receiver.url, spansEach)));
  sink.settle();
  const secs = Number(process.hrtime.bigint() - firstRequest()) / 1e9;
  const stored = sink.stored();
  const created = results.reduce((n, r) => n + r.created, 0);
  const sent = results.reduce((n, r) => n + r.sent, 0);
  await receiver.close();
  return {
    clients,
    created,
    sent,
    stored,
    lost: created - stored,
    refused: receiver.stats.refused,
    errors: results.flatMap((r) => r.errors),
    spansPerSec: stored / secs,
    seconds: secs,
  };
}
