// Fork & replay inside the real extension host: a real agent recorded with the Tracefork SDK fails
// at its tool; forking at that tool call with an edited city re-runs the agent (the command from
// tracefork.replay.command), the model call before the fork comes from the recording, and the
// replayed run is linked to the original, nested under it, and compared step by step.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { runWorkspaceAgent, waitFor, recordStops } from './support';

interface ReplayState {
  comparison: {
    left: string;
    right: string;
    firstDivergence: number;
    pairs: Array<{ status: string; differs: string[]; source: string | null; name: string; kind: string }>;
  } | null;
  calls: Array<{ spanId: string; key: string; op: string; name: string; source: string | null; error: string | null }> | null;
  last: { planId: string; run: string | null; exitCode: number | null; divergences: string[]; cancelled: boolean; forkKey: string | null } | null;
}
interface State {
  receiver: { url: string | null };
  runs: Array<{ traceId: string; name: string; status: string; replayOf: string | null }>;
}

const state = () => vscode.commands.executeCommand<State>('tracefork.__state');
const replayState = (traceId?: string) => vscode.commands.executeCommand<ReplayState>('tracefork.__replayState', traceId);

describe('Fork & replay', function () {
  this.timeout(120_000);
  let originalId = '';
  let toolSpanId = '';

  it('forks a failing run at its tool call with an edited input; the replay is linked and compared', async () => {
    const url = await waitFor('the receiver', async () => (await state()).receiver.url ?? undefined);
    const before = new Set((await state()).runs.map((r) => r.traceId));
    await runWorkspaceAgent('replay-agent.ts', [], url);
    const original = await waitFor('the recorded run', async () => (await state()).runs.find((r) => !before.has(r.traceId) && r.status === 'error'));
    const calls = await waitFor('its recorded calls', async () =>
      (await replayState(original.traceId)).calls?.length === 3 ? (await replayState(original.traceId)).calls : undefined,
    );
    assert.deepEqual(
      calls!.map((c) => c.key),
      ['/llm:mock-model#0', '/tool:getWeather#0', '/llm:mock-model#1'],
    );
    const tool = calls![1]!;
    assert.equal(tool.error, 'weather service unavailable for Paris');
    [originalId, toolSpanId] = [original.traceId, tool.spanId];

    const outcome = await vscode.commands.executeCommand<{ run: { traceId: string } | null; exitCode: number | null; divergences: string[] }>(
      'tracefork.forkReplay',
      original.traceId,
      tool.spanId,
      { input: { city: 'Lyon' } },
    );
    assert.ok(outcome?.run, `a replayed run arrived (exit code ${outcome?.exitCode})`);
    assert.equal(outcome.exitCode, 0);
    assert.deepEqual(outcome.divergences, []);

    const fork = await waitFor('the fork in the Runs view', async () => (await state()).runs.find((r) => r.traceId === outcome.run!.traceId));
    assert.equal(fork.replayOf, original.traceId, 'linked to its original');
    assert.equal(fork.status, 'unset', 'the edited city made the run succeed');
    const forkCalls = (await replayState(fork.traceId)).calls!;
    assert.deepEqual(
      forkCalls.map((c) => [c.key, c.source]),
      [
        ['/llm:mock-model#0', 'recording'],
        ['/tool:getWeather#0', 'fork'],
        ['/llm:mock-model#1', 'live'],
      ],
    );

    const { comparison } = await replayState();
    assert.ok(comparison);
    assert.equal(comparison.left, original.traceId);
    assert.equal(comparison.right, fork.traceId);
    const first = comparison.pairs[comparison.firstDivergence]!;
    assert.equal(first.name, 'ai.toolCall', 'the first divergence is the fork step');
    assert.equal(first.source, 'fork');
    assert.deepEqual(first.differs.sort(), ['input', 'output', 'status']);
    assert.deepEqual(
      comparison.pairs.slice(0, comparison.firstDivergence).map((p) => p.status),
      ['changed', 'same'],
      'the root differs only by its outcome; the model call before the fork is the same',
    );
    await vscode.commands.executeCommand('tracefork.openStepDiff', comparison.firstDivergence);
    const diffTab = await waitFor('the diff editor', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff),
    );
    assert.match(diffTab.label, /ai\.toolCall — output: original ↔ fork/);
  });

  it("replays under the debugger, stopped at the fork step's source line, then runs on", async () => {
    assert.ok(originalId, 'the first test recorded a run');
    const tracker = recordStops();
    const stops = tracker.stops;
    try {
      const outcome = await vscode.commands.executeCommand<{ run: { traceId: string } | null }>('tracefork.forkReplay', originalId, toolSpanId, {
        input: { city: 'Nice' },
        debug: true,
      });
      assert.ok(outcome?.run, 'the replay under the debugger sent its run');
      const agentFile = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'replay-agent.ts').fsPath;
      const callLine =
        (await vscode.workspace.fs.readFile(vscode.Uri.file(agentFile)))
          .toString()
          .split('\n')
          .findIndex((l) => l.includes('await generateText(')) + 1;
      assert.ok(stops.length >= 1, 'the debugger stopped');
      assert.equal(stops[0]!.line, callLine, `stopped at the fork step's line ${callLine} (stops: ${JSON.stringify(stops)})`);
      assert.match(stops[0]!.file, /replay-agent\.ts$/);
      assert.equal(vscode.debug.breakpoints.length, 0, 'the temporary breakpoint is removed afterwards');
    } finally {
      tracker.dispose();
    }
  });

  it("saves one step as a regression case from the step detail's action", async () => {
    assert.ok(originalId);
    await vscode.commands.executeCommand('tracefork.saveStepCase', originalId, toolSpanId);
    const file = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, '.tracefork', 'cases', 'cases.jsonl');
    const lines = (await vscode.workspace.fs.readFile(file)).toString().trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]!) as { format: string; spanId: string; step: { name: string }; failedEvaluators: Array<{ name: string }> };
    assert.equal(last.format, 'tracefork.case/2');
    assert.equal(last.spanId, toolSpanId);
    assert.equal(last.step.name, 'ai.toolCall');
    assert.ok(
      last.failedEvaluators.some((e) => e.name === 'tool-failure'),
      JSON.stringify(last.failedEvaluators),
    );
  });
});
