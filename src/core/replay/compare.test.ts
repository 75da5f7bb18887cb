import * as assert from 'node:assert/strict';
import type { Step } from '../model/step';
import { compareRuns, generatedDifference } from './compare';

function step(spanId: string, output: unknown, extra: Partial<Step> = {}): Step {
  return {
    traceId: 't',
    spanId,
    parentSpanId: null,
    name: 'model',
    kind: 'chain',
    convention: 'openinference',
    model: null,
    provider: null,
    input: { value: { q: 'weather?' } },
    output: { value: output },
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    startTime: '2026-12-02T10:00:00.000Z',
    durationMs: 1,
    status: 'ok',
    error: null,
    code: null,
    scores: [],
    sessionId: null,
    toolName: null,
    toolCallId: null,
    agentName: null,
    finishReason: null,
    rollupTokens: null,
    depth: 0,
    attributes: {},
    events: [],
    ...extra,
  };
}

describe('compare: values generated afresh each run', () => {
  it('masks UUIDs and timestamps, and ids of the same shape under id-like keys', () => {
    assert.ok(generatedDifference('lc_run--01a23708-83a3-728c-b721-16675d0558d4-0', 'lc_run--01a23708-7b0d-70a8-b096-9281269291e8-0', 'id'));
    assert.ok(generatedDifference('at 2026-12-02T10:00:00.123Z', 'at 2026-12-02T10:00:01.456Z', 'text'));
    assert.ok(generatedDifference('chatcmpl-8f3KxQ2a9Bz', 'chatcmpl-1aZyq09LmPq', 'id'));
    assert.ok(generatedDifference('call_Ab12Cd34Ef56', 'call_9zY8xW7vU6tS', 'tool_call_id'));
    assert.ok(!generatedDifference('chatcmpl-8f3KxQ2a9Bz', 'chatcmpl-1aZyq09LmPq', 'content'), 'not under a key that holds text');
    assert.ok(!generatedDifference('call_Ab12Cd34Ef56', 'fc_9zY8xW7vU6tS12', 'id'), 'a different prefix is a different kind of id');
    assert.ok(!generatedDifference('Paris', 'Lyonnn', 'id'), 'words are not generated ids');
    assert.ok(!generatedDifference('sunny in Paris', 'sunny in Lyon', 'text'));
  });

  it('a run whose outputs differ only by generated ids compares as identical, and says what it ignored', () => {
    const a = step('a', { messages: [{ id: 'lc_run--01a23708-83a3-728c-b721-16675d0558d4-0', content: 'sunny', created: 1700000000 }] });
    const b = step('b', { messages: [{ id: 'lc_run--01a23708-7b0d-70a8-b096-9281269291e8-0', content: 'sunny', created: 1700000042 }] });
    const c = compareRuns([a], [b]);
    assert.equal(c.firstDivergence, -1);
    assert.equal(c.pairs[0]!.status, 'same');
    assert.deepEqual(c.pairs[0]!.ignored, ['output $.value.messages[0].id', 'output $.value.messages[0].created']);
  });

  it('a real difference inside an object that holds ids is still a difference', () => {
    const a = step('a', { messages: [{ id: 'lc_run--01a23708-83a3-728c-b721-16675d0558d4-0', content: 'sunny in Paris' }] });
    const b = step('b', { messages: [{ id: 'lc_run--01a23708-7b0d-70a8-b096-9281269291e8-0', content: 'sunny in Lyon' }] });
    const c = compareRuns([a], [b]);
    assert.equal(c.firstDivergence, 0);
    assert.deepEqual(c.pairs[0]!.differs, ['output']);
    const extra = compareRuns([a], [step('b', { messages: [{ id: 'lc_run--01a23708-7b0d-70a8-b096-9281269291e8-0', content: 'sunny in Paris', more: 1 }] })]);
    assert.deepEqual(extra.pairs[0]!.differs, ['output'], 'an added field is a difference');
  });

  it('JSON inside a string is compared as JSON', () => {
    const a = step('a', JSON.stringify({ id: 'f47ac10b-58cc-4372-a567-0e02b2c3d479', n: 1 }));
    const b = step('b', JSON.stringify({ id: '9b2e6f1c-3d4a-4b5c-8d9e-0f1a2b3c4d5e', n: 1 }));
    assert.equal(compareRuns([a], [b]).firstDivergence, -1);
    const c = step('c', JSON.stringify({ id: '9b2e6f1c-3d4a-4b5c-8d9e-0f1a2b3c4d5e', n: 2 }));
    assert.equal(compareRuns([a], [c]).firstDivergence, 0);
  });
});
