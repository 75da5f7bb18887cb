/** A null OTLP/HTTP receiver in its own process: reads each body and answers 200 (the transport ceiling, and a stand-in upstream). */
import { spawn } from 'node:child_process';

const SOURCE = `
const http = require('node:http');
let n = 0, first = 0, last = 0;
http.createServer((req, res) => { first ||= performance.now(); req.resume(); req.on('end', () => { n++; last = performance.now(); res.writeHead(200, { 'content-type': 'application/json' }); res.end('{}'); }); })
  .listen(0, '127.0.0.1', function () { console.log(this.address().port); });
process.on('message', (m) => { if (m === 'reset') n = first = last = 0; process.send({ n, ms: last - first }); });
`;

/** Starts it; `count()` is how many requests it has answered, `elapsedMs()` from the first request to the last answer. */
export async function nullReceiver(): Promise<{ url: string; count(): Promise<number>; elapsedMs(): Promise<number>; stop(): void }> {
  const child = spawn(process.execPath, ['-e', SOURCE], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<string>((resolve) => child.stdout!.once('data', (b: Buffer) => resolve(b.toString().trim())));
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => new Promise((resolve) => (child.once('message', (m) => resolve((m as { n: number }).n)), child.send('count'))),
    elapsedMs: () => new Promise((resolve) => (child.once('message', (m) => resolve((m as { ms: number }).ms)), child.send('count'))),
    stop: () => child.kill(),
  };
}
