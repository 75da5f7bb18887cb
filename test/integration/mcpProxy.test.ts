// The MCP proxy with the official MCP SDK client and a real MCP server from npm (the reference
// "everything" server), in both transports: stdio (`tracefork mcp-proxy -- SERVER`, started by
// the agent's MCP client) and streamable HTTP (the receiver's /proxy/…/mcp/<name> route). An agent
// with no Tracefork SDK, run by `tracefork run`: every tools/call is a tool step of the run; a
// no-edit replay answers them from the recording without reaching the server (what reaches it is
// counted: a tee of its stdin, a counting relay in front of its HTTP port); a fork sends the edited
// arguments; `--tool NAME=live` calls that tool live; everything else passes through.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CLI, ROOT, cliAsync, cliOk, ensureBuilt, freePort, showJson, startServe, type Serve } from '../support/cli';
import { tmpDir } from '../support/tmp';

const AGENT = path.resolve(__dirname, '../clients/mcpAgent.mjs');
const EVERYTHING = path.join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

async function cliJson(args: string[], env: Record<string, string>): Promise<Record<string, any>> {
  const r = await cliAsync(args, env);
  assert.equal(r.status, 0, `tracefork ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, any>;
}

/** A relay in front of the HTTP server that counts the tools/call requests reaching it. */
async function countingRelay(target: number): Promise<{ port: number; toolCalls: () => number; close(): Promise<void> }> {
  let calls = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (body.includes('"tools/call"')) calls++;
      const up = http.request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    toolCalls: () => calls,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe('MCP proxy: tool calls recorded and replayed through the official MCP client and a real server', function () {
  this.timeout(120_000);
  let serve: Serve;
  let tmp: ReturnType<typeof tmpDir>;
  let db: string;
  let port: string;
  let httpServer: ChildProcess;
  let relay: Awaited<ReturnType<typeof countingRelay>>;
  let stdinLog: string;
  const answer = () => path.join(tmp.dir, `answer-${Math.random().toString(36).slice(2)}.json`);
  const read = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, any>;
  /** How many tools/call requests the stdio server was sent (its stdin, teed). */
  const stdioToolCalls = () =>
    fs.existsSync(stdinLog)
      ? fs
          .readFileSync(stdinLog, 'utf8')
          .split('\n')
          .filter((l) => l.includes('"tools/call"')).length
      : 0;

  before(async () => {
    ensureBuilt();
    tmp = tmpDir('tracefork-mcp-proxy-');
    db = path.join(tmp.dir, 'traces.db');
    stdinLog = path.join(tmp.dir, 'stdin.log');
    const httpPort = await freePort();
    httpServer = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
      env: { ...process.env, PORT: String(httpPort) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      let err = '';
      httpServer.stderr!.on('data', (b: Buffer) => ((err += b), /listening on port/.test(err) && resolve()));
      httpServer.once('exit', (c) => reject(new Error(`the everything server exited ${c}: ${err}`)));
    });
    relay = await countingRelay(httpPort);
    serve = await startServe(db, 15_000, { args: ['--mcp', `everything=http://127.0.0.1:${relay.port}/mcp`] });
    port = new URL(serve.url).port;
  });
  after(async () => {
    await serve?.stop();
    await relay?.close();
    httpServer?.kill();
    tmp?.cleanup();
  });

  // What an agent's MCP config holds: the proxy in front of the server (here with its stdin teed, to
  // count what reaches it). The MCP client starts it with a trimmed environment (no TRACEFORK_RUN),
  // so it names the receiver, and its calls join the one open run.
  const stdioEnv = (receiver = serve.url) => ({
    MCP_TRANSPORT: 'stdio',
    MCP_PROXY_ARGS: JSON.stringify([
      CLI,
      'mcp-proxy',
      '--name',
      'everything',
      '--receiver',
      receiver,
      '--',
      'sh',
      '-c',
      `tee -a '${stdinLog}' | '${process.execPath}' '${EVERYTHING}' stdio`,
    ]),
  });

  for (const transport of ['stdio', 'http'] as const) {
    describe(transport, () => {
      let recorded: { traceId: string; answer: Record<string, any> };
      const env = () => (transport === 'stdio' ? stdioEnv() : { MCP_TRANSPORT: 'http' });
      const serverCalls = () => (transport === 'stdio' ? stdioToolCalls() : relay.toolCalls());

      it('records every tools/call as a tool step of the run, errors included; the rest passes through', async () => {
        const file = answer();
        const before = serverCalls();
        const out = await cliJson(['run', '--port', port, '--json', '--', process.execPath, AGENT], { ...env(), ANSWER_FILE: file });
        const a = read(file);
        assert.equal(a.tools, true, 'tools/list passed through');
        assert.equal(a.echo, 'Echo: hello');
        assert.equal(a.sum, 'The sum of 2 and 3 is 5.');
        assert.equal(serverCalls() - before, 3, 'the three calls reached the server');
        recorded = { traceId: out.traceId as string, answer: a };
        const tools = showJson(db, out.traceId as string).steps.filter((s) => s.kind === 'tool');
        assert.deepEqual(
          tools.map((s) => s.toolName),
          ['echo', 'get-sum', 'get-sum'],
        );
        assert.deepEqual(tools[0]!.input?.value, { message: 'hello' });
        assert.match(JSON.stringify(tools[0]!.output), /Echo: hello/);
        assert.equal(tools[2]!.status, 'error', 'a failed call is a failed step');
      });

      it('a no-edit replay answers every tool call from the recording without reaching the server', async () => {
        const before = serverCalls();
        const file = answer();
        const out = await cliJson(['replay', recorded.traceId, '--db', db, '--port', port, '--json'], { ...env(), ANSWER_FILE: file });
        assert.equal(serverCalls(), before, 'no tools/call reached the server');
        assert.deepEqual(read(file), recorded.answer);
        assert.deepEqual(out.calls, { recording: 3, fork: 0, live: 0 });
        assert.equal(out.firstDivergence, -1);
      });

      it('a fork of the echo call sends the edited arguments, and the calls after it go live', async () => {
        const echo = showJson(db, recorded.traceId).steps.find((s) => s.kind === 'tool')!;
        const input = path.join(tmp.dir, `edit-${transport}.json`);
        fs.writeFileSync(input, JSON.stringify({ message: 'edited' }));
        const before = serverCalls();
        const file = answer();
        const out = await cliJson(['replay', recorded.traceId, '--db', db, '--port', port, '--fork', echo.spanId, '--input', input, '--json'], {
          ...env(),
          ANSWER_FILE: file,
        });
        assert.equal(read(file).echo, 'Echo: edited');
        assert.equal(serverCalls() - before, 3);
        assert.deepEqual(out.calls, { recording: 0, fork: 1, live: 2 });
      });

      it('--tool NAME=live calls that tool live before the fork; the others are served', async () => {
        const before = serverCalls();
        const out = await cliJson(['replay', recorded.traceId, '--db', db, '--port', port, '--tool', 'get-sum=live', '--json'], {
          ...env(),
          ANSWER_FILE: answer(),
        });
        assert.equal(serverCalls() - before, 2, 'the two get-sum calls reached the server, echo did not');
        assert.deepEqual(out.calls, { recording: 1, fork: 0, live: 2 });
      });
    });
  }

  it('mcp-proxy with no receiver running still passes every call through, and says it records nothing', async () => {
    const file = answer();
    const dead = `http://127.0.0.1:${await freePort()}`;
    const child = spawn(process.execPath, [AGENT], { env: { ...process.env, ...stdioEnv(dead), ANSWER_FILE: file }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b));
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 0, err);
    assert.equal(read(file).echo, 'Echo: hello');
    assert.match(err, /tool calls are not recorded: the receiver at http:\/\/127\.0\.0\.1:\d+ cannot be reached/);
  });

  it('the calls API refuses what it cannot use', async () => {
    let r = await fetch(`${serve.url}/proxy/calls`, { method: 'POST', body: JSON.stringify({ arguments: {} }) });
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as { error: { message: string } }).error.message, /needs its "name"/);
    r = await fetch(`${serve.url}/proxy/calls/0000/end`, { method: 'POST', body: '{}' });
    assert.equal(r.status, 404);
    assert.ok(cliOk(['list', '--db', db, '--json']).length > 2);
  });
});
