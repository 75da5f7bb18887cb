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

  it('stdio: a line that is not JSON, or not JSON-RPC, gets its JSON-RPC error; the proxy goes on and records nothing', async () => {
    const child = spawn(process.execPath, [CLI, 'mcp-proxy', '--name', 'hostile', '--receiver', serve.url, '--', process.execPath, EVERYTHING, 'stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines: Array<Record<string, any>> = [];
    let out = '',
      err = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b;
      for (let i = out.indexOf('\n'); i >= 0; i = out.indexOf('\n')) {
        lines.push(JSON.parse(out.slice(0, i)) as Record<string, any>);
        out = out.slice(i + 1);
      }
    });
    child.stderr!.on('data', (b: Buffer) => (err += b));
    const until = async (what: string, ok: () => boolean) => {
      for (const deadline = Date.now() + 15_000; !ok(); await new Promise((r) => setTimeout(r, 20)))
        assert.ok(Date.now() < deadline, `${what}; got ${JSON.stringify(lines)}\n${err}`);
    };
    const before = JSON.parse(cliOk(['list', '--db', db, '--json'])).length as number;
    try {
      child.stdin!.write('this is not json\n');
      await until('a parse error', () => lines.some((l) => l.error?.code === -32700));
      child.stdin!.write('{"hello": "world"}\n');
      await until('an invalid-request error', () => lines.some((l) => l.error?.code === -32600));
      assert.ok(
        lines.every((l) => l.id === null),
        'answered with id null: the message had no id to read',
      );
      child.stdin!.write(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
        }) + '\n',
      );
      await until('the server still answers', () => lines.some((l) => l.id === 1 && l.result?.serverInfo));
      child.stdin!.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
      child.stdin!.write(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { arguments: {} } }) + '\n');
      await until("the server's own answer to a tools/call without a name", () => lines.some((l) => l.id === 2));
      assert.ok(lines.find((l) => l.id === 2)!.error || lines.find((l) => l.id === 2)!.result?.isError, 'the server refused it');
      assert.match(err, /mcp-proxy: the agent sent a line that is not JSON/);
      assert.equal(JSON.parse(cliOk(['list', '--db', db, '--json'])).length, before, 'nothing was recorded');
    } finally {
      child.kill();
    }
  });

  it('http: bodies over the limit, bodies that are not JSON and calls without a name get clear answers; nothing is recorded', async () => {
    const url = `${serve.url}/proxy/mcp/everything`;
    const before = relay.toolCalls();
    const runs = JSON.parse(cliOk(['list', '--db', db, '--json'])).length as number;
    // Announced as 64 MiB: refused from the header, before the body arrives.
    const big = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(64 * 1024 ** 2) } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('x'.repeat(10));
    });
    assert.equal(big.status, 413);
    assert.match(big.body, /request body of 67108864 bytes exceeds the 33554432-byte limit/);
    const notJson = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: 'not json',
    });
    assert.ok(notJson.status >= 400 && notJson.status < 500, `the server's own refusal passes through (${notJson.status})`);
    assert.match(await notJson.text(), /-32700|Parse error/i);
    const nameless = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: {} }),
    });
    assert.ok(nameless.status >= 400, `refused by the server (${nameless.status})`);
    assert.equal(relay.toolCalls(), before + 1, 'passed through once, as sent');
    assert.equal(JSON.parse(cliOk(['list', '--db', db, '--json'])).length, runs, 'nothing was recorded');
    // A configured server that is down: a 502 that names it.
    const closed = await freePort();
    const dead = await startServe(path.join(tmp.dir, 'dead.db'), 15_000, { args: ['--mcp', `down=http://127.0.0.1:${closed}/mcp`] });
    try {
      const r = await fetch(`${dead.url}/proxy/mcp/down`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      });
      assert.equal(r.status, 502);
      assert.match(((await r.json()) as { error: { message: string } }).error.message, new RegExp(`127\\.0\\.0\\.1:${closed} could not be reached`));
    } finally {
      await dead.stop();
    }
    // And OTLP ingest is untouched.
    assert.equal((await fetch(`${serve.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 200);
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
