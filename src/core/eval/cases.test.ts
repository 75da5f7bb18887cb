import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRegressionCases, regressionCase, writeRegressionCase } from './cases';
import { runEvaluators } from './engine';
import { llm, mkStep, toolStep } from '../../../test/support/evalTesting';

describe('eval: regression cases', () => {
  const tool = toolStep('getWeather', { city: 'Paris' }, { tempC: 21 }, { toolCallId: 'c1', durationMs: 1 });
  const answer = llm("I'm sorry, but I can't help with that.", 'Weather in Paris?', {
    startTime: new Date(Date.parse(tool.startTime) + 5).toISOString(),
    input: {
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'tool', content: '{"tempC":21}', toolCallId: 'c1' },
        { role: 'tool', content: 'other', toolCallId: 'c9', name: 'news' },
      ],
    },
  });
  const run = [mkStep({ kind: 'chain' }), tool, answer];

  it('keeps input, tool results seen before, the rejected output and the failed evaluators', () => {
    const scores = runEvaluators(run).scores.get(answer.spanId) ?? [];
    const c = regressionCase(answer, run, scores, new Date('2025-02-03T04:05:06Z'));
    assert.equal(c.format, 'tracefork.case/2');
    assert.equal(c.createdAt, '2025-02-03T04:05:06.000Z');
    assert.deepEqual([c.traceId, c.spanId, c.step.name], [answer.traceId, answer.spanId, 'chat']);
    assert.equal(c.input.length, 3);
    assert.deepEqual(
      c.toolResults.map((t) => [t.toolName, t.toolCallId, t.result]),
      [
        ['getWeather', 'c1', '{"tempC":21}'],
        ['news', 'c9', 'other'],
      ],
    );
    assert.deepEqual(c.rejectedOutput, answer.output);
    assert.deepEqual(
      c.failedEvaluators.map((f) => [f.name, f.evaluatorVersion, f.source]),
      [['refusal', '1', 'builtin']],
    );
  });

  it('appends JSONL under the cases folder', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tf-cases-')), '.tracefork', 'cases');
    const scores = runEvaluators(run).scores.get(answer.spanId) ?? [];
    const file = writeRegressionCase(answer, run, scores, dir);
    writeRegressionCase(tool, run, [], dir);
    assert.equal(file, path.join(dir, 'cases.jsonl'));
    const cases = readRegressionCases(file);
    assert.deepEqual(
      cases.map((c) => c.spanId),
      [answer.spanId, tool.spanId],
    );
    assert.deepEqual(cases[1].input, [{ role: 'input', content: '{"city":"Paris"}' }]);
    fs.rmSync(path.dirname(path.dirname(dir)), { recursive: true, force: true });
  });
});
