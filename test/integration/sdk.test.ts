// The Tracefork SDK: one register() call exports a real agent's steps to Tracefork, and every
// step — including the model calls the Vercel AI SDK makes inside node_modules — carries the
// line of the agent's own code that caused it.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listJson, showJson, startServe, type Serve } from '../support/cli';
import { tmpDir } from '../support/tmp';

const AGENT = path.resolve(__dirname, '../clients/sdkAgent.ts');

describe('Tracefork SDK', function () {
  this.timeout(60_000);
  const t = tmpDir();
  const db = path.join(t.dir, 'traces.db');
  let serve: Serve;
  before(async () => (serve = await startServe(db)));
  after(async () => {
    await serve.stop();
    t.cleanup();
  });

  it("register() exports every step with the call site in the agent's code", async () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', AGENT], { encoding: 'utf8', env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: serve.url } });
    assert.equal(r.status, 0, r.stderr);
    let traces = listJson(db);
    for (let i = 0; i < 20 && !traces.length; i++) {
      await new Promise((res) => setTimeout(res, 100));
      traces = listJson(db);
    }
    assert.equal(traces.length, 1);
    const { steps } = showJson(db, traces[0].traceId);
    assert.deepEqual(
      steps.map((s) => s.kind),
      ['chain', 'llm', 'tool', 'llm'],
    );
    const callLine =
      fs
        .readFileSync(AGENT, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes("// the agent's call")) + 1;
    for (const s of steps) {
      assert.equal(s.code?.file, AGENT, `${s.name} points into the agent`);
      assert.ok(s.code?.line, `${s.name} has a line`);
    }
    for (const s of steps.filter((x) => x.kind !== 'tool')) assert.equal(s.code?.line, callLine, `${s.name} points at the generateText call`);
    assert.equal(steps[0].attributes['code.function.name'], 'main');
  });

  /** Runs an agent with `node ...args agent`; asserts its one run arrived as chain → llm with its call site in the agent. */
  async function runAutoAgent(args: string[], agent: string): Promise<void> {
    const before = listJson(db).length;
    const r = spawnSync(process.execPath, [...args, agent], { encoding: 'utf8', env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: serve.url } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'hi');
    let traces = listJson(db);
    for (let i = 0; i < 20 && traces.length === before; i++) {
      await new Promise((res) => setTimeout(res, 100));
      traces = listJson(db);
    }
    assert.equal(traces.length, before + 1, 'the run arrived');
    const { steps } = showJson(db, traces[0]!.traceId);
    assert.deepEqual(
      steps.map((s) => s.kind),
      ['chain', 'llm'],
    );
    assert.equal(steps[1]!.code?.file, agent, 'the call site is in the agent, not in the SDK');
  }

  it('node --import …/sdk/src/auto.ts exports an agent that has no set-up code of its own', async () => {
    await runAutoAgent(['--import', 'tsx', '--import', path.resolve(__dirname, '../../sdk/src/auto.ts')], path.resolve(__dirname, '../clients/autoAgent.ts'));
  });

  it('the built SDK (sdk/dist) serves a plain JavaScript agent: node --import …/sdk/dist/auto.js, no loader', async () => {
    const auto = path.resolve(__dirname, '../../sdk/dist/auto.js');
    if (!fs.existsSync(auto)) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: path.resolve(__dirname, '../..'), stdio: 'inherit' });
    await runAutoAgent(['--import', auto], path.resolve(__dirname, '../clients/plainAgent.mjs'));
  });
});
