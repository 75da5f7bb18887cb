// The model-API proxy with agents that have no tracing and no Tracefork SDK: the Node `openai`
// client (chat with a tool loop, a streamed chat, Responses, embeddings) and plain curl, started
// by the built CLI (`tracefork run`, `tracefork replay`) against a local mock of the model APIs.
// Recorded through the proxy, then replayed: no edit (no upstream call, the same answer, the
// stream still a stream), a fork of call N (exactly the calls from N on), a changed agent (the
// divergence reported, the rest live); keys pass through and are never stored; upstream failures
// reach the agent as the upstream gave them; hostile requests get clear errors.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliAsync, cliOk, ensureBuilt, freePort, showJson, startServe, type Serve } from '../support/cli';
import { tmpDir } from '../support/tmp';
import { startMockModels, type MockModels } from '../clients/mockModels';

const AGENT = path.resolve(__dirname, '../clients/proxyAgent.mjs');
const KEY = 'sk-proj-PROXYTESTKEY0123456789abcdefXYZ';

const cli = (args: string[], env: Record<string, string> = {}) => cliAsync(args, { OPENAI_API_KEY: KEY, ...env });

async function cliJson(args: string[], env: Record<string, string> = {}): Promise<Record<string, any>> {
  const r = await cli(args, env);
  assert.equal(r.status, 0, `tracefork ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, any>;
}

describe('model-API proxy: any agent recorded and replayed with no SDK', function () {
  this.timeout(120_000);
  let mock: MockModels;
  let serve: Serve;
  let tmp: ReturnType<typeof tmpDir>;
  let db: string;
  let port: string;
  let recorded: { traceId: string; answer: Record<string, unknown> };
  const answerFile = () => path.join(tmp.dir, `answer-${Math.random().toString(36).slice(2)}.json`);

  before(async () => {
    ensureBuilt();
    tmp = tmpDir('tracefork-proxy-');
    db = path.join(tmp.dir, 'traces.db');
    mock = await startMockModels();
    serve = await startServe(db, 15_000, { args: ['--upstream-openai', `${mock.url}/v1`, '--upstream-anthropic', mock.url] });
    port = new URL(serve.url).port;
  });
  after(async () => {
    await serve?.stop();
    await mock?.close();
    tmp?.cleanup();
  });

  async function runAgent(cmdArgs: string[], env: Record<string, string>): Promise<{ traceId: string; answer: Record<string, any>; exitCode: number }> {
    const file = answerFile();
    const out = await cliJson(['run', '--port', port, '--json', '--', ...cmdArgs], { ANSWER_FILE: file, ...env });
    return { traceId: out.traceId as string, exitCode: out.exitCode as number, answer: fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {} };
  }

  it('records a run of the openai client through `tracefork run`: one run, every call an llm step with messages and usage', async () => {
    const r = await runAgent([process.execPath, AGENT], {});
    assert.equal(r.exitCode, 0);
    assert.equal(r.answer.text, 'The weather is: sunny, 21C');
    assert.ok((r.answer.chunks as number) > 3, `the stream came in chunks (${r.answer.chunks})`);
    assert.equal(r.answer.dims, 3);
    assert.deepEqual(
      mock.requests.map((q) => q.path),
      ['/v1/chat/completions', '/v1/chat/completions', '/v1/responses', '/v1/embeddings'],
    );
    assert.ok(
      mock.requests.every((q) => q.headers.authorization === `Bearer ${KEY}`),
      'the API key reached the upstream',
    );
    recorded = r;
    const { steps } = showJson(db, r.traceId);
    assert.equal(steps[0]!.kind, 'agent');
    const calls = steps.filter((s) => s.kind === 'llm' || s.kind === 'embedding');
    assert.deepEqual(
      calls.map((s) => s.kind),
      ['llm', 'llm', 'llm', 'embedding'],
    );
    assert.ok(
      calls.every((s) => s.parentSpanId === steps[0]!.spanId),
      'every call is under the run',
    );
    assert.equal(calls[0]!.model, 'gpt-4o-mini');
    assert.equal(calls[0]!.inputTokens, 60);
    assert.ok(
      calls[0]!.output?.messages?.some((m) => m.toolCalls?.some((t) => t.name === 'get_weather')),
      'the tool call is in the first answer',
    );
    assert.ok(
      calls[1]!.input?.messages?.some((m) => m.role === 'tool'),
      'the tool result is in the second request',
    );
    assert.match(JSON.stringify(calls[1]!.output), /sunny, 21C/, 'the streamed answer is folded back into its message');
    assert.equal(calls[1]!.outputTokens, 12, 'stream usage is recorded');
    assert.match(JSON.stringify(calls[2]!.output), /The weather is/, 'the Responses answer');
  });

  it('never stores the API key: not in the journal, the index or an unmasked export, even from the command line', async () => {
    const viaCommand = await runAgent(['env', `OPENAI_API_KEY=${KEY}`, process.execPath, AGENT], { AGENT_MODE: 'single' });
    assert.equal(viaCommand.answer.text, 'The weather is: null');
    assert.match(showJson(db, viaCommand.traceId).steps[0]!.name, /OPENAI_API_KEY=sk-…\[masked\]/);
    const replay = await cli(['replay', viaCommand.traceId, '--db', db, '--port', port]);
    assert.equal(replay.status, 2, 'a masked command is not replayed as it is');
    assert.match(replay.stderr, /held a secret, which is masked in the store/);
    for (const f of fs.readdirSync(tmp.dir).filter((f) => f.startsWith('traces.db')))
      assert.ok(!fs.readFileSync(path.join(tmp.dir, f)).includes(KEY), `${f} holds the key`);
    assert.ok(!cliOk(['export', recorded.traceId, '--db', db, '--unmasked']).includes(KEY));
    assert.ok(!cliOk(['export', viaCommand.traceId, '--db', db, '--unmasked']).includes(KEY));
  });

  it('a no-edit replay makes no upstream call and gives the same answer, the stream still chunk by chunk', async () => {
    const before = mock.requests.length;
    const file = answerFile();
    const out = await cliJson(['replay', recorded.traceId, '--db', db, '--port', port, '--json'], { ANSWER_FILE: file });
    assert.equal(mock.requests.length, before, 'no call reached the upstream');
    const answer = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(answer, recorded.answer, 'the same answer, the same number of stream chunks');
    assert.deepEqual(out.calls, { recording: 4, fork: 0, live: 0 });
    assert.equal(out.firstDivergence, -1, 'the runs match step for step');
    const { steps } = showJson(db, out.traceId as string);
    assert.ok(steps.filter((s) => s.kind === 'llm').every((s) => JSON.stringify(s.attributes).includes('"tracefork.replay.source":"recording"')));
  });

  it('an edited system prompt still replays from the recording (the system prompt is not hashed)', async () => {
    const before = mock.requests.length;
    const out = await cliJson(['replay', recorded.traceId, '--db', db, '--port', port, '--json'], {
      ANSWER_FILE: answerFile(),
      AGENT_SYSTEM: 'You are a terse weather agent.',
    });
    assert.equal(mock.requests.length, before);
    assert.deepEqual(out.calls, { recording: 4, fork: 0, live: 0 });
  });

  it('a fork of call 2 with an edited request makes exactly the calls from 2 on, the first of them the edit', async () => {
    const { steps } = showJson(db, recorded.traceId);
    const second = steps.filter((s) => s.kind === 'llm')[1]!;
    const plan = JSON.parse(cliOk(['plan', recorded.traceId, '--db', db, '--fork', second.spanId])) as {
      fork: { input: { messages: Array<{ role: string; content: unknown }> } };
    };
    const edited = structuredClone(plan.fork.input);
    edited.messages.find((m) => m.role === 'tool')!.content = 'rainy, 9C';
    const input = path.join(tmp.dir, 'edit.json');
    fs.writeFileSync(input, JSON.stringify(edited));
    const before = mock.requests.length;
    const file = answerFile();
    const out = await cliJson(['replay', recorded.traceId, '--db', db, '--port', port, '--fork', second.spanId, '--input', input, '--json'], {
      ANSWER_FILE: file,
    });
    const made = mock.requests.slice(before);
    assert.deepEqual(
      made.map((q) => q.path),
      ['/v1/chat/completions', '/v1/responses', '/v1/embeddings'],
      'calls 2, 3 and 4 went live; call 1 was served',
    );
    assert.equal(made[0]!.body.messages.find((m: { role: string }) => m.role === 'tool').content, 'rainy, 9C', 'the edited request went upstream');
    assert.equal(made[0]!.headers.authorization, `Bearer ${KEY}`, "with the agent's key");
    assert.deepEqual(out.calls, { recording: 1, fork: 1, live: 2 });
    const answer = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.equal(answer.text, 'The weather is: rainy, 9C');
    assert.ok((answer.chunks as number) > 3, 'the forked call streamed live');
    assert.ok(out.firstDivergence >= 0, 'the comparison shows the change');
  });

  it('an agent that changed is reported where it differs, and runs live from there', async () => {
    const before = mock.requests.length;
    const out = await cliJson(['replay', recorded.traceId, '--db', db, '--port', port, '--json'], {
      ANSWER_FILE: answerFile(),
      AGENT_QUESTION: 'And in Lyon?',
    });
    assert.equal(mock.requests.length - before, 4, 'every call went live');
    assert.equal(out.divergences.length, 1);
    assert.match(
      out.divergences[0],
      /call \/llm:gpt-4o-mini#0 differs from the recording at \$\.messages\[1\]\.content: recorded "What is the weather in Paris\?", now "And in Lyon\?"/,
    );
  });

  it('records and replays plain curl (no client library at all)', async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi from curl' }] });
    const script = `curl -sS -X POST "$OPENAI_BASE_URL/chat/completions" -H "Authorization: Bearer $OPENAI_API_KEY" -H "Content-Type: application/json" -d '${body}' > "$ANSWER_FILE"`;
    const first = await runAgent(['sh', '-c', script], {});
    const text = (first.answer as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content;
    assert.equal(text, 'The weather is: null');
    const before = mock.requests.length;
    const file = answerFile();
    await cliJson(['replay', first.traceId, '--db', db, '--port', port, '--json'], { ANSWER_FILE: file });
    assert.equal(mock.requests.length, before, 'curl was answered from the recording');
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), first.answer, 'byte for byte the recorded answer');
  });

  it('plain curl through the whole loop: a no-edit replay, a fork of call 2, the stream, the key, an outage', async () => {
    const CURL = ['sh', path.resolve(__dirname, '../clients/curlAgent.sh')];
    const read = (file: string, part: string) => fs.readFileSync(`${file}.${part}`, 'utf8');
    const run = async (env: Record<string, string> = {}) => {
      const file = answerFile();
      const out = await cliJson(['run', '--port', port, '--json', '--', ...CURL], { ANSWER_FILE: file, ...env });
      return { traceId: out.traceId as string, file };
    };
    let before = mock.requests.length;
    const first = await run();
    assert.equal(mock.requests.length - before, 2);
    assert.equal(read(first.file, '1.status'), '200');
    assert.equal(read(first.file, '2.status'), '200');
    const sse = read(first.file, '2.sse');
    assert.ok(sse.split('\n\n').filter((e) => e.startsWith('data: {')).length > 3, 'curl got the answer as a stream of events');
    assert.match(sse, /data: \[DONE\]/);
    const llm = showJson(db, first.traceId).steps.filter((s) => s.kind === 'llm');
    assert.equal(llm.length, 2);
    assert.match(JSON.stringify(llm[1]!.output), /sunny, 21C/, 'the streamed answer folded back into its message');
    assert.ok(!cliOk(['export', first.traceId, '--db', db, '--unmasked']).includes(KEY), 'the key is not in the export');

    // No edit: nothing reaches the upstream; curl gets the same bytes, the stream as a stream.
    before = mock.requests.length;
    const again = answerFile();
    const replay = await cliJson(['replay', first.traceId, '--db', db, '--port', port, '--json'], { ANSWER_FILE: again });
    assert.equal(mock.requests.length, before);
    assert.deepEqual(replay.calls, { recording: 2, fork: 0, live: 0 });
    assert.equal(read(again, '1.json'), read(first.file, '1.json'));
    assert.equal(read(again, '2.sse'), sse, 'the recorded stream, byte for byte');

    // A fork of call 2 with an edited request: exactly that call goes upstream, with the edit.
    const plan = JSON.parse(cliOk(['plan', first.traceId, '--db', db, '--fork', llm[1]!.spanId])) as {
      fork: { input: { messages: Array<{ role: string; content: unknown }> } };
    };
    const edited = structuredClone(plan.fork.input);
    edited.messages.find((m) => m.role === 'tool')!.content = 'rainy, 9C';
    const input = path.join(tmp.dir, 'curl-edit.json');
    fs.writeFileSync(input, JSON.stringify(edited));
    before = mock.requests.length;
    const forked = answerFile();
    const fork = await cliJson(['replay', first.traceId, '--db', db, '--port', port, '--fork', llm[1]!.spanId, '--input', input, '--json'], {
      ANSWER_FILE: forked,
    });
    assert.equal(mock.requests.length - before, 1, 'call 1 served, call 2 live');
    assert.equal(mock.requests.at(-1)!.body.messages.find((m: { role: string }) => m.role === 'tool').content, 'rainy, 9C');
    assert.deepEqual(fork.calls, { recording: 1, fork: 1, live: 0 });
    const text = (events: string) =>
      events
        .split('\n\n')
        .filter((e) => e.startsWith('data: {'))
        .map((e) => (JSON.parse(e.slice(6)) as { choices: Array<{ delta: { content?: string | null } }> }).choices[0]?.delta.content ?? '')
        .join('');
    assert.equal(text(read(forked, '2.sse')), 'The weather is: rainy, 9C', 'the forked call streamed live to curl');
    assert.equal(text(sse), 'The weather is: sunny, 21C');

    // An outage: curl sees the upstream's status and body.
    mock.failNext = { kind: 'status', status: 503 };
    const down = await run();
    assert.equal(read(down.file, '1.status'), '503');
    assert.match(read(down.file, '1.json'), /mock upstream failure 503/);
    assert.equal(showJson(db, down.traceId).steps.find((s) => s.kind === 'llm')!.status, 'error');
  });

  it('a stream reaches the agent event by event as the upstream sends it, not at its end', async () => {
    const gap = 150;
    mock.eventGapMs = gap;
    try {
      const res = await fetch(`${serve.url}/proxy/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'x' }] }),
      });
      const seen: Array<{ at: number; text: string }> = [];
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) seen.push({ at: Date.now(), text: decoder.decode(chunk, { stream: true }) });
      const events = seen
        .map((c) => c.text)
        .join('')
        .split('\n\n')
        .filter(Boolean).length;
      assert.ok(events > 4, `the upstream sent ${events} events`);
      const spread = seen.at(-1)!.at - seen[0]!.at;
      // The upstream spaces its events `gap` apart: a proxy that held the stream to its end would hand
      // them over together.
      assert.ok(seen.length > 2, `the answer came in ${seen.length} pieces`);
      assert.ok(spread >= 0.4 * gap * (events - 1), `first to last piece ${spread} ms, the upstream took about ${gap * (events - 1)} ms`);
    } finally {
      mock.eventGapMs = 5;
    }
  });

  it('an upstream error reaches the agent as the upstream gave it (status and body), and is recorded as a failed step', async () => {
    mock.failNext = { kind: 'status', status: 529 };
    const r = await runAgent([process.execPath, AGENT], { AGENT_MODE: 'single' });
    assert.equal(r.answer.error?.status, 529);
    assert.match(r.answer.error?.message, /mock upstream failure 529/);
    const llm = showJson(db, r.traceId).steps.find((s) => s.kind === 'llm')!;
    assert.equal(llm.status, 'error');
  });

  it('a stream the upstream drops is dropped for the agent too, after what had arrived', async () => {
    mock.failNext = { kind: 'drop' };
    const r = await runAgent([process.execPath, AGENT], { AGENT_MODE: 'stream' });
    assert.ok(r.answer.error, `the agent saw the stream break: ${JSON.stringify(r.answer)}`);
    const llm = showJson(db, r.traceId).steps.find((s) => s.kind === 'llm')!;
    assert.equal(llm.status, 'error');
    assert.match(JSON.stringify(llm.attributes), /broke off/);
  });

  it("an upstream that never answers: the agent's own timeout ends the call, the upstream request is cancelled, the step failed with why", async () => {
    mock.failNext = { kind: 'hang' };
    const abandoned = mock.abandoned;
    const gaveUp = await fetch(`${serve.url}/proxy/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'timeout-model', messages: [{ role: 'user', content: 'x' }] }),
      signal: AbortSignal.timeout(500), // what a client's request timeout does
    }).then(
      () => null,
      (e: Error) => e.name,
    );
    assert.equal(gaveUp, 'TimeoutError');
    for (const deadline = Date.now() + 10_000; mock.abandoned === abandoned; await new Promise((r) => setTimeout(r, 20)))
      assert.ok(Date.now() < deadline, 'the upstream request was never cancelled');
    const step = await (async () => {
      for (const deadline = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 100))) {
        const runs = JSON.parse(cliOk(['list', '--db', db, '--json'])) as Array<{ traceId: string }>;
        for (const t of runs) {
          const s = showJson(db, t.traceId).steps.find((x) => x.model === 'timeout-model');
          if (s && s.status === 'error') return s;
        }
        assert.ok(Date.now() < deadline, 'the timed-out call was never recorded');
      }
    })();
    assert.match(JSON.stringify(step.attributes), /the agent closed the connection before the upstream answered/);
  });

  it('an unreachable upstream is a 502 that says which upstream and what to check', async () => {
    const closed = await freePort();
    const dead = await startServe(path.join(tmp.dir, 'dead.db'), 15_000, { args: ['--upstream-openai', `http://127.0.0.1:${closed}/v1`] });
    try {
      const res = await fetch(`${dead.url}/proxy/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [] }),
      });
      assert.equal(res.status, 502);
      const body = (await res.json()) as { error: { message: string } };
      assert.match(body.error.message, new RegExp(`upstream http://127\\.0\\.0\\.1:${closed} could not be reached: ECONNREFUSED.*upstream-openai`));
    } finally {
      await dead.stop();
    }
  });

  it('calls without a token are grouped into one run while they follow each other; a traceparent joins its trace', async () => {
    const post = (headers: Record<string, string> = {}) =>
      fetch(`${serve.url}/proxy/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...headers },
        body: JSON.stringify({ model: 'grouped-model', messages: [{ role: 'user', content: 'x' }] }),
      }).then((r) => r.text());
    await post();
    await post();
    const parent = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8) };
    await post({ traceparent: `00-${parent.traceId}-${parent.spanId}-01` });
    const runs = JSON.parse(cliOk(['list', '--db', db, '--json'])) as Array<{ traceId: string; spanCount: number; model: string | null }>;
    const grouped = runs.filter((t) => showJson(db, t.traceId).steps.some((s) => s.model === 'grouped-model'));
    assert.equal(grouped.length, 2, "two runs: the two untokened calls, and the traceparent's trace");
    const joined = grouped.find((t) => t.traceId === parent.traceId)!;
    assert.ok(joined, 'the traceparent call is in its trace');
    assert.equal(showJson(db, joined.traceId).steps[0]!.parentSpanId, parent.spanId, 'under the traceparent span');
    const other = grouped.find((t) => t.traceId !== parent.traceId)!;
    // Both untokened calls in that one run (with the untokened calls of the tests just before, as they followed each other).
    assert.equal(showJson(db, other.traceId).steps.filter((s) => s.kind === 'llm' && s.model === 'grouped-model').length, 2);
  });

  it('answers hostile or wrong requests with clear errors, and OTLP ingest is untouched', async () => {
    const at = (p: string, init?: RequestInit) => fetch(`${serve.url}${p}`, init);
    let r = await at('/proxy/nowhere/v1/x', { method: 'POST' });
    assert.equal(r.status, 404);
    assert.match(((await r.json()) as { error: { message: string } }).error.message, /no proxy route at \/proxy\/nowhere\/v1\/x; use \/proxy\/openai\/v1/);
    r = await at('/proxy/run/bad$token/openai/v1/chat/completions', { method: 'POST' });
    assert.equal(r.status, 404);
    r = await at('/proxy/runs', { method: 'POST', body: 'not json' });
    assert.equal(r.status, 400);
    r = await at('/proxy/runs', { method: 'POST', body: JSON.stringify({ plan: { version: 9 } }) });
    assert.equal(r.status, 400);
    r = await at('/proxy/runs/deadbeef/end', { method: 'POST', body: '{}' });
    assert.equal(r.status, 404);
    r = await at('/proxy/openai/v1/chat/completions', { method: 'POST', headers: { origin: 'https://evil.example' }, body: '{}' });
    assert.equal(r.status, 403, 'browsers are refused');
    r = await at('/proxy/openai/v1/chat/completions', { method: 'POST', headers: { 'content-length': String(64 * 1024 ** 2) }, body: 'x'.repeat(10) }).catch(
      () => ({ status: 413 }) as Response,
    );
    assert.equal(r.status, 413);
    r = await at('/proxy/mcp/unknown', { method: 'POST', body: '{}' });
    assert.equal(r.status, 404);
    assert.match(((await r.json()) as { error: { message: string } }).error.message, /no MCP server named "unknown" is configured.*--mcp unknown=URL/);
    // A call that never gets an answer does not hold up ingest.
    mock.failNext = { kind: 'hang' };
    const hanging = new AbortController();
    const pending = at('/proxy/openai/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'hang', messages: [] }),
      signal: hanging.signal,
    }).catch(() => null);
    const otlp = await at('/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(otlp.status, 200);
    hanging.abort();
    await pending;
  });
});
