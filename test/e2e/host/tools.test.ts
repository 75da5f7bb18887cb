// Inside the real extension host: the Tracefork tools as VS Code language-model tools, called the
// way agent mode calls them (`vscode.lm.invokeTool`): the failing run, its failing step with its
// line, then a fork with another city, which the tool reports as now succeeding.
// (Named to run last: it adds runs to the Runs view, which the other in-host tests count.)
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { lmToolHandler } from '../../../src/extension/lmTools';
import { runWorkspaceAgent, waitFor } from './support';

interface State {
  receiver: { url: string | null };
  runs: Array<{ traceId: string; status: string; replayOf: string | null }>;
}
const state = () => vscode.commands.executeCommand<State>('tracefork.__state');
const invoke = async (name: string, input: object): Promise<string> => {
  const r = await vscode.lm.invokeTool(`tracefork_${name}`, { input, toolInvocationToken: undefined });
  return r.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
};

describe('Tracefork as language-model tools', function () {
  this.timeout(120_000);

  it('are registered under their names, referenceable in prompts', async () => {
    await vscode.extensions.getExtension('tracefork.tracefork')!.activate();
    const names = vscode.lm.tools
      .filter((t) => t.tags.includes('tracefork'))
      .map((t) => t.name)
      .sort();
    assert.deepEqual(names, [
      'tracefork_compare_runs',
      'tracefork_eval',
      'tracefork_fork_replay',
      'tracefork_get_run',
      'tracefork_get_step',
      'tracefork_list_runs',
      'tracefork_replay',
      'tracefork_save_regression_case',
    ]);
  });

  it("asks to confirm the tools that run the agent's code, and refuses them in Restricted Mode", async () => {
    const token = new vscode.CancellationTokenSource().token;
    const unused = { host: undefined as never, replay: undefined as never, prices: () => undefined }; // neither call reaches them
    const input = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), input: { city: 'Lyon' } };
    const prep = await lmToolHandler('fork_replay', unused).prepareInvocation!({ input }, token);
    assert.ok(prep?.confirmationMessages, 'fork_replay asks first');
    const message = prep.confirmationMessages.message;
    assert.match(
      typeof message === 'string' ? message : message.value,
      /Re-run your agent from step b{16} of run a{32} with the input \{"city":"Lyon"\}\? This runs the workspace's code/,
    );
    assert.ok(
      (await lmToolHandler('replay', unused).prepareInvocation!({ input: { traceId: input.traceId } }, token))?.confirmationMessages,
      'replay asks first',
    );
    assert.equal((await lmToolHandler('list_runs', unused).prepareInvocation!({ input: {} }, token))?.confirmationMessages, undefined, 'reading asks nothing');
    // The handler as registered, with VS Code reporting the workspace untrusted:
    await assert.rejects(
      Promise.resolve(lmToolHandler('fork_replay', unused, () => false).invoke({ input, toolInvocationToken: undefined }, token)),
      /does not run the workspace's code in Restricted Mode/,
    );
    await assert.rejects(
      Promise.resolve(lmToolHandler('replay', unused, () => false).invoke({ input: { traceId: input.traceId }, toolInvocationToken: undefined }, token)),
      /Restricted Mode/,
    );
  });

  it('a coding agent finds the failing step, forks it with another city, and learns the run now succeeds', async () => {
    const url = await waitFor('the receiver', async () => (await state()).receiver.url ?? undefined);
    const before = new Set((await state()).runs.map((r) => r.traceId));
    await runWorkspaceAgent('replay-agent.ts', [], url);
    const run = await waitFor('the failing run', async () => (await state()).runs.find((r) => !before.has(r.traceId) && r.status === 'error'));

    const listed = await invoke('list_runs', { status: 'failing' });
    assert.match(listed, new RegExp(`${run.traceId} FAILING`));
    const detail = await invoke('get_run', { traceId: run.traceId });
    const m = /^- ([0-9a-f]{16}) tool getWeather at (.*replay-agent\.ts:\d+)$/m.exec(detail);
    assert.ok(m, detail);
    const step = await invoke('get_step', { traceId: run.traceId, spanId: m[1] });
    assert.match(step, /weather service unavailable for Paris/);

    const forked = await invoke('fork_replay', { traceId: run.traceId, spanId: m[1], input: { city: 'Lyon' } });
    assert.match(forked, /the new run succeeds: no step fails any more/);
    const fresh = /^replayed run ([0-9a-f]{32})/.exec(forked)![1]!;
    await waitFor('the fork listed under its original', async () => (await state()).runs.find((r) => r.traceId === fresh && r.replayOf === run.traceId));

    await assert.rejects(invoke('get_run', { traceId: 'nope' }), /traceId must be a run's 32-hex-digit id/);
  });
});
