/**
 * Load: 8 concurrent processes running the real OTLP proto exporter (batches of 512, ~2 KB prompts)
 * against one receiver for a bounded amount of work. Reports spans in = spans stored, exporter
 * errors (e.g. "Concurrent export limit reached" from a slow answer) and refused requests.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchEndToEnd } from './endToEnd';
import { traceforkSink } from './httpReplay';

/** Runs `clients` exporters of `spansEach` spans; returns the loss and error figures. */
export async function benchLoad(clients = 8, spansEach = 12_500) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-load-'));
  const sink = await traceforkSink(dir);
  try {
    return await benchEndToEnd(sink, clients, spansEach);
  } finally {
    sink.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void benchLoad(Number(process.argv[2] ?? 8), Number(process.argv[3] ?? 12_500)).then((r) => console.log(r));
