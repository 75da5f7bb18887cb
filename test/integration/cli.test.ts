import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../support/tmp';
import { hexId, request, span } from '../support/otlp';
import { send } from '../support/http';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const FIXTURES = path.resolve(ROOT, 'test/fixtures');

function cli(...args: string[]) {
  // Bounded, so a CLI that hangs fails this suite with its output instead of stalling the run.
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
  if (r.error || r.signal) throw new Error(`tracefork ${args.join(' ')} did not finish (${r.error?.message ?? r.signal}); stderr: ${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `serve` and resolves with its URL once it says it is listening. */
function serve(db: string): Promise<{ url: string; kill: (sig?: NodeJS.Signals) => Promise<number | null> }> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--grpc-port', '0', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code, sig) => r(code ?? (sig ? -1 : null))));
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ url: m[1], kill: (sig = 'SIGTERM') => (proc.kill(sig), exited) });
    });
    let err = '';
    proc.stderr.on('data', (c) => (err += c));
    void exited.then(() => reject(new Error(`serve exited before listening: ${err}`)));
  });
}

describe('tracefork CLI', () => {
  let t: ReturnType<typeof tmpDir>;
  let db: string;
  before(function () {
    this.timeout(60_000);
    if (!fs.existsSync(CLI)) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
  });
  beforeEach(() => {
    t = tmpDir();
    db = path.join(t.dir, 'traces.db');
  });
  afterEach(() => t.cleanup());

  it('imports the captured framework fixtures and lists them with the contract fields', () => {
    const r = cli('import', path.join(FIXTURES, 'vercel-ai-sdk.otlp.json'), path.join(FIXTURES, 'openai-traceloop.otlp.json'), '--db', db);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /vercel-ai-sdk\.otlp\.json: 4 spans, 0 log records imported/);
    const list = JSON.parse(cli('list', '--db', db, '--json').stdout);
    assert.equal(list.length, 3); // the Traceloop capture holds two traces
    for (const tr of list)
      for (const k of ['traceId', 'name', 'startTime', 'durationMs', 'spanCount', 'status', 'errorCount']) assert.ok(k in tr, `list --json has ${k}`);
    const vercel = list.find((x: { name: string }) => x.name === 'ai.generateText');
    assert.equal(vercel.spanCount, 4);
    assert.equal(vercel.sessionId, 's-1', 'ai.telemetry.metadata.sessionId');
    assert.equal(vercel.model, 'mock-model-1');
    assert.ok(list.some((x: { model: string }) => x.model === 'gpt-4o-mini'));
    assert.match(vercel.startTime, /^\d{4}-\d\d-\d\dT/);
    const shown = JSON.parse(cli('show', vercel.traceId, '--db', db, '--json').stdout);
    assert.equal(shown.traceId, vercel.traceId);
    assert.deepEqual(
      shown.steps.map((s: { name: string; depth: number }) => [s.depth, s.name]),
      [
        [0, 'ai.generateText'],
        [1, 'ai.generateText.doGenerate'],
        [1, 'ai.toolCall'],
        [1, 'ai.generateText.doGenerate'],
      ],
    );
  });

  it('exports a trace as OTLP/JSON that import reads back unchanged', () => {
    cli('import', path.join(FIXTURES, 'vercel-ai-sdk.otlp.json'), '--db', db);
    const [trace] = JSON.parse(cli('list', '--db', db, '--json').stdout);
    const first = cli('export', trace.traceId, '--db', db).stdout;
    const file = path.join(t.dir, 'exported.json');
    fs.writeFileSync(file, first);
    const db2 = path.join(t.dir, 'other.db');
    assert.equal(cli('import', file, '--db', db2).status, 0);
    assert.equal(cli('export', trace.traceId, '--db', db2).stdout, first);
    const original = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'vercel-ai-sdk.otlp.json'), 'utf8'));
    const exported = JSON.parse(first);
    assert.equal(exported.resourceSpans[0].scopeSpans[0].spans.length, original.resourceSpans[0].scopeSpans[0].spans.length);
    assert.equal(exported.resourceSpans[0].scopeSpans[0].spans[0].spanId, original.resourceSpans[0].scopeSpans[0].spans[0].spanId);
  });

  it('shows and exports a run of 60,000 steps within a 160 MB heap: written step by step, never held whole', function () {
    this.timeout(180_000);
    // 120 bodies of 500 spans, each with a 600-byte prompt and, on one span, an API key.
    const traceId = hexId(16);
    const root = span({ traceId, name: 'invoke_agent big', durMs: 100_000 });
    const prompt = 'Summarise the ticket history for this customer. '.repeat(12);
    const lines = [JSON.stringify(request([root]))];
    for (let b = 0; b < 120; b++) {
      const spans = Array.from({ length: 500 }, (_, i) =>
        span({
          traceId,
          parentSpanId: root.spanId,
          name: 'chat gpt-4o',
          startMs: 1_700_000_000_000 + b * 500 + i,
          attrs: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: prompt }] }]),
            ...(b === 7 && i === 3 ? { 'http.request.header.authorization': 'Bearer sk-proj-abcdefghijklmnopqrstuvwx0123' } : {}),
          },
        }),
      );
      lines.push(JSON.stringify(request(spans)));
    }
    const file = path.join(t.dir, 'big.jsonl');
    fs.writeFileSync(file, lines.join('\n'));
    assert.equal(cli('import', file, '--db', db).status, 0);
    // Output goes to a file (it is ~200 MB); the heap is capped below what holding the run takes.
    const run = (args: string[], out: string) => {
      const fd = fs.openSync(out, 'w');
      try {
        const r = spawnSync(process.execPath, ['--max-old-space-size=160', CLI, ...args, '--db', db], {
          stdio: ['ignore', fd, 'pipe'],
          encoding: 'utf8',
          timeout: 150_000,
        });
        assert.equal(r.status, 0, `tracefork ${args.join(' ')}: ${r.stderr}`);
        return r.stderr;
      } finally {
        fs.closeSync(fd);
      }
    };
    const shown = path.join(t.dir, 'show.json');
    const warned = run(['show', traceId, '--json'], shown);
    assert.match(warned, /60001 steps, over 50000: shown with the agent's own scores only/);
    const steps = (JSON.parse(fs.readFileSync(shown, 'utf8')) as { traceId: string; steps: Array<{ spanId: string; depth: number; startTime: string }> }).steps;
    assert.equal(steps.length, 60_001);
    assert.equal(steps[0]!.spanId, root.spanId);
    assert.ok(
      steps.slice(1).every((s, i) => s.depth === 1 && (i === 0 || s.startTime >= steps[i]!.startTime)),
      'children under the root, in start order',
    );
    const exported = path.join(t.dir, 'export.json');
    run(['export', traceId], exported);
    const text = fs.readFileSync(exported, 'utf8');
    assert.ok(!text.includes('sk-proj-abcdefghijklmnopqrstuvwx0123'), 'the key is masked');
    const doc = JSON.parse(text) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }> };
    assert.equal(doc.resourceSpans[0]!.scopeSpans[0]!.spans.length, 60_001);
    const text2 = path.join(t.dir, 'show.txt');
    run(['show', traceId], text2);
    assert.equal(fs.readFileSync(text2, 'utf8').split('\n').filter(Boolean).length, 60_002, 'a header and a line per step');
  });

  it('masks API keys in exports unless --unmasked, and a masked export still round-trips', () => {
    const traceId = hexId(16);
    const key = 'sk-proj-' + 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2';
    const file = path.join(t.dir, 'secret.json');
    fs.writeFileSync(file, JSON.stringify(request([span({ traceId, attrs: { 'gen_ai.input.messages': `[{"role":"user","content":"my key is ${key}"}]` } })])));
    assert.equal(cli('import', file, '--db', db).status, 0);
    const masked = cli('export', traceId, '--db', db).stdout;
    assert.ok(!masked.includes(key), 'the key is not in the export');
    assert.match(masked, /my key is sk-…\[masked\]/);
    assert.ok(cli('export', traceId, '--db', db, '--unmasked').stdout.includes(key), '--unmasked gives the data as received');
    const again = path.join(t.dir, 'masked.json');
    fs.writeFileSync(again, masked);
    const db2 = path.join(t.dir, 'masked.db');
    assert.equal(cli('import', again, '--db', db2).status, 0);
    assert.equal(cli('export', traceId, '--db', db2).stdout, masked);
  });

  it('gives clear messages and non-zero exits for bad arguments, a missing database and an unknown trace', () => {
    const noCmd = cli();
    assert.equal(noCmd.status, 2);
    assert.match(noCmd.stderr, /usage: tracefork/);
    const unknown = cli('frobnicate');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    const badOpt = cli('list', '--bogus', '--db', db);
    assert.equal(badOpt.status, 2);
    assert.match(badOpt.stderr, /Unknown option '--bogus'/);
    const missing = cli('list', '--db', db, '--json');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no Tracefork database at .*traces\.db; run `tracefork serve/);
    cli('import', path.join(FIXTURES, 'vercel-ai-sdk.otlp.json'), '--db', db);
    const noTrace = cli('show', 'ffffffffffffffffffffffffffffffff', '--db', db, '--json');
    assert.equal(noTrace.status, 1);
    assert.match(noTrace.stderr, /no trace ffffffffffffffffffffffffffffffff/);
    assert.equal(cli('show', '--db', db).status, 2, 'TRACE_ID is required');
    const notOtlp = path.join(t.dir, 'x.json');
    fs.writeFileSync(notOtlp, '{"hello": 1}');
    const bad = cli('import', notOtlp, '--db', db);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /is not OTLP\/JSON: no resourceSpans or resourceLogs/);
    assert.match(cli('serve', '--port', 'abc', '--db', db).stderr, /--port must be a number/);
    assert.match(cli('serve', '--max-traces', '0', '--db', db).stderr, /--max-traces must be a positive number/);
  });

  it('serves: what it acknowledged is listed within a second, and a second server on the same database is refused', async () => {
    const server = await serve(db);
    try {
      const traceId = hexId(16);
      const res = await send(`${server.url}/v1/traces`, {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request([span({ traceId, name: 'run' })])),
      });
      assert.equal(res.status, 200);
      const deadline = Date.now() + 1000;
      let listed: Array<{ traceId: string }> = [];
      while (Date.now() < deadline && !listed.length) {
        const r = cli('list', '--db', db, '--json');
        if (r.status === 0) listed = JSON.parse(r.stdout);
      }
      assert.equal(listed[0]?.traceId, traceId);
      const second = cli('serve', '--port', '0', '--grpc-port', '0', '--db', db);
      assert.equal(second.status, 1);
      assert.match(second.stderr, /being written by another Tracefork process \(pid \d+\)/);
    } finally {
      await server.kill();
    }
  });

  it('keeps every acknowledged span when the server is killed with SIGKILL mid-ingest, and reopens cleanly', async function () {
    this.timeout(60_000);
    const server = await serve(db);
    let acked = 0;
    const traceIds: string[] = [];
    for (let batch = 0; batch < 40; batch++) {
      const traceId = hexId(16);
      const spans = Array.from({ length: 50 }, () => span({ traceId, attrs: { 'gen_ai.prompt.0.content': 'p'.repeat(2000) } }));
      const res = await send(`${server.url}/v1/traces`, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request(spans)) });
      if (res.status === 200) {
        acked += spans.length;
        traceIds.push(traceId);
      }
    }
    assert.equal(await server.kill('SIGKILL'), -1);
    const list = JSON.parse(cli('list', '--db', db, '--json').stdout) as Array<{ traceId: string; spanCount: number }>;
    assert.equal(
      list.reduce((n, x) => n + x.spanCount, 0),
      acked,
    );
    assert.deepEqual(list.map((x) => x.traceId).sort(), traceIds.sort());
    const again = await serve(db); // the stale lock of the killed process is taken over
    await again.kill();
    const reopened = JSON.parse(cli('list', '--db', db, '--json').stdout) as unknown[];
    assert.equal(reopened.length, traceIds.length);
  });
});
