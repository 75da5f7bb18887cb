// `tracefork mcp`: the Tracefork tools as an MCP server, driven by the official MCP client over
// stdio, as Claude Code or Cursor would. Real runs: an agent recorded with the SDK (its weather
// tool fails for Paris) through `tracefork serve`; the scripted "coding agent" lists the failing
// runs, reads the failing step, forks it with another city and learns the run now succeeds.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI, listJson, ROOT, startServe, eventually, type Serve } from '../support/cli';

const AGENT = path.resolve(ROOT, 'test/e2e/workspace/replay-agent.ts');

interface Answer {
  content: Array<{ type: string; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

describe('tracefork mcp (the official MCP client over stdio)', function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracefork-mcp-'));
  const db = path.join(dir, 'traces.db');
  let serve: Serve;
  let client: Client;
  let failing: string;
  const call = async (name: string, args: Record<string, unknown> = {}): Promise<Answer> => (await client.callTool({ name, arguments: args })) as Answer;
  const text = (a: Answer) => a.content.map((c) => c.text).join('\n');

  before(async () => {
    serve = await startServe(db);
    const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: serve.url };
    const r = spawnSync(process.execPath, ['--import', 'tsx', AGENT], { cwd: ROOT, encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'Sorry, I could not get the weather.');
    failing = await eventually(() => {
      const runs = listJson(db);
      assert.equal(runs.length, 1);
      return runs[0]!.traceId;
    }, 5000);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp', '--db', db, '--replay-command', `${process.execPath} --import tsx ${AGENT}`, '--cases', path.join(dir, 'cases'), '--cwd', ROOT],
      env: env as Record<string, string>,
      stderr: 'pipe',
    });
    client = new Client({ name: 'tracefork-test', version: '1.0.0' });
    await client.connect(transport);
  });
  after(async () => {
    await client?.close();
    await serve?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists every tool with its input schema', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [
      'compare_runs',
      'eval',
      'fork_replay',
      'get_run',
      'get_step',
      'list_runs',
      'replay',
      'save_regression_case',
    ]);
    const fork = tools.find((t) => t.name === 'fork_replay')!;
    assert.deepEqual((fork.inputSchema as { required?: string[] }).required?.sort(), ['input', 'spanId', 'traceId']);
  });

  it('a coding agent: failing run → failing step → fork with an edited tool input → the run now succeeds', async () => {
    const runs = await call('list_runs', { status: 'failing' });
    assert.ok(!runs.isError, text(runs));
    assert.match(text(runs), new RegExp(`^${failing} FAILING "ai.generateText"`, 'm'));
    assert.match(text(runs), /why: tool getWeather at .*replay-agent\.ts:\d+: error: weather service unavailable for Paris/);

    const run = await call('get_run', { traceId: failing });
    const failingSteps = run.structuredContent!.failing as Array<{ spanId: string; kind: string; at: string }>;
    const tool = failingSteps.find((f) => f.kind === 'tool')!;
    assert.ok(tool, text(run));
    assert.match(tool.at, /replay-agent\.ts:\d+$/, 'file:line of the failing step');

    const step = await call('get_step', { traceId: failing, spanId: tool.spanId });
    assert.match(text(step), /status error: weather service unavailable for Paris/);
    assert.match(text(step), /input: .*"city":"Paris"/);

    const fork = await call('fork_replay', { traceId: failing, spanId: tool.spanId, input: { city: 'Lyon' } });
    assert.ok(!fork.isError, text(fork));
    assert.match(text(fork), /the new run succeeds: no step fails any more/);
    assert.equal(fork.structuredContent!.succeeded, true);
    const replayed = fork.structuredContent!.traceId as string;
    assert.notEqual(replayed, failing);
    assert.ok(
      listJson(db).some((t) => t.traceId === replayed && t.replayOf === failing),
      'the new run is stored as a replay of the original',
    );

    const cmp = await call('compare_runs', { a: failing, b: replayed });
    assert.match(text(cmp), /first divergence: tool getWeather \(changed: status, input, output, fork\)/);
  });

  it('replay without an edit: the current code behaves as recorded', async () => {
    const r = await call('replay', { traceId: failing });
    assert.ok(!r.isError, text(r));
    assert.match(text(r), /the new run still fails: tool getWeather/);
    assert.equal(r.structuredContent!.firstDivergence, -1);
  });

  it('eval and save_regression_case', async () => {
    const ev = await call('eval', { traceId: failing });
    assert.match(text(ev), new RegExp(`^${failing} FAIL `, 'm'));
    const run = await call('get_run', { traceId: failing });
    const tool = (run.structuredContent!.failing as Array<{ spanId: string; kind: string }>).find((f) => f.kind === 'tool')!;
    const saved = await call('save_regression_case', { traceId: failing, spanId: tool.spanId });
    assert.ok(!saved.isError, text(saved));
    const line = JSON.parse(
      fs
        .readFileSync(path.join(dir, 'cases', 'cases.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .pop()!,
    ) as { format: string; step: { name: string } };
    assert.equal(line.format, 'tracefork.case/2');
  });

  it('bad ids and bad arguments are tool errors a model can act on; the server keeps serving', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['get_run', { traceId: 'nope' }, /traceId must be a run's 32-hex-digit id/],
      ['get_run', { traceId: 'f'.repeat(32) }, /no run f{32} in the store; call list_runs/],
      ['get_step', { traceId: failing, spanId: '0'.repeat(16) }, /has no step "0{16}"; get_run lists its span ids/],
      ['get_run', {}, /traceId/],
      ['list_runs', { since: 'yesterday-ish' }, /since must be an ISO date/],
      ['list_runs', { limit: 100000 }, /limit/],
      ['fork_replay', { traceId: failing, spanId: '0'.repeat(16), input: {} }, /has no step/],
    ];
    for (const [name, args, message] of cases) {
      const a = await call(name, args);
      assert.equal(a.isError, true, `${name} ${JSON.stringify(args)}: ${text(a)}`);
      assert.match(text(a), message);
    }
    const still = await call('list_runs');
    assert.ok(!still.isError && text(still).includes(failing), 'still serving');
  });

  it("without --replay-command: the workspace's tracefork.replay.command, else a tool error saying what to pass", async () => {
    const connect = async (cwd: string) => {
      const c = new Client({ name: 'tracefork-test-2', version: '1.0.0' });
      await c.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [CLI, 'mcp', '--db', db, '--cwd', cwd],
          env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: serve.url, TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json') } as Record<string, string>,
          stderr: 'pipe',
        }),
      );
      return c;
    };
    const ws = fs.mkdtempSync(path.join(dir, 'ws-'));
    fs.mkdirSync(path.join(ws, '.vscode'));
    const tsx = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href; // this folder has no node_modules
    fs.writeFileSync(
      path.join(ws, '.vscode', 'settings.json'),
      `{\n  // how the agent starts\n  "tracefork.replay.command": "${process.execPath} --import ${tsx} ${AGENT}",\n}\n`,
    );
    const configured = await connect(ws);
    try {
      const r = (await configured.callTool({ name: 'replay', arguments: { traceId: failing } })) as Answer;
      assert.ok(!r.isError, text(r));
      assert.match(text(r), /^replayed run [0-9a-f]{32}/);
    } finally {
      await configured.close();
    }
    const bare = await connect(fs.mkdtempSync(path.join(dir, 'bare-')));
    try {
      const r = (await bare.callTool({ name: 'fork_replay', arguments: { traceId: failing, spanId: '0'.repeat(16), input: {} } })) as Answer;
      assert.equal(r.isError, true);
      assert.match(text(r), /need the agent's command: start the server with --replay-command "CMD".*or set tracefork\.replay\.command/);
    } finally {
      await bare.close();
    }
  });

  it('bounds its answers: a long step is truncated with a way to read on', async () => {
    const run = await call('get_run', { traceId: failing, maxSteps: 1 });
    assert.match(text(run), /more steps: call get_run with offset=1/);
    const llm = ((await call('get_run', { traceId: failing })).structuredContent!.steps as Array<{ spanId: string; kind: string }>).find(
      (s) => s.kind === 'llm',
    )!;
    const first = await call('get_step', { traceId: failing, spanId: llm.spanId, attributes: true, maxChars: 300 });
    assert.match(text(first), /\[… truncated: \d+ more chars; call get_step with offset=300\]$/);
    assert.ok(text(first).length < 420);
    const next = await call('get_step', { traceId: failing, spanId: llm.spanId, attributes: true, maxChars: 300, offset: 300 });
    assert.ok(!next.isError && text(next).length > 0);
  });
});
