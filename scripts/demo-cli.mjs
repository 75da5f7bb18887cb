// `npm run demo:cli`: builds Tracefork, starts its receiver, runs real demo agents (the Vercel AI SDK
// with its mock model — one clean run, one whose tool fails, one that loops — and the OpenAI
// client with the Traceloop instrumentation against a local mock) and shows what arrived.
// Keeps serving until Ctrl-C so your own agent can send traces too; `--once` exits at the end.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const once = process.argv.includes('--once');
const db = path.join(root, '.tracefork', 'demo.db');
const cli = path.join(root, 'dist', 'cli.js');
const say = (s) => process.stdout.write(`\x1b[1m${s}\x1b[0m\n`);

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${path.basename(args[args.length - 1] ?? cmd)} failed (exit ${r.status})`);
  return r.stdout;
}

function startServer(port) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--db', db], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1] });
    });
    proc.stderr.on('data', (c) => (err += c));
    proc.on('exit', (code) => reject(new Error(err.trim() || `serve exited ${code}`)));
  });
}

say('1/4 building');
run(process.execPath, ['esbuild.mjs']);
fs.rmSync(path.dirname(db), { recursive: true, force: true });

say('2/4 starting the receiver');
let server;
try {
  server = await startServer(4318);
} catch (e) {
  process.stdout.write(`port 4318 is taken (${e.message.split('\n')[0]}); using a free port instead\n`);
  server = await startServer(0);
}
process.stdout.write(`receiver: ${server.url}   database: ${db}\n`);

say('3/4 running demo agents with OTEL_EXPORTER_OTLP_ENDPOINT=' + server.url);
const env = { OTEL_EXPORTER_OTLP_ENDPOINT: server.url };
for (const [file, args, what] of [
  ['test/clients/vercelAgent.ts', ['ok'], 'Vercel AI SDK agent, clean run'],
  ['test/clients/vercelAgent.ts', ['tool-error'], 'Vercel AI SDK agent whose tool fails'],
  ['test/clients/vercelAgent.ts', ['loop', '4'], 'Vercel AI SDK agent calling the same tool 4 times'],
  ['test/clients/openaiAgent.ts', ['traceloop'], 'OpenAI client + Traceloop instrumentation'],
]) {
  run(process.execPath, ['--import', 'tsx', file, ...args], env);
  process.stdout.write(`  sent: ${what}\n`);
}
await new Promise((r) => setTimeout(r, 300));

say('4/4 what Tracefork received');
process.stdout.write(run(process.execPath, [cli, 'list', '--db', db]));
const traces = JSON.parse(run(process.execPath, [cli, 'list', '--db', db, '--json']));
const failing = traces.find((t) => t.status === 'error');
if (failing) {
  process.stdout.write(`\nThe failing run, step by step (tracefork show ${failing.traceId}):\n`);
  process.stdout.write(run(process.execPath, [cli, 'show', failing.traceId, '--db', db]));
}
process.stdout.write(`\nTry: node dist/cli.js show <TRACE_ID> --json --db ${path.relative(process.cwd(), db)}\n`);

if (once) {
  server.proc.kill('SIGTERM');
} else {
  say(`\nStill receiving on ${server.url} — point your agent at it with OTEL_EXPORTER_OTLP_ENDPOINT=${server.url}. Ctrl-C to stop.`);
  process.on('SIGINT', () => server.proc.kill('SIGTERM'));
  server.proc.stdout.pipe(process.stdout);
}
