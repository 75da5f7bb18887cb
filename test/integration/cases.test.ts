// Regression cases run again as tests (`tracefork test`), the way a team uses it: a real agent (the
// AI SDK with its mock model, recorded with the Tracefork SDK) has a bug — its weather tool throws
// for Paris; the failing step is saved as a case; the agent's code is fixed and `tracefork test`
// passes the case (exit 0); the bug comes back and the case fails with the evaluator's explanation
// (exit 1). A case whose run was not recorded with an SDK is skipped with why; a version-1 case
// still runs; a broken cases file is a clear error.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, ROOT, ensureBuilt, listJson, showJson, startServe, eventually, type Serve, runAsync } from '../support/cli';
import { writeRegressionCase } from '../../src/core/eval/cases';
import { caseRecording } from '../../src/core/eval/caseRun';
import { evaluateTrace } from '../../src/core/eval/trace';
import { TraceStore } from '../../src/core/store/store';

const BUG = "if (city === 'Paris') throw new Error(`weather service unavailable for ${city}`);";
const agentSource = (buggy: boolean) => `// A weather agent on the AI SDK's mock model, recorded with the Tracefork SDK.
import { generateText, stepCountIs, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { register, traceforkMiddleware, traceforkTools } from ${JSON.stringify(path.join(ROOT, 'sdk/src/index'))};

const usage = { inputTokens: { total: 30, noCache: 30, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 9, text: 9, reasoning: 0 } };
function reply(prompt: any): any {
  const results = prompt.filter((m: any) => m.role === 'tool').flatMap((m: any) => m.content).filter((p: any) => p.type === 'tool-result').map((p: any) => p.output);
  if (!results.length) return { content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'getWeather', input: '{"city":"Paris"}' }], finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage, warnings: [] };
  const r = results[0];
  const text = r.type === 'error-text' || r.type === 'error-json' ? 'Sorry, I could not get the weather.' : 'Forecast: ' + JSON.stringify(r.value);
  return { content: [{ type: 'text', text }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] };
}

async function lookUpWeather(city: string) {
  ${buggy ? BUG : '// fixed: the service answers for every city'}
  return { city, temperatureC: 21 };
}

const tracefork = register({ serviceName: 'case-agent' });
const model = wrapLanguageModel({ model: new MockLanguageModelV3({ provider: 'mock-provider', modelId: 'mock-model', doGenerate: async ({ prompt }) => reply(prompt) }), middleware: traceforkMiddleware() });
const tools = traceforkTools({ getWeather: tool({ description: 'Weather for a city', inputSchema: z.object({ city: z.string() }), execute: ({ city }) => lookUpWeather(city) }) });
const result = await generateText({ model, prompt: 'What is the weather in Paris?', tools, stopWhen: stepCountIs(3), experimental_telemetry: { isEnabled: true, functionId: 'case-agent' } });
await tracefork.shutdown();
console.log(result.text);
`;

describe('tracefork test: regression cases run again against the current code', function () {
  this.timeout(180_000);
  let serve: Serve;
  let dir: string;
  let db: string;
  let agent: string;
  let casesDir: string;
  let original: string;
  const test = (extra: string[] = []) =>
    runAsync([
      process.execPath,
      CLI,
      'test',
      '--cases',
      casesDir,
      '--db',
      db,
      '--port',
      new URL(serve.url).port,
      '--json',
      ...extra,
      '--',
      process.execPath,
      '--import',
      'tsx',
      agent,
    ]);

  before(async () => {
    ensureBuilt();
    // Inside the repository, so the agent resolves the repository's node_modules (ai, zod, tsx).
    fs.mkdirSync(path.join(ROOT, '.cache'), { recursive: true });
    dir = fs.mkdtempSync(path.join(ROOT, '.cache', 'case-test-'));
    db = path.join(dir, 'traces.db');
    agent = path.join(dir, 'agent.mts');
    casesDir = path.join(dir, 'cases');
    serve = await startServe(db);
    fs.writeFileSync(agent, agentSource(true));
    const r = await runAsync([process.execPath, '--import', 'tsx', agent], { OTEL_EXPORTER_OTLP_ENDPOINT: serve.url });
    assert.equal(r.status, 0, r.stderr);
    original = await eventually(() => {
      const t = listJson(db).find((x) => x.name.includes('case-agent') || x.name.includes('generateText'));
      assert.ok(t && t.errorCount > 0);
      return t.traceId;
    }, 10_000);
    // Save the failing tool step as a case, as "Save Failing Steps as Regression Cases…" does.
    const store = await TraceStore.open(db, { readOnly: true });
    const trace = store.get(original)!;
    const { steps, scores } = evaluateTrace(trace);
    const tool = steps.find((s) => s.kind === 'tool')!;
    assert.ok(scores.get(tool.spanId)!.some((s) => s.passed === false && s.name === 'tool-failure'));
    writeRegressionCase(tool, steps, scores.get(tool.spanId)!, casesDir, new Date(), caseRecording(trace, tool.spanId));
    store.close();
  });
  after(async () => {
    await serve?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('saves the case in format 2 with its step key', () => {
    const c = JSON.parse(fs.readFileSync(path.join(casesDir, 'cases.jsonl'), 'utf8').trim()) as Record<string, any>;
    assert.equal(c.format, 'tracefork.case/2');
    assert.equal(c.key, '/tool:getWeather#0');
    assert.deepEqual(c.expect, { passes: ['tool-failure'], noNewFailures: true });
  });

  it("still failing while the bug is there: exit 1, with the evaluator's explanation", async () => {
    const r = await test();
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { cases: Array<Record<string, any>>; counts: Record<string, number> };
    assert.equal(out.cases[0]!.outcome, 'failing');
    assert.match(out.cases[0]!.reason, /tool-failure: getWeather: status error: weather service unavailable for Paris/);
    assert.ok(out.cases[0]!.traceId && out.cases[0]!.traceId !== original, 'a new run was made');
  });

  it('fixed in the code: the case passes (exit 0), the model call before it served from the recording', async () => {
    fs.writeFileSync(agent, agentSource(false));
    const r = await test();
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const out = JSON.parse(r.stdout) as { cases: Array<Record<string, any>>; counts: Record<string, number> };
    assert.equal(out.cases[0]!.outcome, 'fixed');
    assert.deepEqual(out.counts.fixed, 1);
    const steps = showJson(db, out.cases[0]!.traceId).steps;
    const sources = steps.filter((s) => s.kind === 'llm' || s.kind === 'tool').map((s) => `${s.kind}:${s.attributes['tracefork.replay.source']}`);
    assert.deepEqual(sources.slice(0, 2), ['llm:recording', 'tool:fork'], 'the first model call came from the recording, the tool ran the new code');
    assert.match(JSON.stringify(out.cases[0]!.output), /temperatureC/);
  });

  it('the bug comes back: the case fails again, and the plain output says so', async () => {
    fs.writeFileSync(agent, agentSource(true));
    const r = await runAsync([
      process.execPath,
      CLI,
      'test',
      '--cases',
      casesDir,
      '--db',
      db,
      '--port',
      new URL(serve.url).port,
      '--',
      process.execPath,
      '--import',
      'tsx',
      agent,
    ]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^FAIL {2}ai.toolCall {2}\[failing\] tool-failure: getWeather: status error: weather service unavailable for Paris/m);
    assert.match(r.stdout, /1 case\(s\): 1 failing/);
  });

  it('a version-1 case still runs; a case whose run was not recorded with an SDK is skipped with why', async () => {
    fs.writeFileSync(agent, agentSource(false));
    const file = path.join(casesDir, 'cases.jsonl');
    const saved = fs.readFileSync(file, 'utf8');
    const v2 = JSON.parse(saved.trim()) as Record<string, unknown>;
    const { key: _k, agent: _a, expect: _e, ...v1 } = v2;
    fs.writeFileSync(file, `${JSON.stringify({ ...v1, format: 'tracefork.case/1' })}\n${JSON.stringify({ ...v2, traceId: 'f'.repeat(32) })}\n`);
    const r = await test();
    fs.writeFileSync(file, saved);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { cases: Array<Record<string, any>> };
    assert.deepEqual(
      out.cases.map((c) => c.outcome),
      ['fixed', 'skipped'],
    );
    assert.match(out.cases[1]!.reason, /its run f{32} is not in the store/);
  });

  it("without -- COMMAND, each case's agent starts as the case recorded it (in its folder); a case that says nothing is an error saying what to pass", async () => {
    fs.writeFileSync(agent, agentSource(false));
    const file = path.join(casesDir, 'cases.jsonl');
    const saved = fs.readFileSync(file, 'utf8');
    const c = JSON.parse(saved.trim()) as Record<string, unknown>;
    // As `tracefork run` records it: the command relative to its folder.
    const started = { ...c, agent: { command: [process.execPath, '--import', 'tsx', path.basename(agent)], cwd: dir } };
    fs.writeFileSync(file, `${JSON.stringify(started)}\n${JSON.stringify({ ...c, agent: null })}\n`);
    const r = await runAsync([process.execPath, CLI, 'test', '--cases', casesDir, '--db', db, '--port', new URL(serve.url).port, '--json'], {}, ROOT);
    fs.writeFileSync(file, saved);
    const out = JSON.parse(r.stdout) as { cases: Array<Record<string, any>> };
    assert.deepEqual(
      out.cases.map((x) => x.outcome),
      ['fixed', 'error'],
      r.stderr,
    );
    assert.match(out.cases[1]!.reason, /does not say how its agent is started .*pass the command after --/);
    assert.equal(r.status, 1, 'the case that could not run fails the gate');
  });

  it('a run with no recorded calls is skipped, saying how to record it; a broken cases file is a clear error', async () => {
    const file = path.join(casesDir, 'cases.jsonl');
    const saved = fs.readFileSync(file, 'utf8');
    // A run traced by an instrumentation only (OpenLLMetry), received like any other.
    const otlp = fs.readFileSync(path.join(ROOT, 'test/fixtures/openai-traceloop.otlp.json'), 'utf8');
    const unrecorded = (JSON.parse(otlp) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: string }> }> }> }).resourceSpans[0]!
      .scopeSpans[0]!.spans[0]!.traceId;
    assert.equal((await fetch(`${serve.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlp })).status, 200);
    fs.writeFileSync(file, `${JSON.stringify({ ...JSON.parse(saved.trim()), traceId: unrecorded })}\n`);
    const r = await test();
    const out = JSON.parse(r.stdout) as { cases: Array<Record<string, any>> };
    assert.equal(out.cases[0]!.outcome, 'skipped');
    assert.match(out.cases[0]!.reason, /not recorded with the Tracefork SDK/);
    assert.equal(r.status, 0, 'a skipped case is reported, not failed');
    fs.writeFileSync(file, 'not json\n');
    const bad = await test();
    fs.writeFileSync(file, saved);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /cases\.jsonl is not a cases file: line 1: not JSON/);
    const none = await runAsync([process.execPath, CLI, 'test', '--cases', path.join(dir, 'nowhere'), '--db', db, '--', 'true']);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no regression cases at .*nowhere\/cases\.jsonl/);
  });
});
