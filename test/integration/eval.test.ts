/**
 * Evaluators on real agent runs: the Vercel AI SDK agent (mock model) exports to a real
 * `tracefork serve`; `eval` reads the database in process and must flag the failing tool and the
 * loop, and nothing on the clean run. The exit code is the CI gate.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { runVercelAgent, type AgentMode } from '../clients/vercelAgent';
import { runEval } from '../../src/cli/eval';
import { UsageError } from '../../src/cli/args';
import { CliError } from '../../src/cli/commands';
import type { EvalReport, TraceReport } from '../../src/core/eval/report';
import { ensureBuilt, runCli, showJson, startServe, eventually, type Serve } from '../support/cli';
import { tmpDir } from '../support/tmp';

const FIXTURES = path.resolve(__dirname, '../fixtures');

/** `tracefork eval ...argv` as a process (the built dist/cli.js): its exit status and stdout. */
async function evalExit(argv: string[]): Promise<{ code: number; out: string }> {
  const r = runCli(['eval', ...argv]);
  assert.notEqual(r.status, 2, `usage error: ${r.stderr}`);
  return { code: Number(r.status), out: r.stdout };
}

const failures = (t: TraceReport) => t.steps.flatMap((s) => s.scores.filter((x) => x.passed === false).map((x) => `${s.name}:${x.name}`));

describe('eval over real Vercel AI SDK runs', function () {
  this.timeout(90_000);
  let tmp: ReturnType<typeof tmpDir>;
  let db: string, cleanDb: string;
  let serve: Serve, cleanServe: Serve;

  /** Runs the agent against `s` and waits until all its spans are readable; returns the trace id. */
  async function agent(s: Serve, dbFile: string, mode: AgentMode, loopCount?: number): Promise<string> {
    const r = await runVercelAgent({ endpoint: s.url, mode, loopCount });
    assert.deepEqual(r.exportErrors, []);
    const id = r.traceIds[0];
    await eventually(() => assert.equal(showJson(dbFile, id).steps.length, r.exported.length), 2000);
    return id;
  }

  const report = async (id: string): Promise<TraceReport> => {
    let json = '';
    const r: EvalReport = await runEval(['--db', db, '--trace', id, '--json'], (s) => (json += s));
    assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(r)));
    assert.equal(r.traces.length, 1);
    return r.traces[0];
  };

  let ok: string, toolError: string, loop: string;
  before(async () => {
    ensureBuilt();
    tmp = tmpDir('tracefork-eval-');
    db = path.join(tmp.dir, 'traces.db');
    cleanDb = path.join(tmp.dir, 'clean.db');
    [serve, cleanServe] = await Promise.all([startServe(db), startServe(cleanDb)]);
    ok = await agent(serve, db, 'ok');
    toolError = await agent(serve, db, 'tool-error');
    loop = await agent(serve, db, 'loop', 5);
    await agent(cleanServe, cleanDb, 'ok');
    await agent(cleanServe, cleanDb, 'ok');
  });
  after(async () => {
    await Promise.all([serve?.stop(), cleanServe?.stop()]);
    tmp?.cleanup();
  });

  it('the clean run has no failing score', async () => {
    const t = await report(ok);
    assert.deepEqual(failures(t), []);
    assert.ok(t.scorecard.passed >= 10, JSON.stringify(t.scorecard));
    assert.equal(t.name, 'ai.generateText');
  });

  it('a failing tool is flagged on the tool step, and only there', async () => {
    const t = await report(toolError);
    assert.deepEqual(failures(t), ['ai.toolCall:tool-failure']);
    const tool = t.steps.find((s) => s.name === 'ai.toolCall');
    assert.match(tool?.scores.find((s) => s.name === 'tool-failure')?.explanation ?? '', /getWeather: status error: .*weather service unavailable for Paris/);
    assert.deepEqual(t.scorecard.byEvaluator['tool-failure'], { passed: 0, failed: 1 });
  });

  it('a loop is flagged from the fourth identical call on', async () => {
    const t = await report(loop);
    assert.deepEqual(failures(t), ['ai.toolCall:loop', 'ai.toolCall:loop']);
    const loops = t.steps.filter((s) => s.name === 'ai.toolCall').map((s) => s.scores.find((x) => x.name === 'loop'));
    assert.deepEqual(
      loops.map((s) => [s?.value, s?.passed]),
      [
        [1, true],
        [2, true],
        [3, true],
        [4, false],
        [5, false],
      ],
    );
    assert.match(loops[3]?.explanation ?? '', /getWeather\(\{"city":"Paris"\}\) called 4 times/);
  });

  it('exit code: 1 over the database with failures, 0 over the clean one', async () => {
    const bad = await evalExit(['--db', db]);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /tool-failure/);
    assert.match(bad.out, /3 traces: \d+ passed, 3 failed/);
    const clean = await evalExit(['--db', cleanDb]);
    assert.deepEqual([clean.code, /2 traces: \d+ passed, 0 failed/.test(clean.out)], [0, true]);
  });

  it("--evaluators runs the folder's custom evaluators; a throwing one is reported, not fatal", async () => {
    const dir = path.join(tmp.dir, 'evaluators');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'answer-mentions-city.mjs'),
      `export default { name: 'mentions-city', version: '1.2', appliesTo: (s) => s.kind === 'llm' && s.output?.messages?.[0]?.content, evaluate: (s) => ({ passed: /Paris/.test(s.output.messages[0].content), explanation: 'looks for Paris' }) };`,
    );
    fs.writeFileSync(path.join(dir, 'broken.js'), `module.exports = { name: 'broken', evaluate() { throw new Error('oops'); } };`);
    const r = await runEval(['--db', cleanDb, '--evaluators', dir, '--json'], () => undefined);
    const scores = r.traces[0].steps.flatMap((s) => s.scores).filter((s) => s.source === 'custom');
    assert.ok(scores.some((s) => s.name === 'mentions-city' && s.passed === true && s.evaluatorVersion === '1.2'));
    assert.ok(scores.some((s) => s.name === 'broken' && s.passed === null && /oops/.test(s.explanation ?? '')));
    assert.equal((await evalExit(['--db', cleanDb, '--evaluators', dir])).code, 0);
    await assert.rejects(
      runEval(['--db', cleanDb, '--evaluators', path.join(dir, 'none')], () => undefined),
      CliError,
    );
  });

  it('--judge-url asks an OpenAI-compatible judge (a local mock) about each model step', async () => {
    const requests: Array<{ model: string; auth: string | undefined }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        requests.push({ model: JSON.parse(body).model, auth: req.headers.authorization });
        const verdict = { score: 0.2, passed: false, label: 'off-topic', explanation: 'does not answer the question' };
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: JSON.stringify(verdict) } }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    process.env.TRACEFORK_JUDGE_API_KEY = 'test-key';
    try {
      const r = await runEval(
        ['--db', cleanDb, '--json', '--judge-url', url, '--judge-model', 'judge-1', '--judge-criteria', 'answers the weather question'],
        () => undefined,
      );
      const judged = r.traces.flatMap((t) => t.steps.flatMap((s) => s.scores.filter((x) => x.name === 'llm-judge').map((x) => [s.name, x.passed, x.label])));
      assert.ok(
        judged.length > 0 && judged.every(([name, passed, label]) => String(name).includes('doGenerate') && passed === false && label === 'off-topic'),
        JSON.stringify(judged),
      );
      assert.equal(requests.length, judged.length);
      assert.deepEqual(requests[0], { model: 'judge-1', auth: 'Bearer test-key' });
      await assert.rejects(
        runEval(['--db', cleanDb, '--judge-model', 'x'], () => undefined),
        /need --judge-url/,
      );
    } finally {
      delete process.env.TRACEFORK_JUDGE_API_KEY;
      server.close();
    }
  });

  it('OTLP/JSON files instead of a database; usage and missing-database errors', async () => {
    const files = await evalExit([path.join(FIXTURES, 'vercel-ai-sdk.otlp.json'), path.join(FIXTURES, 'openai-traceloop.otlp.json'), '--json']);
    const r = JSON.parse(files.out) as EvalReport;
    assert.deepEqual([files.code, r.traces.length, r.traces.every((t) => t.scorecard.failed === 0)], [0, 3, true]);
    await assert.rejects(
      runEval(['--db', db, 'x.otlp.json'], () => undefined),
      UsageError,
    );
    await assert.rejects(
      runEval(['--bogus'], () => undefined),
      UsageError,
    );
    await assert.rejects(
      runEval(['--db', path.join(tmp.dir, 'none.db')], () => undefined),
      CliError,
    );
    await assert.rejects(
      runEval(['--db', db, '--trace', 'f'.repeat(32)], () => undefined),
      /no trace f{32}/,
    );
  });
});
