/**
 * The Python framework captures (test/fixtures/python-*.otlp.json, recorded by sdk-python's
 * test_frameworks.py: the Tracefork Python SDK inside each framework's own tracing, exported with
 * `tracefork export`) read as the step model the views and evaluators use, and imported by the
 * built CLI: the conventions hold on Python captures too.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tracesFromOtlpJson } from '../../src/core/eval/otlpFile';
import { buildSteps } from '../../src/core/model/steps';
import type { Step } from '../../src/core/model/step';
import { tmpDir } from '../support/tmp';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures');
const QUESTION = 'What is the weather in Paris?';
const ANSWER = 'The weather is: sunny in Paris, 21C';

/** The one run of a capture, as steps. */
function steps(file: string): Step[] {
  const traces = tracesFromOtlpJson(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
  assert.equal(traces.length, 1, `${file} holds one run`);
  return buildSteps(traces[0]);
}

/** What every capture shares: two llm steps around one get_weather tool, recorded by the SDK in the agent's file. */
function assertAgentLoop(run: Step[], agentFile: string, tokens: Array<[number, number]>): void {
  const llm = run.filter((s) => s.kind === 'llm');
  const tool = run.filter((s) => s.kind === 'tool');
  assert.deepEqual(
    llm.map((s) => [s.model, s.provider, s.inputTokens, s.outputTokens]),
    tokens.map(([i, o]) => ['gpt-4o-mini', 'openai', i, o]),
  );
  assert.deepEqual(
    llm.map((s) => s.attributes['tracefork.step.key']),
    ['/llm:gpt-4o-mini#0', '/llm:gpt-4o-mini#1'],
  );
  const [ask, answer] = llm;
  assert.deepEqual(
    ask.input?.messages?.map((m) => m.content),
    ['You answer weather questions.', QUESTION],
  );
  const call = ask.output?.messages?.[0]?.toolCalls?.[0];
  assert.deepEqual([call?.name, call?.arguments], ['get_weather', { city: 'Paris' }]);
  assert.equal(answer.output?.messages?.[0]?.content, ANSWER);
  const result = answer.input?.messages?.find((m) => m.toolCallId === call?.id);
  assert.equal(result?.content, 'sunny in Paris, 21C', 'the second call sees the tool result, for the call it answers');

  assert.equal(tool.length, 1);
  assert.deepEqual(
    [tool[0].toolName, tool[0].input?.value, tool[0].output?.value, tool[0].attributes['tracefork.step.key']],
    ['get_weather', { city: 'Paris' }, 'sunny in Paris, 21C', '/tool:get_weather#0'],
  );
  assert.equal(tool[0].code?.function, 'get_weather', 'the tool step points at the tool, not at the line that ran the agent');
  for (const s of run)
    assert.ok(s.code?.file.endsWith(`sdk-python/tests/agents/${agentFile}`), `${s.kind} ${s.name} links to the agent's file, not ${s.code?.file}`);
  assert.ok(run.every((s) => s.status !== 'error'));
}

describe('Python framework captures', () => {
  it('the OpenAI Agents SDK with OpenInference: agent, turn and generation spans, the SDK recording on them', () => {
    const run = steps('python-openai-agents.otlp.json');
    assert.deepEqual(
      run.map((s) => [s.depth, s.kind, s.name]),
      [
        [0, 'agent', 'Agent workflow'],
        [1, 'chain', 'Agent workflow'],
        [2, 'agent', 'weather-agent'],
        [3, 'chain', 'turn'],
        [4, 'llm', 'generation'],
        [4, 'tool', 'get_weather'],
        [3, 'chain', 'turn'],
        [4, 'llm', 'generation'],
      ],
    );
    assert.ok(run.every((s) => s.convention === 'openinference'));
    assert.equal(run[2].agentName, 'weather-agent');
    assert.deepEqual(
      run.filter((s) => s.kind === 'llm').map((s) => s.finishReason),
      ['tool_calls', 'stop'],
    );
    assertAgentLoop(run, 'openai_agents.py', [
      [120, 12],
      [130, 12],
    ]);
  });

  it('Pydantic AI with its own OTel GenAI instrumentation: invoke_agent, chat and execute_tool spans', () => {
    const run = steps('python-pydantic-ai.otlp.json');
    assert.deepEqual(
      run.map((s) => [s.depth, s.kind, s.name]),
      [
        [0, 'agent', 'invoke_agent agent'],
        [1, 'llm', 'chat gpt-4o-mini'],
        [1, 'tool', 'execute_tool get_weather'],
        [1, 'llm', 'chat gpt-4o-mini'],
      ],
    );
    assert.ok(run.every((s) => s.convention === 'gen_ai'));
    assert.deepEqual(
      run.map((s) => s.agentName),
      ['agent', 'agent', 'agent', 'agent'],
    );
    const [, ask, tool] = run;
    assert.equal(tool.toolCallId, ask.output?.messages?.[0]?.toolCalls?.[0]?.id, 'the tool step names the call it answers');
    assertAgentLoop(run, 'pydantic_ai_agent.py', [
      [140, 12],
      [150, 12],
    ]);
  });

  it('imports both captures through the built CLI, one run each', function () {
    this.timeout(60_000);
    const cli = path.join(ROOT, 'dist/cli.js');
    if (!fs.existsSync(cli)) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
    const t = tmpDir();
    try {
      const db = path.join(t.dir, 'traces.db');
      const files = ['python-openai-agents.otlp.json', 'python-pydantic-ai.otlp.json'].map((f) => path.join(FIXTURES, f));
      const imported = spawnSync(process.execPath, [cli, 'import', ...files, '--db', db], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(imported.status, 0, imported.stderr);
      const listed = spawnSync(process.execPath, [cli, 'list', '--db', db, '--json'], { encoding: 'utf8', timeout: 60_000 });
      const runs = JSON.parse(listed.stdout) as Array<{ name: string; spanCount: number; model: string; errorCount: number }>;
      assert.deepEqual(runs.map((r) => [r.name, r.spanCount, r.model, r.errorCount]).sort(), [
        ['Agent workflow', 8, 'gpt-4o-mini', 0],
        ['invoke_agent agent', 4, 'gpt-4o-mini', 0],
      ]);
    } finally {
      t.cleanup();
    }
  });
});
