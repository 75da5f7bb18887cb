import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { JudgeQueue } from './judgeQueue';
import { llm, toolStep } from '../../../../test/support/evalTesting';
import type { JudgeConfig } from '../judge';
import type { Step } from '../../model/step';

/** A run of steps that started at `at` (ms since the epoch). */
const run = (traceId: string, at: number, ...steps: Step[]): Step[] => steps.map((s, i) => ({ ...s, traceId, startTime: new Date(at + i).toISOString() }));

describe('eval: LLM judge in the live loop (mock OpenAI-compatible server on 127.0.0.1)', () => {
  let server: http.Server;
  let baseUrl: string;
  let requests: Array<{ auth?: string; output: string }>;

  before(async () => {
    server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        const body = JSON.parse(data) as { messages: Array<{ content: string }> };
        const user = JSON.parse(body.messages[1].content) as { output: string };
        requests.push({ auth: req.headers.authorization, output: user.output });
        const verdict = /trains/i.test(user.output) ? { score: 0.1, passed: false, explanation: 'off-topic' } : { score: 0.9 };
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: JSON.stringify(verdict) } }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => (requests = []));

  const cfg = (): JudgeConfig => ({ enabled: true, baseUrl, apiKey: 'k-live', model: 'judge-1', criteria: 'Answers the weather question' });

  it('grades each llm step of runs started after it was switched on, once, and reports the scores', async () => {
    let now = 1_000_000;
    const scored: string[] = [];
    const q = new JudgeQueue({ onScore: (id) => scored.push(id), now: () => now });
    const old = run('a'.repeat(32), now - 1, llm('Sunny.'));
    q.add(old);
    q.configure(cfg());
    q.add(old); // started before: not graded
    now += 10;
    const fresh = run('b'.repeat(32), now, llm('Sunny.'), toolStep('getWeather', { city: 'Paris' }, { ok: 1 }), llm('Trains are late.'));
    q.add(fresh);
    q.add(fresh); // the same steps again (the run changed): not graded twice
    await q.idle();
    assert.deepEqual(
      requests.map((r) => [r.auth, r.output]),
      [
        ['Bearer k-live', 'Sunny.'],
        ['Bearer k-live', 'Trains are late.'],
      ],
    );
    assert.deepEqual(scored, ['b'.repeat(32), 'b'.repeat(32)]);
    assert.equal(q.scores(old[0].traceId), undefined);
    const scores = q.scores(fresh[0].traceId)!;
    assert.deepEqual([...scores.keys()], [fresh[0].spanId, fresh[2].spanId]);
    const bad = scores.get(fresh[2].spanId)![0];
    assert.deepEqual([bad.name, bad.source, bad.passed, bad.value], ['llm-judge', 'judge', false, 0.1]);
    assert.equal(scores.get(fresh[0].spanId)![0].passed, true);
  });

  it('off by default and once switched off; bounded; forgets deleted runs', async () => {
    const calls: string[] = [];
    let release: () => void = () => undefined;
    const judge = (s: Step) => (calls.push(s.spanId), new Promise<never>((_, reject) => (release = () => reject(new Error('stopped')))));
    const notes: string[] = [];
    const q = new JudgeQueue({ onScore: () => undefined, notify: (m) => notes.push(m), maxQueued: 2, judge, now: () => 0 });
    q.add(run('c'.repeat(32), 5, llm('x')));
    assert.equal(calls.length, 0);
    q.configure(cfg());
    q.add(run('d'.repeat(32), 5, llm('1'), llm('2'), llm('3'), llm('4')));
    assert.equal(calls.length, 1, 'one request at a time');
    assert.equal(notes.length, 1, 'the user is told when steps are skipped');
    q.forget(['d'.repeat(32)]);
    q.configure(null);
    release();
    await q.idle();
    assert.equal(calls.length, 1);
    assert.equal(q.scores('d'.repeat(32)), undefined);
    assert.equal(requests.length, 0);
  });
});
