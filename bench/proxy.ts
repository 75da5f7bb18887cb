/**
 * What the record/replay proxy costs an agent, in one run, each leg in its own process as it is
 * used: this process stands for the agent, the model API is the local mock (test/clients/mockModels,
 * its own process, answering at once), and the proxy is the built CLI's `tracefork serve` over a
 * fresh store. Calls alternate between direct (agent → mock) and proxied (agent → proxy → mock):
 *   - a chat completion: round-trip latency, p50/p95;
 *   - a streamed chat completion: time to the first chunk and to the last, p50/p95;
 * then a 50-call agent (`tracefork run`, then `tracefork replay` with no edit): wall time of the
 * recording run and of the replay, which makes no model call.
 *   npm run bench:proxy [calls]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

function start(args: string[], pattern: RegExp): Promise<{ proc: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => {
      out += b;
      const m = pattern.exec(out);
      if (m) resolve({ proc, url: m[1]! });
    });
    proc.once('exit', (c) => reject(new Error(`${args.join(' ')} exited ${c}: ${out}`)));
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const body = (stream: boolean) =>
  JSON.stringify({
    model: 'gpt-4o-mini',
    stream,
    messages: [
      { role: 'system', content: 'You are a weather agent.' },
      { role: 'user', content: `What is the weather in Paris? ${'context '.repeat(200)}` },
    ],
  });

async function call(base: string, stream: boolean): Promise<{ total: number; first: number }> {
  const t0 = performance.now();
  const res = await fetch(`${base}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: body(stream),
  });
  let first = 0;
  for await (const _ of res.body as unknown as AsyncIterable<Uint8Array>) first ||= performance.now() - t0;
  return { total: performance.now() - t0, first };
}

async function main() {
  const n = Number(process.argv[2] ?? 300);
  if (!fs.existsSync(CLI)) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-bench-proxy-'));
  const mock = await start(['--import', 'tsx', 'test/clients/mockModelsMain.ts', '0'], /(http:\/\/\S+)/);
  const serve = await start(
    [CLI, 'serve', '--port', '0', '--grpc-port', '0', '--db', path.join(dir, 'traces.db'), '--upstream-openai', `${mock.url}/v1`],
    /listening on (http:\/\/\S+)/,
  );
  const direct = `${mock.url}/v1`;
  const proxied = `${serve.url}/proxy/openai/v1`;
  try {
    for (let i = 0; i < 20; i++) await Promise.all([call(direct, false), call(proxied, false), call(direct, true), call(proxied, true)]); // warm up
    const r: Record<string, { total: number[]; first: number[] }> = {};
    for (let i = 0; i < n; i++) {
      for (const [name, base, stream] of [
        ['direct', direct, false],
        ['proxy', proxied, false],
        ['direct stream', direct, true],
        ['proxy stream', proxied, true],
      ] as const) {
        const x = await call(base, stream);
        {
          const f = (r[name] ??= { total: [], first: [] });
          f.total.push(x.total);
          f.first.push(x.first);
        }
      }
    }
    const f = (x: number) => `${x.toFixed(2)} ms`;
    console.log(`${n} calls each, alternating (mock upstream answers at once; streams: 7 events 5 ms apart)`);
    console.log(
      `chat completion, round trip   direct p50 ${f(pct(r.direct!.total, 50))} p95 ${f(pct(r.direct!.total, 95))} | proxy p50 ${f(pct(r.proxy!.total, 50))} p95 ${f(pct(r.proxy!.total, 95))} | added p50 ${f(pct(r.proxy!.total, 50) - pct(r.direct!.total, 50))}`,
    );
    console.log(
      `stream, time to first chunk   direct p50 ${f(pct(r['direct stream']!.first, 50))} p95 ${f(pct(r['direct stream']!.first, 95))} | proxy p50 ${f(pct(r['proxy stream']!.first, 50))} p95 ${f(pct(r['proxy stream']!.first, 95))} | added p50 ${f(pct(r['proxy stream']!.first, 50) - pct(r['direct stream']!.first, 50))}`,
    );
    console.log(
      `stream, to the last chunk     direct p50 ${f(pct(r['direct stream']!.total, 50))} | proxy p50 ${f(pct(r['proxy stream']!.total, 50))} | added p50 ${f(pct(r['proxy stream']!.total, 50) - pct(r['direct stream']!.total, 50))}`,
    );

    // A 50-call agent recorded through `tracefork run`, then replayed with no edit.
    const agent = path.join(dir, 'agent.mjs');
    fs.writeFileSync(
      agent,
      `for (let i = 0; i < 50; i++) { const r = await fetch(process.env.OPENAI_BASE_URL + '/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'step ' + i }] }) }); await r.text(); }\n`,
    );
    const port = new URL(serve.url).port;
    const timed = (args: string[]) => {
      const t0 = performance.now();
      const p = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`tracefork ${args.join(' ')}: ${p.stderr}`);
      return { ms: performance.now() - t0, out: JSON.parse(p.stdout.trim().split('\n').pop()!) as { traceId: string; calls: { recording: number } } };
    };
    const before = ((await (await fetch(`${mock.url}/__requests`)).json()) as unknown[]).length;
    const rec = timed(['run', '--port', port, '--json', '--', process.execPath, agent]);
    const mid = ((await (await fetch(`${mock.url}/__requests`)).json()) as unknown[]).length;
    const rep = timed(['replay', rec.out.traceId, '--db', path.join(dir, 'traces.db'), '--port', port, '--json']);
    const after = ((await (await fetch(`${mock.url}/__requests`)).json()) as unknown[]).length;
    console.log(
      `50-call agent: recorded through tracefork run in ${rec.ms.toFixed(0)} ms (${mid - before} model calls); no-edit replay in ${rep.ms.toFixed(0)} ms (${after - mid} model calls, ${rep.out.calls.recording} served from the recording), ${(rep.ms / rec.ms).toFixed(2)}x the recording's time against a model that answers at once`,
    );
  } finally {
    const exited = (p: ChildProcess) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)));
    serve.proc.kill();
    mock.proc.kill();
    await Promise.all([exited(serve.proc), exited(mock.proc)]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
