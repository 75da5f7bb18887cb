// A/B over recorded runs (`tracefork ab`) with a real agent (the AI SDK's mock model, recorded with
// the Tracefork SDK) whose tool call follows its system prompt: 10 recorded runs; a system-prompt
// edit that sends the tool to a city it fails for is reported as a regression (exit 1, the evaluator
// worse in 10 of 10 runs, the first divergence at the model call); the current code unchanged is
// not worse (exit 0); bad --runs are usage errors.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, listJson, startServe, eventually, type Serve, runAsync } from '../support/cli';
import { tmpDir } from '../support/tmp';

const AGENT = path.resolve(__dirname, '../clients/abAgent.ts');

describe('tracefork ab: recorded runs re-run with one change, before vs after', function () {
  this.timeout(240_000);
  let serve: Serve;
  let tmp: ReturnType<typeof tmpDir>;
  let db: string;
  const ab = (extra: string[]) =>
    runAsync([
      process.execPath,
      CLI,
      'ab',
      '--db',
      db,
      '--port',
      new URL(serve.url).port,
      '--concurrency',
      '3',
      ...extra,
      '--',
      process.execPath,
      '--import',
      'tsx',
      AGENT,
    ]);

  before(async () => {
    tmp = tmpDir('tracefork-ab-');
    db = path.join(tmp.dir, 'traces.db');
    serve = await startServe(db);
    const questions = [
      'What is the weather?',
      'Weather today?',
      'Is it warm?',
      'Do I need a coat?',
      'Forecast please',
      'Sunny or not?',
      'Rain today?',
      'How hot is it?',
      'Weather now?',
      'Outside today?',
    ];
    for (let i = 0; i < questions.length; i += 5) {
      const batch = await Promise.all(
        questions.slice(i, i + 5).map((q) => runAsync([process.execPath, '--import', 'tsx', AGENT, q], { OTEL_EXPORTER_OTLP_ENDPOINT: serve.url })),
      );
      for (const r of batch) assert.equal(r.status, 0, r.stderr);
    }
    await eventually(() => assert.equal(listJson(db).length, 10), 10_000);
  });
  after(async () => {
    await serve?.stop();
    tmp?.cleanup();
  });

  it('a system-prompt edit that breaks the tool call is a regression: exit 1, worse on tool-failure in 10 of 10 runs', async () => {
    const sys = path.join(tmp.dir, 'system.txt');
    fs.writeFileSync(sys, 'You are a weather agent. Default city: Paris.\n');
    const r = await ab(['--runs', 'last:10', '--edit-system', sys, '--json']);
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout) as {
      change: string;
      runs: Array<Record<string, any>>;
      evaluators: Array<{ name: string; before: number; after: number; worse: boolean }>;
      worse: boolean;
      compared: number;
    };
    assert.equal(out.change, 'system');
    assert.equal(out.compared, 10);
    assert.deepEqual(
      out.evaluators.find((e) => e.name === 'tool-failure'),
      { name: 'tool-failure', before: 0, after: 10, worse: true },
    );
    assert.ok(
      out.runs.every((x) => x.replayTraceId && x.firstDivergence),
      'each run was re-run and diverged',
    );
    assert.ok(out.runs.every((x) => x.after.failed > x.before.failed));
    const totals = (out as unknown as { totals: Record<'before' | 'after', { tokens: number; costUsd: number; meanDurationMs: number; passRate: number }> })
      .totals;
    const sum = (side: 'before' | 'after') => out.runs.reduce((n, x) => n + x[side].tokens, 0);
    assert.equal(totals.before.tokens, sum('before'), 'the totals add up the compared runs');
    assert.equal(totals.after.tokens, sum('after'));
    assert.ok(totals.after.passRate < totals.before.passRate, `fewer scores pass after the edit (${totals.before.passRate} → ${totals.after.passRate})`);
    assert.ok(totals.before.meanDurationMs > 0);
    assert.equal(listJson(db).filter((t) => t.replayOf).length, 10, 'the re-runs are stored, linked to their originals');
  });

  it('the current code unchanged is not worse: exit 0, and the table says so', async () => {
    const r = await ab(['--runs', 'last:3']);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^run {7}before {8}after/m);
    assert.match(r.stdout, /3 of 3 run\(s\) compared: no evaluator is worse/);
    assert.match(
      r.stdout,
      /^totals {4}scores passing 100\.0% → 100\.0%; tokens \d+ → \d+ \([+-]\d+\); cost \$[\d.]+ → \$[\d.]+ .*; mean latency \d+ → \d+ ms/m,
    );
    assert.match(r.stderr, /ab 3\/3/);
  });

  it('an edited step input: --edit-step getWeather=FILE', async () => {
    const input = path.join(tmp.dir, 'tool.json');
    fs.writeFileSync(input, JSON.stringify({ city: 'Paris' }));
    const ids = listJson(db)
      .filter((t) => !t.replayOf)
      .slice(0, 2)
      .map((t) => t.traceId.slice(0, 12))
      .join(',');
    const r = await ab(['--runs', ids, '--edit-step', `getWeather=${input}`, '--json']);
    assert.equal(r.status, 1);
    const out = JSON.parse(r.stdout) as { evaluators: Array<{ name: string; after: number }> };
    assert.equal(out.evaluators.find((e) => e.name === 'tool-failure')!.after, 2);
  });

  it('a set in which no run can be compared is not a pass: exit 1, saying why', async () => {
    // An edit of a step the runs do not have: every run is skipped.
    const input = path.join(tmp.dir, 'nothing.json');
    fs.writeFileSync(input, '{}');
    const r = await ab(['--runs', 'last:2', '--edit-step', `noSuchStep=${input}`]);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /0 of 2 run\(s\) compared/);
    assert.match(r.stderr, /ab compared no run, so it cannot say whether the change is worse: it has no step named "noSuchStep"/);
  });

  it('Ctrl+C stops it: the runs compared so far are printed, exit 130', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'ab', '--db', db, '--port', new URL(serve.url).port, '--concurrency', '1', '--runs', 'last:10', '--', process.execPath, '--import', 'tsx', AGENT],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    const firstDone = new Promise<void>((resolve) =>
      child.stderr.on('data', (b: Buffer) => {
        stderr += b;
        if (/ab 1\/10/.test(stderr)) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await firstDone;
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, `${stdout}\n${stderr}`);
    const compared = Number(/(\d+) of (\d+) run\(s\) compared \(cancelled\)/.exec(stdout)?.[1]);
    assert.ok(compared >= 1 && compared < 10, `stopped early, with what was compared printed:\n${stdout}`);
    assert.match(stderr, /ab cancelled after \d+ of 10 run\(s\)/);
  });

  it('bad selections and changes are usage errors (exit 2) or say what is missing (exit 1)', async () => {
    assert.equal((await ab(['--runs', 'last:0'])).status, 2);
    assert.equal((await ab(['--runs', 'zz'])).status, 2);
    const none = await ab(['--runs', 'name:no-such-run']);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /selects no run/);
    const both = await ab(['--runs', 'last:1', '--edit-system', 'a', '--edit-step', 'b=c']);
    assert.equal(both.status, 2);
  });
});
