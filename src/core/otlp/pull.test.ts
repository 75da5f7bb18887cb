// Hostile answers to `pull`: a backend is untrusted input. (The backends' real shapes and the
// CLI's messages are tested in test/integration/pull.test.ts, with a real Phoenix.)
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pullTrace, PullError } from './pull';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

async function backend(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, close: () => new Promise((r) => (s.close(() => r()), s.closeAllConnections())) };
}

describe('pull: hostile answers', () => {
  it('refuses an answer over the size cap, declared or streamed, and reads nothing more', async () => {
    let streamedChunks = 0;
    const b = await backend((req, res) => {
      if (req.url?.startsWith('/declared')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 ** 2) });
        res.write('{"resourceSpans":[');
        return; // never finishes: the client must not wait for it
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (streamedChunks < 1000 && res.write(chunk)) streamedChunks++;
        if (streamedChunks < 1000) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    try {
      await assert.rejects(
        pullTrace({ from: 'otlp', url: `${b.url}/declared`, traceId: TRACE, maxBytes: 1024 ** 2 }),
        (e: unknown) => e instanceof PullError && /larger than 1 MiB/.test(e.message),
      );
      await assert.rejects(
        pullTrace({ from: 'otlp', url: `${b.url}/streamed`, traceId: TRACE, maxBytes: 1024 ** 2 }),
        (e: unknown) => e instanceof PullError && /larger than 1 MiB/.test(e.message),
      );
      assert.ok(streamedChunks < 1000, 'the stream was cut off, not read to its end');
    } finally {
      await b.close();
    }
  });

  it('JSON that is not a trace, spans of other traces, and a hanging backend are each a clear PullError', async () => {
    const other = 'ffffffffffffffffffffffffffffffff';
    const b = await backend((req, res) => {
      if (req.url === '/hang') return; // never answers
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url === '/array') return res.end('[1,2,3]');
      if (req.url === '/badid')
        return res.end(
          JSON.stringify({
            resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE, spanId: 'zz', name: 'x', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }],
          }),
        );
      res.end(
        JSON.stringify({
          resourceSpans: [
            { scopeSpans: [{ spans: [{ traceId: other, spanId: '00f067aa0ba902b7', name: 'x', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] },
          ],
        }),
      );
    });
    try {
      await assert.rejects(pullTrace({ from: 'otlp', url: `${b.url}/array`, traceId: TRACE }), /is not OTLP\/JSON|holds no resourceSpans/);
      await assert.rejects(
        pullTrace({ from: 'otlp', url: `${b.url}/badid`, traceId: TRACE }),
        (e: unknown) => e instanceof PullError && /is not an OTLP trace: 1 span.*spanId must be 8 bytes/.test(e.message),
      );
      await assert.rejects(pullTrace({ from: 'otlp', url: `${b.url}/other`, traceId: TRACE }), /has no spans of trace 0af7651916cd43dd8448eb211c80319c/);
      await assert.rejects(pullTrace({ from: 'otlp', url: `${b.url}/hang`, traceId: TRACE, timeoutMs: 200 }), /no answer within 200 ms/);
    } finally {
      await b.close();
    }
  });
});
