import assert from 'node:assert/strict';
import { logEvent, span, spanEvent, T0 } from '../../../test/support/testSpans';
import type { LogRecord } from '../otlp/types';
import { loadPrices } from './cost';
import { toStep } from './normalize';

describe('toStep', () => {
  it('fills the generic fields of an unknown span and keeps all its attributes', () => {
    const s = toStep({
      span: span({ 'http.method': 'GET', 'http.status_code': 200, retries: 1.5 }, { name: 'GET /', parentSpanId: '' }, 1500),
    });
    assert.equal(s.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(s.spanId, 'b7ad6b7169203331');
    assert.equal(s.parentSpanId, null);
    assert.equal(s.name, 'GET /');
    assert.equal(s.startTime, '2025-01-01T00:00:00.000Z');
    assert.equal(s.durationMs, 1500);
    assert.equal(s.kind, 'other');
    assert.equal(s.convention, 'none');
    assert.equal(s.status, 'unset');
    assert.deepEqual(s.attributes, { 'http.method': 'GET', 'http.status_code': 200, retries: 1.5 });
    assert.deepEqual(s.scores, []);
    assert.equal(s.depth, 0);
    for (const k of ['model', 'input', 'output', 'inputTokens', 'costUsd', 'error', 'code', 'rollupTokens'] as const) {
      assert.equal(s[k], null, k);
    }
  });

  it('keeps the parent id and falls back to the epoch for a missing start time', () => {
    const s = toStep({ span: span({}, { parentSpanId: '00f067aa0ba902b7', startTimeUnixNano: '0', endTimeUnixNano: '0' }) });
    assert.equal(s.parentSpanId, '00f067aa0ba902b7');
    assert.equal(s.startTime, '1970-01-01T00:00:00.000Z');
    assert.equal(s.durationMs, 0);
  });

  it('maps status codes and takes the error from the status message first', () => {
    assert.equal(toStep({ span: span({}, { status: { code: 1 } }) }).status, 'ok');
    const failed = toStep({
      span: span(
        {},
        {
          status: { code: 2, message: 'upstream 503' },
          events: [spanEvent('exception', { 'exception.type': 'Error', 'exception.message': 'x' })],
        },
      ),
    });
    assert.equal(failed.status, 'error');
    assert.equal(failed.error, 'upstream 503');
  });

  it('takes the error from an exception event, then error.type, and only for errored spans', () => {
    const ex = [spanEvent('exception', { 'exception.type': 'TypeError', 'exception.message': 'x is undefined' })];
    assert.equal(toStep({ span: span({}, { status: { code: 2 }, events: ex }) }).error, 'TypeError: x is undefined');
    assert.equal(toStep({ span: span({ 'error.type': '500' }, { status: { code: 2 } }) }).error, '500');
    const unset = toStep({ span: span({}, { events: ex }) });
    assert.equal(unset.status, 'unset');
    assert.equal(unset.error, null);
  });

  it('merges span events and logs, sorted by time, naming logs by eventName, event.name or "log"', () => {
    const bare: LogRecord = { timeUnixNano: '0', observedTimeUnixNano: String(T0 + 2_000_000n), body: { stringValue: 'plain' } };
    const s = toStep({
      span: span({}, { events: [spanEvent('cache.miss', { key: 'k' }, 5)] }),
      logs: [
        logEvent('gen_ai.choice', { index: 0 }, {}, 9),
        { ...logEvent('', 'old style', { 'event.name': 'gen_ai.user.message' }, 1), eventName: undefined },
        bare,
      ],
    });
    assert.deepEqual(
      s.events.map((e) => [e.name, e.source]),
      [
        ['gen_ai.user.message', 'log'],
        ['log', 'log'],
        ['cache.miss', 'span'],
        ['gen_ai.choice', 'log'],
      ],
    );
    assert.equal(s.events[1]?.time, '2025-01-01T00:00:00.002Z');
    assert.equal(s.events[1]?.body, 'plain');
    assert.deepEqual(s.events[3]?.body, { index: 0 });
    assert.deepEqual(s.events[2]?.attributes, { key: 'k' });
    assert.equal(s.events[2]?.body, undefined);
  });

  it('lets the first matching adapter be primary and gen_ai fill only null fields', () => {
    const s = toStep({
      span: span({
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o',
        'llm.token_count.prompt': 10,
        'gen_ai.request.model': 'other-model',
        'gen_ai.usage.input_tokens': 999,
        'gen_ai.usage.output_tokens': 3,
        'gen_ai.response.finish_reasons': ['length'],
      }),
    });
    assert.equal(s.convention, 'openinference');
    assert.equal(s.model, 'gpt-4o');
    assert.equal(s.inputTokens, 10);
    assert.equal(s.outputTokens, 3);
    assert.equal(s.finishReason, 'length');
  });

  it('reads a span with only stray gen_ai.* attributes as gen_ai', () => {
    const s = toStep({ span: span({ 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 4, 'gen_ai.usage.output_tokens': 2 }) });
    assert.equal(s.convention, 'gen_ai');
    assert.equal(s.kind, 'llm');
    assert.equal(s.inputTokens, 4);
    assert.ok(s.costUsd !== null && s.costUsd > 0);
  });

  it('never fills tokens of a step that has rollupTokens', () => {
    const s = toStep({
      span: span({
        'ai.operationId': 'ai.streamText',
        'ai.model.id': 'gpt-4o',
        'ai.usage.inputTokens': 50,
        'gen_ai.usage.input_tokens': 50,
        'gen_ai.usage.output_tokens': 5,
      }),
    });
    assert.deepEqual(s.rollupTokens, { input: 50, output: null });
    assert.equal(s.inputTokens, null);
    assert.equal(s.outputTokens, null);
    assert.equal(s.costUsd, null);
  });

  it('applies price overrides merged over the built-in table', () => {
    const input = {
      span: span({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'acme-1',
        'gen_ai.usage.input_tokens': 1_000_000,
        'gen_ai.usage.output_tokens': 0,
      }),
    };
    assert.equal(toStep(input).costUsd, null);
    const overrides = { date: '2026-01-01', source: 'contract', models: { 'acme-1': { input: 7, output: 9 } } };
    assert.equal(toStep(input, overrides).costUsd, 7);
    assert.equal(toStep(input, loadPrices(overrides)).costUsd, 7);
    const builtin = {
      span: span({
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 1_000_000,
        'gen_ai.usage.output_tokens': 0,
        'gen_ai.operation.name': 'chat',
      }),
    };
    assert.equal(toStep(builtin, overrides).costUsd, 2.5);
  });

  it('fills the code location and a generic session id', () => {
    const s = toStep({ span: span({ 'code.file.path': '/app/agent.ts', 'code.line.number': 42, 'session.id': 'abc' }) });
    assert.deepEqual(s.code, { file: '/app/agent.ts', line: 42, function: null });
    assert.equal(s.sessionId, 'abc');
  });
});
