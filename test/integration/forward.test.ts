// `tracefork serve --forward URL`: every accepted request also goes to the team's backend. Real
// parts: the official OpenTelemetry exporters (OTLP/HTTP and gRPC) send to one `tracefork serve`,
// which forwards to a second `tracefork serve` and to a real Arize Phoenix (from PyPI); the upstream
// is down during a burst and gets everything once it is back, and nothing is lost locally.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sendWithOfficialExporter } from '../clients/exporters';
import { freePort, grpcEndpoint, listJson, runCli, startServe, eventually, type Serve } from '../support/cli';
import { startPhoenix, type Phoenix } from '../support/phoenix';

describe('forwarding to the team backend (serve --forward)', function () {
  this.timeout(240_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracefork-forward-'));
  const running: Array<{ stop(): Promise<void> }> = [];
  after(async () => {
    for (const s of running.reverse()) await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const serve = async (name: string, args: string[] = [], opts: { grpcPort?: number | 'free'; port?: number } = {}): Promise<Serve> => {
    const s = await startServe(path.join(dir, `${name}.db`), 15_000, {
      grpcPort: opts.grpcPort,
      args: [...args, ...(opts.port ? ['--port', String(opts.port)] : [])],
    });
    running.push(s);
    return s;
  };
  const spanCount = (db: string, traceId: string) => listJson(db).find((t) => t.traceId === traceId)?.spanCount ?? 0;

  it('sends what arrives over OTLP/HTTP and OTLP/gRPC on to a second receiver, as received', async () => {
    const upstream = await serve('upstream');
    const local = await serve('local', ['--forward', upstream.url, '--forward-header', 'x-team=tracefork'], { grpcPort: 'free' });
    const overHttp = await sendWithOfficialExporter({ endpoint: local.url, protocol: 'proto', serviceName: 'fwd-http' });
    const overGrpc = await sendWithOfficialExporter({ endpoint: grpcEndpoint(local), protocol: 'grpc', serviceName: 'fwd-grpc' });
    for (const sent of [overHttp, overGrpc]) {
      assert.equal(sent.exportErrors.length, 0);
      await eventually(() => assert.equal(spanCount(path.join(dir, 'upstream.db'), sent.traceId), spanCount(path.join(dir, 'local.db'), sent.traceId)), 10_000);
      assert.ok(spanCount(path.join(dir, 'local.db'), sent.traceId) > 0);
      const a = runCli(['export', sent.traceId, '--db', path.join(dir, 'local.db')]).stdout;
      const b = runCli(['export', sent.traceId, '--db', path.join(dir, 'upstream.db')]).stdout;
      assert.equal(b, a, 'the upstream holds the same trace');
    }
  });

  it('an upstream down during a burst: nothing lost locally, everything upstream once it is back', async () => {
    const port = await freePort(); // nothing listens there yet
    const local = await serve('burst-local', ['--forward', `http://127.0.0.1:${port}`]);
    const sent = [];
    for (let i = 0; i < 8; i++)
      sent.push(await sendWithOfficialExporter({ endpoint: local.url, protocol: 'proto', serviceName: `burst-${i}`, extraSpans: 200 }));
    const localDb = path.join(dir, 'burst-local.db');
    for (const s of sent) assert.equal(s.exportErrors.length, 0, 'the local receiver acknowledged everything while the upstream was down');
    const total = (db: string) => listJson(db).reduce((n, t) => n + t.spanCount, 0);
    const created = sent.reduce((n, s) => n + s.spanCount, 0);
    await eventually(() => assert.equal(total(localDb), created, 'local: 0 spans lost'), 5000);
    const localSpans = total(localDb);
    const upstream = await serve('burst-upstream', [], { port });
    const upDb = path.join(dir, 'burst-upstream.db');
    await eventually(() => assert.equal(total(upDb), localSpans), 30_000);
    assert.ok(upstream.proc.exitCode === null);
  });

  it('forwards to a real Arize Phoenix, which then holds every span', async function () {
    let phoenix: Phoenix;
    try {
      phoenix = await startPhoenix(fs.mkdtempSync(path.join(dir, 'phoenix-')));
    } catch (e) {
      throw new Error(`Phoenix could not be installed or started here: ${(e as Error).message}`);
    }
    running.push(phoenix);
    const local = await serve('phoenix-local', ['--forward', phoenix.url]);
    const sent = await sendWithOfficialExporter({ endpoint: local.url, protocol: 'proto', serviceName: 'fwd-phoenix', extraSpans: 20 });
    assert.equal(sent.exportErrors.length, 0);
    const want = spanCount(path.join(dir, 'phoenix-local.db'), sent.traceId);
    assert.ok(want > 20);
    await eventually(async () => assert.equal((await phoenix.spans(sent.traceId)).length, want), 30_000);
  });

  it('bad forwarding options get a clear error and exit 2', () => {
    const db = path.join(dir, 'bad.db');
    for (const [args, message] of [
      [['--forward', 'not a url'], /--forward: .*Invalid URL/],
      [['--forward', 'ftp://backend:21'], /must be http\(s\)/],
      [['--forward-header', 'a=b'], /--forward-header needs --forward URL/],
      [['--forward', 'http://b:4318', '--forward-header', 'novalue'], /NAME=VALUE/],
      [['--port', '14999', '--forward', 'http://127.0.0.1:14999'], /is this receiver itself/],
    ] as const) {
      const r = runCli(['serve', '--db', db, '--grpc-port', '0', ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
});
