/**
 * End-to-end ingest: real protobuf exporters in child processes → the receiver → the store.
 * Measures spans/s from the first request to the last span indexed, and checks none was lost.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Receiver } from '../src/core/receiver/server';
import { TraceStore } from '../src/core/store/store';

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

/** Runs `clients` exporter processes of `spansEach` spans; returns throughput and loss. */
export async function benchEndToEnd(clients = 2, spansEach = 50_000) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-e2e-'));
  const store = await TraceStore.open(path.join(dir, 'traces.db'), { retention: { maxTraces: 1e9, maxBytes: 1e12 } });
  const receiver = new Receiver(store, { port: 0 });
  await receiver.listen();
  let first = 0n;
  let lastIndexed = 0n;
  const origIngest = store.ingestTraces.bind(store);
  store.ingestTraces = (body, enc) => {
    first ||= process.hrtime.bigint();
    return origIngest(body, enc);
  };
  store.onDidChange(() => (lastIndexed = process.hrtime.bigint()));
  const results = await Promise.all(Array.from({ length: clients }, () => runClient(receiver.url, spansEach)));
  const stats = store.stats();
  const stored = store.list().reduce((n, t) => n + t.spanCount, 0);
  const created = results.reduce((n, r) => n + r.created, 0);
  const sent = results.reduce((n, r) => n + r.sent, 0);
  const secs = Number(lastIndexed - first) / 1e9;
  await receiver.close();
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { clients, created, sent, stored, lost: created - stored, refused: receiver.stats.refused, errors: results.flatMap((r) => r.errors), spansPerSec: stored / secs, seconds: secs, journalMb: stats.journalBytes / 1e6 };
}

if (require.main === module) {
  void benchEndToEnd(Number(process.argv[2] ?? 2), Number(process.argv[3] ?? 50_000)).then((r) => console.log(r));
}
