// `tracefork pull`: one trace from the team's backend into the local store. Real parts: a run
// recorded with the Tracefork SDK goes through `serve --forward` to a real Arize Phoenix (from PyPI)
// and is pulled back into a fresh store, where it plans exactly as the original does; Jaeger v2's
// and Tempo's APIs are served in their documented shapes (protojson base64 ids, `batches`,
// `instrumentationLibrarySpans`) from a real export; every failure says what to do and stores nothing.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, freePort, listJson, ROOT, runCli, showJson, startServe, eventually, type CliResult, type Serve } from '../support/cli';
import { startPhoenix, type Phoenix } from '../support/phoenix';

const VERCEL = path.resolve(__dirname, '../clients/replayVercelAgent.ts');

/** Runs the CLI without blocking this process (the mock backends live here). */
function runCliAsync(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Protojson's spelling of an OTLP/JSON export: ids in base64. */
function toBase64Ids(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toBase64Ids);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        ['traceId', 'spanId', 'parentSpanId'].includes(k) && typeof x === 'string' && x ? Buffer.from(x, 'hex').toString('base64') : toBase64Ids(x),
      ]),
    );
  }
  return v;
}

describe('pulling a trace from a backend (tracefork pull)', function () {
  this.timeout(240_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracefork-pull-'));
  const stops: Array<() => Promise<void>> = [];
  after(async () => {
    for (const s of stops.reverse()) await s();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const db = (name: string) => path.join(dir, `${name}.db`);
  const pull = (args: string[], into: string) => runCliAsync(['pull', ...args, '--db', into]);

  let source: Serve;
  let recorded: string;
  before(async () => {
    source = await startServe(db('source'));
    stops.push(() => source.stop());
    const r = spawnSync(process.execPath, ['--import', 'tsx', VERCEL, 'Paris,Rome'], {
      encoding: 'utf8',
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: source.url },
    });
    assert.equal(r.status, 0, r.stderr);
    recorded = await eventually(() => {
      const t = listJson(db('source'));
      assert.equal(t.length, 1);
      return t[0]!.traceId;
    }, 5000);
  });

  it('from a real Phoenix: a run recorded with the SDK comes back whole, and plans as the original does', async () => {
    let phoenix: Phoenix;
    try {
      phoenix = await startPhoenix(fs.mkdtempSync(path.join(dir, 'phoenix-')));
    } catch (e) {
      throw new Error(`Phoenix could not be installed or started here: ${(e as Error).message}`);
    }
    stops.push(() => phoenix.stop());
    // The team's set-up: the developer's Tracefork forwards to Phoenix; someone else pulls from it.
    const forwarding = await startServe(db('forwarding'), 15_000, { args: ['--forward', phoenix.url] });
    stops.push(() => forwarding.stop());
    const r = spawnSync(process.execPath, ['--import', 'tsx', VERCEL, 'Paris,Rome'], {
      encoding: 'utf8',
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: forwarding.url },
    });
    assert.equal(r.status, 0, r.stderr);
    const traceId = await eventually(() => listJson(db('forwarding'))[0]!.traceId, 5000);
    const want = listJson(db('forwarding'))[0]!.spanCount;
    await eventually(async () => assert.equal((await phoenix.spans(traceId)).length, want), 30_000);

    const out = await pull(['--from', 'phoenix', phoenix.url, traceId, '--json'], db('pulled-phoenix'));
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), { traceId, spans: want, source: `phoenix ${phoenix.url}`, db: db('pulled-phoenix') });
    const mine = showJson(db('forwarding'), traceId).steps,
      theirs = showJson(db('pulled-phoenix'), traceId).steps;
    assert.deepEqual(
      theirs.map((s) => [s.spanId, s.parentSpanId, s.name, s.kind, s.model]),
      mine.map((s) => [s.spanId, s.parentSpanId, s.name, s.kind, s.model]),
    );
    assert.equal(theirs.find((s) => !s.parentSpanId)!.attributes['tracefork.pulled_from'] ?? null, null, 'where it came from is on the resource, not the span');
    assert.match(runCli(['export', traceId, '--db', db('pulled-phoenix')]).stdout, /"tracefork\.pulled_from".*phoenix/);
    // Forkable locally: the pulled run plans exactly as the original run does.
    const plan = (d: string) => (JSON.parse(runCli(['plan', traceId, '--db', d]).stdout) as { steps: unknown[] }).steps;
    assert.deepEqual(plan(db('pulled-phoenix')), plan(db('forwarding')));
    assert.ok(plan(db('forwarding')).length >= 3);
  });

  it('from Jaeger v2, Tempo and a plain OTLP/JSON URL, in their documented shapes', async () => {
    const exported = JSON.parse(runCli(['export', recorded, '--db', db('source')]).stdout) as { resourceSpans: Array<{ scopeSpans: unknown[] }> };
    const protojson = toBase64Ids(exported) as typeof exported;
    const tempoBatches = protojson.resourceSpans.map(({ scopeSpans, ...rs }) => ({
      ...rs,
      instrumentationLibrarySpans: (scopeSpans as Array<{ scope: unknown }>).map(({ scope, ...ss }) => ({ ...ss, instrumentationLibrary: scope })),
    }));
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization ?? ''}`);
      const send = (status: number, body: unknown, type = 'application/json') => (
        res.writeHead(status, { 'content-type': type }),
        res.end(typeof body === 'string' ? body : JSON.stringify(body))
      );
      if (req.url === `/api/v3/traces/${recorded}`) return send(200, `${JSON.stringify({ result: protojson })}\n`);
      if (req.url === `/tempo/api/traces/${recorded}`) return send(200, { batches: tempoBatches });
      if (req.url === '/file.json') return send(200, exported);
      if (req.url === '/html/api/v3/traces/' + recorded) return send(200, '<html>login</html>', 'text/html');
      if (req.url?.startsWith('/auth/')) return send(401, { error: 'unauthorized' });
      if (req.url === '/empty/api/traces/' + recorded) return send(200, { batches: [] });
      return send(404, { error: 'not found' });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise((r) => server.close(() => r())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const original = showJson(db('source'), recorded).steps.map((s) => [s.spanId, s.parentSpanId, s.name, s.kind]);
    for (const [name, args] of [
      ['jaeger', ['--from', 'jaeger', base, recorded, '--header', 'authorization=Bearer team']],
      ['tempo', ['--from', 'tempo', `${base}/tempo`, recorded]],
      ['otlp', ['--from', 'otlp', `${base}/file.json`, recorded]],
    ] as const) {
      const r = await pull([...args], db(`pulled-${name}`));
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`pulled trace ${recorded} \\(\\d+ spans\\) from ${name} `));
      assert.deepEqual(
        showJson(db(`pulled-${name}`), recorded).steps.map((s) => [s.spanId, s.parentSpanId, s.name, s.kind]),
        original,
        `${name}: the same tree`,
      );
    }
    assert.ok(seen.includes(`/api/v3/traces/${recorded} Bearer team`), 'the header went to the backend');

    // Failures: each says what to do, exits 1, and stores nothing.
    const refused = await freePort();
    for (const [args, message] of [
      [['--from', 'jaeger', `${base}/nowhere`, recorded], /was not found at .*\(404\); check the trace id/],
      [['--from', 'jaeger', `${base}/auth`, recorded], /refused the request \(401\); pass the backend's credentials with --header/],
      [['--from', 'jaeger', `${base}/html`, recorded], /is not JSON .*is the URL the backend's API/],
      [['--from', 'tempo', `${base}/empty`, recorded], /has no spans of trace/],
      [['--from', 'jaeger', `http://127.0.0.1:${refused}`, recorded], /cannot reach .*ECONNREFUSED.*is the backend running there/],
      [['--from', 'jaeger', 'not a url', recorded], /is not a URL/],
      [['--from', 'jaeger', base, 'xyz'], /a trace id is 32 hex digits/],
    ] as const) {
      const into = db('failed');
      const r = await pull([...args], into);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /nothing was stored/);
      assert.ok(!fs.existsSync(`${into}.journal`), 'no store was even created');
    }
    const usage = await pull(['--from', 'zipkin', base, recorded], db('failed'));
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /pull needs --from jaeger\|tempo\|phoenix\|otlp, got "zipkin"/);
  });
});
