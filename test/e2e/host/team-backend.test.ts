// Named to run after the other in-host tests: it adds runs to the Runs view, which they count.
// Inside the real extension host: the team's backend. `tracefork.forward.endpoint` sends what the
// window receives on to an upstream (with the headers set by *Set Forward Headers…*), and reports
// when it fails; *Open Trace from Backend…* pulls one trace from a Jaeger-shaped API into the
// Runs view and opens it, or says why it could not.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import * as vscode from 'vscode';
import { runWorkspaceAgent, waitFor } from './support';

interface State {
  receiver: { mode: string; url: string | null; forward?: { endpoint: string; stats: { sent: number; lastError: string | null } } | null };
  runs: Array<{ traceId: string; name: string }>;
  panels: Array<{ traceId: string; rows: number }>;
}
const state = () => vscode.commands.executeCommand<State>('tracefork.__state');
const setEndpoint = (v: string | undefined) =>
  vscode.workspace.getConfiguration('tracefork').update('forward.endpoint', v, vscode.ConfigurationTarget.Workspace);

async function server(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () => new Promise((r) => (s.close(() => r()), s.closeAllConnections())),
  };
}

describe('Tracefork and the team backend', function () {
  this.timeout(90_000);
  before(async () => {
    await vscode.extensions.getExtension('tracefork.tracefork')!.activate();
    await waitFor('the receiver', async () => (await state()).receiver.mode === 'owner');
  });
  after(async () => {
    await setEndpoint(undefined);
    await vscode.commands.executeCommand('tracefork.setForwardHeaders', '');
    await waitFor('forwarding off again', async () => (await state()).receiver.mode === 'owner' && !(await state()).receiver.forward);
  });

  it('forwards what it receives, with the secret headers, and says when the upstream fails', async () => {
    const got: Array<{ path: string; auth: string | undefined; body: string }> = [];
    const upstream = await server((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        got.push({ path: req.url ?? '', auth: req.headers.authorization, body: gunzipSync(Buffer.concat(parts)).toString('latin1') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await vscode.commands.executeCommand('tracefork.setForwardHeaders', 'authorization=Bearer e2e-team');
    await setEndpoint(upstream.url);
    const s = await waitFor('forwarding on', async () => ((await state()).receiver.forward?.endpoint === upstream.url ? state() : undefined));
    await runWorkspaceAgent('weather-agent.ts', ['ok'], s.receiver.url!);
    await waitFor(
      'the run upstream',
      () => got.some((g) => g.path === '/v1/traces' && g.body.includes('getWeather')),
      20_000,
      async () => JSON.stringify(got.map((g) => g.path)),
    );
    assert.ok(
      got.every((g) => g.auth === 'Bearer e2e-team'),
      'the headers from secret storage went along',
    );
    // The upstream has the request once it has read it; the forwarder counts it sent when the answer is back.
    await waitFor('the forwarder counting it sent', async () => ((await state()).receiver.forward?.stats.sent ?? 0) >= 1);

    await upstream.close();
    await runWorkspaceAgent('weather-agent.ts', ['ok'], s.receiver.url!);
    const failing = await waitFor('the failure reported', async () => (await state()).receiver.forward?.stats.lastError ?? undefined);
    assert.match(failing, /unreachable \(ECONNREFUSED\)/);
  });

  it('opens a trace pulled from a Jaeger v2 API, and says why when it cannot', async () => {
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    const now = BigInt(Date.now()) * 1_000_000n;
    const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64'); // Jaeger's protojson ids
    const trace = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'prod-agent' } }] },
          scopeSpans: [
            {
              scope: { name: 'prod' },
              spans: [
                {
                  traceId: b64(traceId),
                  spanId: b64(spanId),
                  name: 'chat gpt-4o-mini',
                  kind: 'SPAN_KIND_CLIENT',
                  startTimeUnixNano: String(now),
                  endTimeUnixNano: String(now + 5_000_000n),
                  attributes: [
                    { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                    { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const jaeger = await server((req, res) => {
      if (req.url === `/api/v3/traces/${traceId}`) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: trace }));
      else res.writeHead(404).end('{"error":{"message":"trace not found"}}');
    });
    try {
      const r = await vscode.commands.executeCommand<{ traceId: string; spans: number }>('tracefork.openFromBackend', {
        from: 'jaeger',
        url: jaeger.url,
        traceId,
      });
      assert.deepEqual(r, { traceId, spans: 1 });
      await waitFor('the pulled run listed and open', async () => {
        const st = await state();
        return st.runs.some((x) => x.traceId === traceId) && st.panels.some((p) => p.traceId === traceId && p.rows === 1);
      });
      const missing = randomBytes(16).toString('hex');
      const e = await vscode.commands.executeCommand<{ error: string }>('tracefork.openFromBackend', { from: 'jaeger', url: jaeger.url, traceId: missing });
      assert.match(e.error, /was not found .*\(404\)/);
      assert.ok(!(await state()).runs.some((x) => x.traceId === missing), 'nothing stored');
    } finally {
      await jaeger.close();
    }
  });
});
