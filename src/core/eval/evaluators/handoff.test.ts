import * as assert from 'node:assert/strict';
import type { Step } from '../../model/step';
import { ctxOf, mkStep } from '../../../../test/support/evalTesting';
import { handoff } from './handoff';

const PARAMS = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };

function call(args: unknown, attributes: Record<string, unknown>, name = 'getWeather'): Step {
  return mkStep({ attributes, output: { messages: [{ role: 'assistant', content: null, toolCalls: [{ id: 'c1', name, arguments: args }] }] } });
}

const verdict = (s: Step) => {
  assert.equal(handoff.appliesTo(s, ctxOf([s])), true);
  return handoff.evaluate(s, ctxOf([s]))[0];
};

describe('eval: handoff (tool arguments against the declared schema)', () => {
  const conventions: Record<string, Record<string, unknown>> = {
    'gen_ai.tool.definitions': { 'gen_ai.tool.definitions': JSON.stringify([{ type: 'function', function: { name: 'getWeather', parameters: PARAMS } }]) },
    'semconv flat definition': { 'gen_ai.tool.definitions': [JSON.stringify({ type: 'function', name: 'getWeather', parameters: PARAMS })] },
    'llm.tools.N.tool.json_schema': {
      'llm.tools.0.tool.json_schema': JSON.stringify({ type: 'function', function: { name: 'getWeather', parameters: PARAMS } }),
    },
    'ai.prompt.tools': { 'ai.prompt.tools': [JSON.stringify({ type: 'function', name: 'getWeather', inputSchema: PARAMS })] },
  };
  for (const [label, attrs] of Object.entries(conventions)) {
    it(`${label}: valid arguments pass, invalid ones fail`, () => {
      assert.equal(verdict(call({ city: 'Paris' }, attrs)).passed, true);
      const bad = verdict(call({ town: 'Paris' }, attrs));
      assert.equal(bad.passed, false);
      assert.match(bad.explanation ?? '', /missing required "city".*unexpected property "town"/);
    });
  }

  it('fails on an undeclared tool and on arguments that are not JSON', () => {
    const attrs = conventions['ai.prompt.tools'];
    assert.match(verdict(call({}, attrs, 'getNews')).explanation ?? '', /getNews: not one of the declared tools \(getWeather\)/);
    assert.match(verdict(call('{city: Paris', attrs)).explanation ?? '', /arguments are not JSON/);
  });

  it('does not apply without tool calls or without declared tools', () => {
    const noDefs = call({ town: 'x' }, {});
    const noCalls = mkStep({ attributes: conventions['ai.prompt.tools'], output: { messages: [{ role: 'assistant', content: 'hi' }] } });
    assert.equal(handoff.appliesTo(noDefs, ctxOf([noDefs])), false);
    assert.equal(handoff.appliesTo(noCalls, ctxOf([noCalls])), false);
  });
});
