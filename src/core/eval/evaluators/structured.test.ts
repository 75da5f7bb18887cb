import * as assert from 'node:assert/strict';
import type { Step } from '../../model/step';
import { ctxOf, llm, mkStep } from '../../../../test/support/evalTesting';
import { structuredOutput } from './structured';

const judge = (s: Step) => (structuredOutput.appliesTo(s, ctxOf([s])) ? structuredOutput.evaluate(s, ctxOf([s]))[0] : null);

describe('eval: invalid structured output', () => {
  const requests: Record<string, Record<string, unknown>> = {
    'gen_ai.output.type': { 'gen_ai.output.type': 'json' },
    'openai response_format': { 'gen_ai.openai.request.response_format': 'json_object' },
    'OpenInference invocation parameters': { 'llm.invocation_parameters': JSON.stringify({ response_format: { type: 'json_schema' } }) },
    'Vercel generateObject': { 'ai.operationId': 'ai.generateObject.doGenerate' },
  };
  for (const [label, attributes] of Object.entries(requests)) {
    it(`${label}: parseable JSON passes, other text fails`, () => {
      assert.equal(judge(llm('{"city":"Paris"}', 'q', { attributes }))?.passed, true);
      const bad = judge(llm('{"city": "Paris"', 'q', { attributes }));
      assert.equal(bad?.passed, false);
      assert.match(bad?.explanation ?? '', /JSON expected .* does not parse/);
    });
  }

  it('names a markdown fence', () => {
    const s = judge(llm('```json\n{"a":1}\n```', 'q', { attributes: { 'gen_ai.output.type': 'json' } }));
    assert.match(s?.explanation ?? '', /markdown code fence/);
  });

  it('declared application/json output must parse, on any step kind', () => {
    const ok = mkStep({ kind: 'chain', attributes: { 'output.mime_type': 'application/json', 'output.value': '{"a":1}' } });
    const bad = mkStep({ kind: 'chain', attributes: { 'output.mime_type': 'application/json', 'output.value': 'not json' } });
    assert.deepEqual([judge(ok)?.passed, judge(bad)?.passed], [true, false]);
  });

  it('does not apply when JSON was not requested', () => {
    assert.equal(judge(llm('plain text')), null);
    assert.equal(judge(llm('plain', 'q', { attributes: { 'gen_ai.openai.request.response_format': 'text' } })), null);
  });
});
