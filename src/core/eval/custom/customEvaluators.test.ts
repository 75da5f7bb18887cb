import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { llm, toolStep } from '../../../../test/support/evalTesting';
import { CustomEvaluators, UNTRUSTED_NOTICE } from './customEvaluators';

const MODULES: Record<string, string> = {
  'a-cjs.js': `module.exports = { name: 'is-tool', version: '2', evaluate: (step) => ({ value: step.kind === 'tool' ? 1 : 0, label: step.kind, passed: step.kind !== 'tool', explanation: 'kind ' + step.kind }) };`,
  'b-esm.mjs': `export default { name: 'steps-in-run', appliesTo: (step) => step.kind === 'llm', async evaluate(step, run) { return [{ name: 'run-size', value: run.steps.length, passed: true }]; } };`,
  'c-throws.js': `module.exports = { name: 'thrower', evaluate() { throw new TypeError('nope'); } };`,
  'd-shape.js': `module.exports = { name: 'shape', evaluate: () => ({ passed: 'yes' }) };`,
  'e-syntax.js': `module.exports = { name: 'broken', evaluate( };`,
  'f-none.js': `module.exports = { name: 'none' };`,
  'readme.txt': 'not a module',
};

describe('eval: custom evaluators in a worker', function () {
  this.timeout(20_000);
  let dir: string;
  let custom: CustomEvaluators | undefined;
  const write = (files: Record<string, string>) => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-custom-'));
    for (const [f, src] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), src);
  };
  afterEach(async () => {
    await custom?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads CommonJS and ESM modules, reports the broken ones, scores every step', async () => {
    write(MODULES);
    custom = new CustomEvaluators({ trusted: true });
    const loaded = await custom.load(dir);
    assert.deepEqual(
      loaded.evaluators.map((e) => [e.name, e.version]),
      [
        ['is-tool', '2'],
        ['steps-in-run', '0'],
        ['thrower', '0'],
        ['shape', '0'],
      ],
    );
    assert.equal(loaded.notices.length, 2);
    assert.match(loaded.notices.join('\n'), /could not load e-syntax\.js: .*SyntaxError/);
    assert.match(loaded.notices.join('\n'), /could not load f-none\.js: Error: exports no evaluate/);
    const run = [llm('hi'), toolStep('t', {}, {})];
    const { scores } = await custom.run(run);
    const llmScores = scores.get(run[0].spanId) ?? [];
    assert.deepEqual(
      llmScores.map((s) => [s.name, s.value, s.passed, s.source]),
      [
        ['is-tool', 0, true, 'custom'],
        ['run-size', 2, true, 'custom'],
        ['thrower', null, null, 'custom'],
        ['shape', null, null, 'custom'],
      ],
    );
    assert.equal(llmScores[0].evaluatorVersion, '2');
    assert.match(llmScores[2].explanation ?? '', /evaluator threw: TypeError: nope/);
    assert.match(llmScores[3].explanation ?? '', /invalid passed/);
    assert.deepEqual(
      (scores.get(run[1].spanId) ?? []).map((s) => [s.name, s.passed]),
      [
        ['is-tool', false],
        ['thrower', null],
        ['shape', null],
      ],
    );
  });

  it('an infinite loop times out, is reported on its step and skipped; the others still run', async () => {
    write({
      'a-loop.js': `module.exports = { name: 'looper', evaluate(step) { if (step.name === 'second') for (;;) {} return { passed: true }; } };`,
      'b-ok.js': `module.exports = { name: 'ok', evaluate: () => ({ passed: true }) };`,
    });
    custom = new CustomEvaluators({ trusted: true, timeoutMs: 300 });
    await custom.load(dir);
    const run = [llm('1', 'q', { name: 'first' }), llm('2', 'q', { name: 'second' }), llm('3', 'q', { name: 'third' })];
    const t0 = Date.now();
    const { scores, notices } = await custom.run(run);
    assert.ok(Date.now() - t0 < 5000);
    const names = run.map((s) => (scores.get(s.spanId) ?? []).map((x) => `${x.name}:${x.passed}`));
    assert.deepEqual(names, [['looper:true', 'ok:true'], ['looper:null', 'ok:true'], ['ok:true']]);
    assert.match(scores.get(run[1].spanId)?.[0].explanation ?? '', /timed out after 300 ms/);
    assert.match(notices.join('\n'), /looper \(a-loop\.js\) timed out after 300 ms; skipped/);
    assert.equal((await custom.run(run)).scores.get(run[0].spanId)?.length, 2, 'the next run gets a fresh worker');
  });

  it('a memory hog and process.exit() only end the worker', async () => {
    write({
      'a-hog.js': `module.exports = { name: 'hog', evaluate() { const a = []; for (;;) a.push(new Array(1e5).fill(Math.random())); } };`,
      'b-exit.js': `module.exports = { name: 'exiter', evaluate() { process.exit(3); } };`,
      'c-ok.js': `module.exports = { name: 'ok', evaluate: () => ({ passed: true }) };`,
    });
    custom = new CustomEvaluators({ trusted: true, maxMemoryMb: 32, timeoutMs: 10_000 });
    await custom.load(dir);
    const run = [llm('1'), llm('2')];
    const { scores } = await custom.run(run);
    const first = scores.get(run[0].spanId) ?? [];
    assert.deepEqual(
      first.map((s) => `${s.name}:${s.passed}`),
      ['hog:null', 'exiter:null', 'ok:true'],
    );
    assert.match(first[0].explanation ?? '', /ran out of memory \(limit 32 MB\)/);
    assert.match(first[1].explanation ?? '', /exited \(code 3\)/);
    assert.deepEqual(
      (scores.get(run[1].spanId) ?? []).map((s) => s.name),
      ['ok'],
    );
  });

  it('an untrusted workspace loads and runs nothing and says so once', async () => {
    write({
      'a.js': `require('fs').writeFileSync(${JSON.stringify(path.join(os.tmpdir(), 'tf-should-not-exist'))}, 'x'); module.exports = { evaluate: () => ({ passed: false }) };`,
    });
    custom = new CustomEvaluators({ trusted: false });
    assert.deepEqual(await custom.load(dir), { evaluators: [], notices: [UNTRUSTED_NOTICE] });
    const r = await custom.run([llm('x')]);
    assert.deepEqual([r.scores.size, r.notices], [0, [UNTRUSTED_NOTICE]]);
    assert.equal(fs.existsSync(path.join(os.tmpdir(), 'tf-should-not-exist')), false);
  });
});
