/** Sends length-prefixed protobuf bodies from a file to a gRPC TraceService at GRPC_ADDRESS over N connections (one call in flight each). */
import * as grpc from '@grpc/grpc-js';
import { readBodies } from './bodiesFile';

const [file, connections = '4'] = process.argv.slice(2);
const bodies = readBodies(file);
const raw = (b: Buffer) => b;
const statuses: Record<string, number> = {};
const clients = Array.from(
  { length: Number(connections) },
  () => new grpc.Client(process.env.GRPC_ADDRESS!, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }),
);

function send(client: grpc.Client, body: Buffer): Promise<void> {
  return new Promise((resolve) =>
    client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', raw, raw, body, new grpc.Metadata(), (err) => {
      const code = err ? grpc.status[err.code] : 'OK';
      statuses[code] = (statuses[code] ?? 0) + 1;
      resolve();
    }),
  );
}

void (async () => {
  let next = 0;
  await Promise.all(
    clients.map(async (c) => {
      while (next < bodies.length) await send(c, bodies[next++]);
    }),
  );
  for (const c of clients) c.close();
  process.stdout.write(JSON.stringify({ requests: bodies.length, statuses }) + '\n');
})();
