import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { judgeRun, judgeStep, type JudgeConfig } from './judge';
import { llm, toolStep } from '../../../test/support/evalTesting';

describe('eval: LLM-as-judge (mock OpenAI-compatible server on 127.0.0.1)', () => {
  let server: http.Server;
  let baseUrl: string;
  const requests: Array<{ url?: string; auth?: string; body: Record<string, unknown> }> = [];
  let reply: (body: Record<string, unknown>) => [number, string];

  before(async () => {
    server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        const body = JSON.parse(data) as Record<string, unknown>;
        requests.push({ url: req.url, auth: req.headers.authorization, body });
        const [status, text] = reply(body);
        res.writeHead(status, { 'content-type': 'application/json' }).end(text);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => (requests.length = 0));

  const completion = (content: string) => [200, JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] })] as [number, string];
  const cfg = (): JudgeConfig => ({ enabled: true, baseUrl, apiKey: 'k-test', model: 'judge-1', criteria: 'Answers the weather question' });

  it('sends the step and criteria; reads score, passed and explanation', async () => {
    reply = () => completion('{"score": 0.2, "passed": false, "label": "off-topic", "explanation": "talks about trains"}');
    const s = await judgeStep(llm('Trains are late.', 'Weather in Paris?'), cfg());
    assert.deepEqual(
      [s.name, s.source, s.passed, s.value, s.label, s.explanation],
      ['llm-judge', 'judge', false, 0.2, 'off-topic', 'judge-1: talks about trains'],
    );
    const [r] = requests;
    assert.deepEqual([r.url, r.auth, r.body.model], ['/v1/chat/completions', 'Bearer k-test', 'judge-1']);
    const user = JSON.parse(String((r.body.messages as Array<{ content: string }>)[1].content)) as Record<string, string>;
    assert.deepEqual([user.criteria, user.output], ['Answers the weather question', 'Trains are late.']);
    assert.match(user.input, /user: Weather in Paris\?/);
  });

  it('passes by threshold when the judge gives only a score', async () => {
    reply = () => completion('```json\n{"score": 0.9}\n```');
    assert.equal((await judgeStep(llm('Sunny.'), cfg())).passed, true);
  });

  it('HTTP errors and unreadable replies become error scores', async () => {
    reply = () => [500, '{"error":"overloaded"}'];
    const e1 = await judgeStep(llm('x'), cfg());
    assert.deepEqual([e1.passed, e1.label], [null, 'error']);
    assert.match(e1.explanation ?? '', /answered 500/);
    reply = () => completion('I think it is fine');
    assert.match((await judgeStep(llm('x'), cfg())).explanation ?? '', /did not reply with/);
  });

  it('off by default; judges only the chosen kinds', async () => {
    reply = () => completion('{"score": 1}');
    const run = [llm('a'), toolStep('t', {}, { ok: 1 })];
    assert.equal((await judgeRun(run, { ...cfg(), enabled: false })).size, 0);
    assert.equal((await judgeRun(run, undefined)).size, 0);
    assert.equal(requests.length, 0);
    assert.deepEqual([...(await judgeRun(run, cfg())).keys()], [run[0].spanId]);
  });
});
