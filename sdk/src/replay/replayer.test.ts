import * as assert from 'node:assert/strict';
import { canonical, decode, decodeText, encode, encodeChecked, errorRecord, firstDifference, inputHash, reviveError } from '../contract';
import { resetRuntime } from './runtime';
import { tool } from '../adapters/generic';
import { Replayer } from './replayer';
import { StepScopes } from './scope';
import type { ReplayPlan } from '../contract';

describe('sdk replay: keys, hashes and decisions', () => {
  it('encodes Dates and bytes so they come back, keeping key order; hashes ignore key order', () => {
    const v = { b: 1, a: new Date('2026-01-02T03:04:05.000Z'), bytes: new Uint8Array([1, 2, 3]) };
    const back = decode(JSON.parse(encode(v))) as typeof v;
    assert.deepEqual(Object.keys(JSON.parse(encode(v))), ['b', 'a', 'bytes']);
    assert.ok(back.a instanceof Date && back.a.getTime() === v.a.getTime());
    assert.deepEqual([...back.bytes], [1, 2, 3]);
    assert.equal(canonical({ b: 1, a: 2 }), canonical({ a: 2, b: 1 }));
    assert.equal(inputHash({ x: 1, y: 2 }), inputHash({ y: 2, x: 1 }));
  });

  it('the input hash excludes the system prompt, so editing it still matches', () => {
    const msgs = (system: string) => ({
      prompt: [
        { role: 'system', content: system },
        { role: 'user', content: 'hi' },
      ],
      temperature: 0,
    });
    assert.equal(inputHash(msgs('Be brief.')), inputHash(msgs('Be verbose.')));
    assert.notEqual(inputHash(msgs('x')), inputHash({ ...msgs('x'), temperature: 1 }));
    assert.equal(
      inputHash({
        messages: [
          { role: 'developer', content: 'a' },
          { role: 'user', content: 'q' },
        ],
      }),
      inputHash({ messages: [{ role: 'user', content: 'q' }] }),
    );
  });

  it('keys count occurrences per op and name within their parent step', () => {
    const s = new StepScopes();
    assert.equal(s.nextKey('llm', 'm'), '/llm:m#0');
    assert.equal(s.nextKey('tool', 't'), '/tool:t#0');
    assert.equal(s.nextKey('llm', 'm'), '/llm:m#1');
    s.within('/step:a#0', () => {
      assert.equal(s.nextKey('llm', 'm'), '/step:a#0/llm:m#0');
    });
    assert.equal(s.nextKey('llm', 'm'), '/llm:m#2');
  });

  it('serves the recording before the fork, runs the fork with the edit, and everything after live', () => {
    const plan: ReplayPlan = {
      version: 1,
      planId: 'p',
      original: { traceId: 't'.repeat(32), forkSpanId: 's'.repeat(16) },
      steps: [
        { key: '/llm:m#0', op: 'llm', name: 'm', inputHash: inputHash({ q: 1 }), output: { a: 1 } },
        { key: '/tool:t#0', op: 'tool', name: 't', inputHash: inputHash(7), output: 8 },
      ],
      fork: { key: '/llm:m#1', op: 'llm', name: 'm', input: { q: 'edited' } },
    };
    const r = new Replayer(plan, () => assert.fail('nothing diverged'));
    assert.deepEqual(r.decide('llm', 'm', '/llm:m#0', { q: 1 }), { kind: 'recording', step: plan.steps[0] });
    assert.equal(r.decide('tool', 't', '/tool:t#0', 7).kind, 'recording');
    assert.deepEqual(r.decide('llm', 'm', '/llm:m#1', { q: 2 }), { kind: 'fork', input: { q: 'edited' } });
    assert.equal(r.decide('tool', 't', '/tool:t#0', 7).kind, 'live', 'after the fork everything is live');
    assert.deepEqual(r.counts, { recording: 2, fork: 1, live: 1 });
  });

  it("a fork without an input runs with the code's own input (a regression case run again)", () => {
    const plan: ReplayPlan = {
      version: 1,
      planId: 'p',
      original: { traceId: 't'.repeat(32), forkSpanId: 's'.repeat(16) },
      steps: [{ key: '/llm:m#0', op: 'llm', name: 'm', inputHash: inputHash({ q: 1 }), output: { a: 1 } }],
      fork: { key: '/tool:t#0', op: 'tool', name: 't' },
    };
    const r = new Replayer(plan, () => assert.fail('nothing diverged'));
    assert.equal(r.decide('llm', 'm', '/llm:m#0', { q: 1 }).kind, 'recording');
    assert.deepEqual(r.decide('tool', 't', '/tool:t#0', { city: 'new code' }), { kind: 'fork', input: { city: 'new code' } });
    assert.equal(r.decide('llm', 'm', '/llm:m#1', { q: 2 }).kind, 'live');
  });

  it('reports the first unmatched call with what differed, then goes live', () => {
    const lines: string[] = [];
    const plan: ReplayPlan = {
      version: 1,
      planId: 'p',
      original: { traceId: 't'.repeat(32), forkSpanId: null },
      fork: null,
      tools: { t: 'live' },
      steps: [
        { key: '/tool:t#0', op: 'tool', name: 't', inputHash: inputHash(1), output: 2 },
        {
          key: '/llm:m#0',
          op: 'llm',
          name: 'm',
          inputHash: inputHash({ prompt: [{ role: 'user', content: 'a' }] }),
          input: { prompt: [{ role: 'user', content: 'a' }] },
          output: 'x',
        },
      ],
    };
    const r = new Replayer(plan, (l) => lines.push(l));
    assert.equal(r.decide('tool', 't', '/tool:t#0', 1).kind, 'live', 'policy live');
    const d = r.decide('llm', 'm', '/llm:m#0', { prompt: [{ role: 'user', content: 'b' }] });
    assert.equal(d.kind, 'diverged');
    assert.deepEqual(lines, [
      '[tracefork] replay: call /llm:m#0 differs from the recording at $.prompt[0].content: recorded "a", now "b"; the replay runs live from this call on',
    ]);
    assert.equal(r.decide('llm', 'm', '/llm:m#1', {}).kind, 'live');
    assert.deepEqual(firstDifference({ a: [1, 2] }, { a: [1, 3] }), { path: '$.a[1]', recorded: 2, actual: 3 });
  });

  it('applies the edit at the fork even when an earlier call diverged, and reports a fork never reached', () => {
    const lines: string[] = [];
    const plan: ReplayPlan = {
      version: 1,
      planId: 'p',
      original: { traceId: 't'.repeat(32), forkSpanId: 's'.repeat(16) },
      steps: [{ key: '/tool:t#0', op: 'tool', name: 't', inputHash: inputHash(1, 'tool'), output: 2 }],
      fork: { key: '/tool:t#1', op: 'tool', name: 't', input: 'edited' },
    };
    const r = new Replayer(plan, (l) => lines.push(l));
    assert.equal(r.decide('tool', 't', '/tool:t#0', 99).kind, 'diverged');
    assert.deepEqual(r.decide('tool', 't', '/tool:t#1', 5), { kind: 'fork', input: 'edited' });
    r.reportUnreached();
    assert.equal(lines.length, 1, 'the fork was reached: only the divergence is reported');
    const never = new Replayer(plan, (l) => lines.push(l));
    never.reportUnreached();
    assert.match(lines[1]!, /the fork step \/tool:t#1 was never reached, so the edit was not applied/);
  });

  it('hashes tool inputs whole: a tool argument named system is data, not a system prompt', () => {
    assert.notEqual(inputHash({ system: 'macos' }, 'tool'), inputHash({ system: 'ubuntu' }, 'tool'));
    assert.equal(inputHash({ system: 'a', prompt: [] }, 'llm'), inputHash({ system: 'b', prompt: [] }, 'llm'));
  });

  it('round-trips Maps, Sets, typed arrays and errors, and flags what cannot round-trip as lossy', () => {
    const v = { m: new Map([['k', 1]]), s: new Set([1, 2]), f: new Float32Array([0.5, 1.5]), e: Object.assign(new Error('boom'), { statusCode: 429 }) };
    const checked = encodeChecked(v);
    assert.equal(checked.lossy, false);
    const back = decodeText(checked.text) as typeof v;
    assert.deepEqual([...back.m], [['k', 1]]);
    assert.deepEqual([...back.s], [1, 2]);
    assert.ok(back.f instanceof Float32Array && back.f[1] === 1.5);
    assert.ok(back.e instanceof Error && back.e.message === 'boom' && (back.e as Error & { statusCode: number }).statusCode === 429);
    class Point {
      constructor(readonly x: number) {}
    }
    assert.equal(encodeChecked({ p: new Point(1) }).lossy, true);
    assert.equal(encodeChecked({ n: 10n }).lossy, true);
  });

  it('replays an error with its properties and registered-symbol markers (so a library still recognises it)', () => {
    const marker = Symbol.for('vercel.ai.error');
    const original = Object.assign(new Error('rate limited'), { name: 'AI_APICallError', isRetryable: true, statusCode: 429, [marker]: true });
    const revived = reviveError(JSON.parse(JSON.stringify(errorRecord(original))));
    assert.equal(revived.name, 'AI_APICallError');
    assert.equal((revived as unknown as Record<symbol, unknown>)[marker], true);
    assert.equal((revived as Error & { isRetryable: boolean }).isRetryable, true);
  });

  it('keys the calls made inside a tool under it, so serving the tool keeps the keys of the calls after it', async () => {
    const search = tool('search', async (q: string) => `results for ${q}`);
    const research = tool('research', async (topic: string) => `summary of ${await search(topic)}`);
    const plan: ReplayPlan = {
      version: 1,
      planId: 'p',
      original: { traceId: 't'.repeat(32), forkSpanId: null },
      fork: null,
      steps: [
        { key: '/tool:research#0', op: 'tool', name: 'research', inputHash: inputHash('ai', 'tool'), output: 'summary of results for ai' },
        { key: '/tool:research#0/tool:search#0', op: 'tool', name: 'search', inputHash: inputHash('ai', 'tool'), output: 'results for ai' },
        { key: '/tool:search#0', op: 'tool', name: 'search', inputHash: inputHash('ml', 'tool'), output: 'results for ml' },
      ],
    };
    const lines: string[] = [];
    const r = new Replayer(plan, (l) => lines.push(l));
    resetRuntime(r);
    try {
      assert.equal(await research('ai'), 'summary of results for ai');
      assert.equal(await search('ml'), 'results for ml');
      assert.deepEqual(lines, []);
      assert.deepEqual(r.counts, { recording: 2, fork: 0, live: 0 });
    } finally {
      resetRuntime();
    }
  });
});
