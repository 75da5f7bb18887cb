// Inside the real extension host: the workspace's custom evaluators are reloaded when a file is
// added or edited (their verdicts follow), and the optional LLM judge, configured in the settings
// with its key in secret storage, grades the llm steps of new runs at a local mock
// OpenAI-compatible server. Leaves no run, setting, key or file behind.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runWorkspaceAgent, waitFor as waitForState, workspaceDir } from './support';

interface State {
  failingEvaluators: string[];
  judge: boolean;
  receiver: { mode: string; url: string | null };
  runs: Array<{ traceId: string }>;
}
const state = () => vscode.commands.executeCommand<State>('tracefork.__state');

const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000) =>
  waitForState(what, fn, timeoutMs, async () => `state: ${JSON.stringify(await state()).slice(0, 400)}`);

const evaluatorsDir = () => path.join(workspaceDir(), '.tracefork', 'evaluators');

/** Runs the workspace's real agent (Vercel AI SDK, mock model) against the extension's receiver. */
const runAgent = (url: string, mode: 'fail' | 'ok') => runWorkspaceAgent('weather-agent.ts', [mode], url);

const failingOn = (name: string) => async () => ((await state()).failingEvaluators.includes(name) ? state() : undefined);

describe('Tracefork live evaluators: custom evaluator files reloaded, LLM judge', function () {
  this.timeout(120_000);
  let url = '';
  const added = () => path.join(evaluatorsDir(), 'no-tool-calls.js');

  before(async () => {
    await vscode.extensions.getExtension('tracefork.tracefork')!.activate();
    url = (await waitFor('the receiver', async () => ((await state()).receiver.mode === 'owner' ? state() : undefined))).receiver.url!;
  });

  after(async () => {
    const config = vscode.workspace.getConfiguration('tracefork');
    for (const key of ['judge.url', 'judge.model', 'judge.criteria']) await config.update(key, undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('tracefork.setJudgeApiKey', '');
    fs.rmSync(added(), { force: true });
    for (const r of (await state()).runs) await vscode.commands.executeCommand('tracefork.deleteRun', r.traceId);
    await waitFor('no runs and no verdicts left', async () => {
      const s = await state();
      return s.runs.length === 0 && !s.judge && !s.failingEvaluators.includes('no-tool-calls') && !s.failingEvaluators.includes('no-tools-at-all');
    });
  });

  it('loads an evaluator file added to .tracefork/evaluators and shows its verdicts, then follows an edit of it', async () => {
    await runAgent(url, 'ok');
    await waitFor('the run', async () => (await state()).runs.length >= 1);
    assert.ok(!(await state()).failingEvaluators.includes('no-tool-calls'));
    fs.writeFileSync(
      added(),
      [
        "module.exports = { name: 'no-tool-calls', version: '1',",
        "  evaluate: (step) => ({ value: step.kind === 'tool' ? 0 : 1, passed: step.kind !== 'tool', explanation: 'tool steps are not allowed here' }) };",
      ].join('\n'),
    );
    await waitFor("the added evaluator's verdict", failingOn('no-tool-calls'));
    fs.writeFileSync(
      added(),
      ["module.exports = { name: 'no-tools-at-all', version: '2',", "  evaluate: (step) => ({ value: 0, passed: step.kind !== 'tool' }) };"].join('\n'),
    );
    const s = await waitFor("the edited evaluator's verdict", failingOn('no-tools-at-all'));
    assert.ok(!s.failingEvaluators.includes('no-tool-calls'), `the old evaluator's verdicts are gone: ${s.failingEvaluators}`);
    assert.ok(s.failingEvaluators.includes('token-budget'), "the workspace's other evaluator still runs");
    fs.rmSync(added());
    await waitFor("the removed evaluator's verdicts gone", async () => !(await state()).failingEvaluators.includes('no-tools-at-all'));
  });

  it('grades the llm steps of a new run with the judge set in the settings, the key from secret storage', async () => {
    const requests: Array<{ auth?: string; model?: string; output: string }> = [];
    const server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        const body = JSON.parse(data) as { model: string; messages: Array<{ content: string }> };
        requests.push({
          auth: req.headers.authorization,
          model: body.model,
          output: String((JSON.parse(body.messages[1].content) as { output: unknown }).output),
        });
        const verdict = { score: 0.2, passed: false, label: 'unhelpful', explanation: 'does not give the weather' };
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: JSON.stringify(verdict) } }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      await vscode.commands.executeCommand('tracefork.setJudgeApiKey', 'k-e2e-judge');
      const config = vscode.workspace.getConfiguration('tracefork');
      await config.update('judge.model', 'judge-e2e', vscode.ConfigurationTarget.Global);
      await config.update('judge.url', `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, vscode.ConfigurationTarget.Global);
      await waitFor('the judge switched on', async () => (await state()).judge);
      assert.equal(requests.length, 0, 'runs from before the judge was switched on are not graded');
      await runAgent(url, 'ok');
      await waitFor("the judge's verdict", failingOn('llm-judge'));
      assert.ok(requests.length >= 1);
      assert.ok(
        requests.every((r) => r.auth === 'Bearer k-e2e-judge' && r.model === 'judge-e2e'),
        JSON.stringify(requests),
      );
      assert.ok(
        requests.some((r) => r.output.includes('Sorry, I could not get the weather.')),
        JSON.stringify(requests),
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
