// The CLI's exit status is a contract (CI gates read it): every command run as a process — the
// built dist/cli.js — on success (0), on each kind of failure (1) and on bad arguments (2). The
// runs come from the real Vercel AI SDK agent exporting to a real `tracefork serve`.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runVercelAgent, type AgentMode } from '../clients/vercelAgent';
import { CLI, ROOT, runCli, serveForSuite, showJson, eventually } from '../support/cli';

/** Asserts the exit status of `tracefork ...args`, showing the output when it differs; returns it. */
function exits(status: number, args: string[], gate = false) {
  const r = runCli(args);
  assert.equal(r.status, status, `tracefork ${args.join(' ')} exited ${r.status}, expected ${status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  if (status === 2) assert.match(r.stderr, /usage: tracefork/, 'a usage error prints the usage on stderr');
  if (status === 1 && !gate) assert.match(r.stderr, /^tracefork: /m, 'a failure says why on stderr');
  return r;
}

describe('CLI exit status, as a process', function () {
  this.timeout(120_000);
  const s = serveForSuite('tracefork-exit-');
  let ok: string, failing: string, okAgain: string;
  let tmp: string;

  async function agent(mode: AgentMode): Promise<string> {
    const r = await runVercelAgent({ endpoint: s.serve.url, mode });
    assert.deepEqual(r.exportErrors, []);
    const id = r.traceIds[0]!;
    await eventually(() => assert.equal(showJson(s.db, id).steps.length, r.exported.length), 3000);
    return id;
  }

  before(async () => {
    ok = await agent('ok');
    failing = await agent('tool-error');
    okAgain = await agent('ok');
    tmp = fs.mkdtempSync(path.join(path.dirname(s.db), 'files-'));
  });

  it('help, no command, an unknown command and an unknown option', () => {
    assert.match(exits(0, ['--help']).stdout, /usage: tracefork/);
    exits(2, []);
    exits(2, ['frobnicate']);
    exits(2, ['list', '--db', s.db, '--bogus']);
  });

  it('list, show and export: 0; a missing database or an unknown trace: 1; a missing id: 2', () => {
    const none = path.join(tmp, 'none.db');
    assert.ok(JSON.parse(exits(0, ['list', '--db', s.db, '--json']).stdout).length >= 3);
    exits(1, ['list', '--db', none]);
    exits(2, ['list', 'extra', '--db', s.db]);
    exits(0, ['show', ok, '--db', s.db]);
    assert.match(exits(1, ['show', 'f'.repeat(32), '--db', s.db]).stderr, /tracefork list/);
    exits(2, ['show', '--db', s.db]);
    exits(0, ['export', ok, '--db', s.db]);
    exits(1, ['export', 'f'.repeat(32), '--db', s.db]);
    exits(2, ['export', '--db', s.db]);
  });

  it('import: 0 for OTLP/JSON; 1 for a missing file or one that is not OTLP; 2 with no file', () => {
    const db = path.join(tmp, 'imported.db');
    const file = path.join(tmp, 'ok.otlp.json');
    fs.writeFileSync(file, exits(0, ['export', ok, '--db', s.db]).stdout);
    assert.match(exits(0, ['import', file, '--db', db]).stdout, /4 spans/);
    // JSONL, as the Collector's file exporter writes: one request per line.
    const jsonl = path.join(tmp, 'two.jsonl');
    const lines = [ok, failing].map((id) => JSON.stringify(JSON.parse(exits(0, ['export', id, '--db', s.db]).stdout)));
    fs.writeFileSync(jsonl, lines.join('\n') + '\n');
    assert.match(exits(0, ['import', jsonl, '--db', path.join(tmp, 'jsonl.db')]).stdout, /two\.jsonl: 8 spans/);
    exits(1, ['import', path.join(tmp, 'missing.json'), '--db', db]);
    const junk = path.join(tmp, 'junk.json');
    fs.writeFileSync(junk, '{"hello": "world"}');
    assert.match(exits(1, ['import', junk, '--db', db]).stderr, /not OTLP\/JSON/);
    exits(2, ['import', '--db', db]);
  });

  it('eval: 1 when a step fails (database and file), 0 when none does, 2 for bad options', () => {
    assert.match(exits(1, ['eval', '--db', s.db, '--trace', failing], true).stdout, /tool-failure/);
    exits(0, ['eval', '--db', s.db, '--trace', ok]);
    // The bug this guards: `eval FILE` printed FAIL and exited 0.
    const bad = path.join(tmp, 'failing.otlp.json');
    fs.writeFileSync(bad, exits(0, ['export', failing, '--db', s.db]).stdout);
    const r = exits(1, ['eval', bad], true);
    assert.match(r.stdout, /FAIL/);
    const good = path.join(tmp, 'good.otlp.json');
    fs.writeFileSync(good, exits(0, ['export', ok, '--db', s.db]).stdout);
    exits(0, ['eval', good]);
    exits(1, ['eval', '--db', s.db, '--trace', 'f'.repeat(32)]);
    exits(1, ['eval', '--db', path.join(tmp, 'none.db')]);
    exits(2, ['eval', '--bogus']);
    exits(2, ['eval', '--db', s.db, good]);
  });

  it('compare: 0 for runs that match, 1 for runs that differ, 1 for an unknown run, 2 for one id', () => {
    assert.match(exits(0, ['compare', ok, okAgain, '--db', s.db]).stdout, /match step for step/);
    const differ = exits(1, ['compare', ok, failing, '--db', s.db, '--json'], true);
    assert.ok(JSON.parse(differ.stdout).firstDivergence >= 0, 'the JSON is printed as well');
    exits(1, ['compare', ok, 'f'.repeat(32), '--db', s.db]);
    exits(2, ['compare', ok, '--db', s.db]);
  });

  it('plan and replay: 1 for a run not recorded with the SDK or an unknown trace, 2 for bad arguments', () => {
    assert.match(exits(1, ['plan', ok, '--db', s.db]).stderr, /SDK/);
    exits(1, ['plan', 'f'.repeat(32), '--db', s.db]);
    exits(2, ['plan', ok, '--db', s.db, '--tool', 'x=maybe']);
    exits(2, ['replay', ok, '--db', s.db]);
    exits(1, ['replay', ok, '--db', s.db, '--', process.execPath, '-e', '0']);
  });

  it('serve: 1 when its port is taken, 2 for a bad port, 0 after SIGTERM', async () => {
    const port = new URL(s.serve.url).port;
    assert.match(exits(1, ['serve', '--port', port, '--grpc-port', '0', '--db', path.join(tmp, 'other.db')]).stderr, /already in use/);
    exits(2, ['serve', '--port', '70000', '--db', path.join(tmp, 'other.db')]);
    const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--grpc-port', '0', '--db', path.join(tmp, 'sigterm.db')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = new Promise<string>((r) => proc.once('exit', (c, sig) => r(`${c ?? sig}`)));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      proc.stdout.setEncoding('utf8').on('data', (d: string) => ((out += d), /listening on/.test(out) && resolve()));
      proc.once('exit', () => reject(new Error(`serve exited before listening: ${out}`)));
    });
    proc.kill('SIGTERM');
    assert.equal(await code, '0', `stdout: ${out}\nstderr: ${err}`);
    assert.match(out, /stopped; 0 spans received/);
  });
});
