import * as assert from 'node:assert/strict';
import { ctxOf, llm, toolStep } from '../../../../test/support/evalTesting';
import { stepError, toolFailure } from './toolFailure';

const run = (s: ReturnType<typeof toolStep>) => toolFailure.evaluate(s, ctxOf([s]))[0];

describe('eval: tool failure', () => {
  it('passes a tool that returned a result', () => {
    const s = toolStep('getWeather', { city: 'Paris' }, { tempC: 21 });
    assert.equal(toolFailure.appliesTo(s, ctxOf([s])), true);
    assert.deepEqual([run(s).passed, run(s).name, run(s).evaluatorVersion, run(s).source], [true, 'tool-failure', '1', 'builtin']);
  });

  it('fails on error status, exception event, {error} result and "Error…" text', () => {
    const cases = [
      toolStep('t', {}, null, { status: 'error', error: 'boom' }),
      toolStep('t', {}, null, {
        events: [{ name: 'exception', time: '', attributes: { 'exception.type': 'TypeError', 'exception.message': 'x is undefined' }, source: 'span' }],
      }),
      toolStep('t', {}, { error: { message: 'rate limited' } }),
      toolStep('t', {}, 'Error: city not found'),
    ];
    const why = cases.map((c) => run(c));
    assert.ok(why.every((w) => w.passed === false && w.label === 'tool error'));
    assert.match(why[0].explanation ?? '', /boom/);
    assert.match(why[1].explanation ?? '', /TypeError: x is undefined/);
    assert.match(why[2].explanation ?? '', /rate limited/);
    assert.match(why[3].explanation ?? '', /city not found/);
  });

  it('does not apply to model calls; step-error flags errored ones', () => {
    const ok = llm('hi');
    const bad = llm(null, 'hi', { status: 'error', error: '429 Too Many Requests' });
    assert.equal(toolFailure.appliesTo(ok, ctxOf([ok])), false);
    assert.equal(stepError.evaluate(ok, ctxOf([ok]))[0].passed, true);
    const s = stepError.evaluate(bad, ctxOf([bad]))[0];
    assert.deepEqual([s.passed, s.explanation], [false, '429 Too Many Requests']);
  });
});
