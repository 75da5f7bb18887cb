/** Posts length-prefixed protobuf bodies from a file to OTEL_EXPORTER_OTLP_ENDPOINT over N keep-alive connections. */
import * as http from 'node:http';
import { readBodies } from './bodiesFile';

const [file, connections = '4'] = process.argv.slice(2);
const bodies = readBodies(file);
const url = new URL(`${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces`);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
const statuses: Record<number, number> = {};

function post(body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => {
        statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
        resolve();
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

void (async () => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Number(connections) }, async () => {
      while (next < bodies.length) await post(bodies[next++]);
    }),
  );
  agent.destroy();
  process.stdout.write(JSON.stringify({ requests: bodies.length, statuses }) + '\n');
})();
