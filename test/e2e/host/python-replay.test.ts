// Fork & replay of a Python agent inside the real extension host, as replay.test.ts does for
// Node: a real Python agent (openai client through the Tracefork Python SDK, a mock model in its
// own process) fails at its tool; forking at that tool call with an edited city (a one-parameter
// tool's recorded input is the bare value) re-runs it with the command the extension guesses for
// a .py file (the Python here is the e2e one: this VS Code has no Python extension), and the
// replay is linked, nested and compared. Replay under Debugger of a Python command without the
// Python Debugger extension starts nothing; the debugpy configuration it makes with that extension
// is launched by the real debugpy adapter here and stops in the fork step's body.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { guessCommand, pythonBreakLine } from '../../../src/core/replay/launchCommand';
import { debugConfigFor } from '../../../src/extension/replay/launch';
import { debugOnce } from './dap';
import { runInWorkspace, waitFor, workspaceDir, workspacePython } from './support';

interface ReplayState {
  comparison: {
    left: string;
    right: string;
    firstDivergence: number;
    pairs: Array<{ status: string; differs: string[]; source: string | null; name: string; kind: string }>;
  } | null;
  calls: Array<{ spanId: string; key: string; op: string; name: string; source: string | null; error: string | null }> | null;
}
interface State {
  receiver: { url: string | null };
  runs: Array<{ traceId: string; name: string; status: string; replayOf: string | null }>;
}

/** A recorded model or tool call (the agent's own `tracefork.step` is recorded too). */
const isCall = (c: { op: string }) => c.op === 'llm' || c.op === 'tool';
const state = () => vscode.commands.executeCommand<State>('tracefork.__state');
const replayState = (traceId?: string) => vscode.commands.executeCommand<ReplayState>('tracefork.__replayState', traceId);

describe('Fork & replay of a Python agent', function () {
  this.timeout(120_000);
  const cfg = () => vscode.workspace.getConfiguration('tracefork.replay');
  let saved: string | undefined;
  let originalId = '';
  let toolSpanId = '';

  before(async () => {
    saved = cfg().inspect<string>('command')?.workspaceValue;
    await cfg().update('command', guessCommand('replay_agent.py', workspacePython()), vscode.ConfigurationTarget.Workspace);
  });
  after(async () => {
    await cfg().update('command', saved, vscode.ConfigurationTarget.Workspace);
  });

  it('forks a failing Python run at its tool call with an edited input; the replay is linked and compared', async () => {
    const url = await waitFor('the receiver', async () => (await state()).receiver.url ?? undefined);
    const before = new Set((await state()).runs.map((r) => r.traceId));
    await runInWorkspace(workspacePython(), ['replay_agent.py'], url);
    const original = await waitFor('the recorded Python run', async () =>
      (await state()).runs.find((r) => !before.has(r.traceId) && r.name === 'py-weather-agent'),
    );
    assert.equal(original.status, 'error', 'the failing tool makes the run fail');
    const calls = await waitFor(
      'its recorded calls',
      async () => {
        const all = (await replayState(original.traceId)).calls ?? [];
        return all.filter(isCall).length === 3 ? all : undefined;
      },
      20_000,
      async () => JSON.stringify((await replayState(original.traceId)).calls),
    );
    assert.deepEqual(
      calls.map((c) => c.op),
      ['step', 'llm', 'tool', 'llm'],
      JSON.stringify(calls),
    );
    const tool = calls[2]!;
    assert.match(tool.key, /tool:get_weather#0$/);
    assert.match(tool.error ?? '', /weather service unavailable for Paris/);
    [originalId, toolSpanId] = [original.traceId, tool.spanId];

    const outcome = await vscode.commands.executeCommand<{ run: { traceId: string } | null; exitCode: number | null; divergences: string[] }>(
      'tracefork.forkReplay',
      original.traceId,
      tool.spanId,
      { input: 'Lyon' },
    );
    assert.ok(outcome?.run, `a replayed run arrived (exit code ${outcome?.exitCode})`);
    assert.equal(outcome.exitCode, 0);
    assert.deepEqual(outcome.divergences, []);

    const fork = await waitFor('the fork in the Runs view', async () => (await state()).runs.find((r) => r.traceId === outcome.run!.traceId));
    assert.equal(fork.replayOf, original.traceId, 'linked to its original');
    assert.equal(fork.status, 'unset', 'the edited city made the run succeed');
    const forkCalls = (await replayState(fork.traceId)).calls!;
    assert.deepEqual(
      forkCalls.filter(isCall).map((c) => [c.op, c.source]),
      [
        ['llm', 'recording'],
        ['tool', 'fork'],
        ['llm', 'live'],
      ],
    );

    const { comparison } = await replayState();
    assert.ok(comparison);
    assert.equal(comparison.left, original.traceId);
    assert.equal(comparison.right, fork.traceId);
    const first = comparison.pairs[comparison.firstDivergence]!;
    assert.equal(first.kind, 'tool', `the first divergence is the fork step: ${JSON.stringify(first)}`);
    assert.equal(first.source, 'fork');
    assert.deepEqual(first.differs.sort(), ['input', 'output', 'status']);
  });

  it('Replay under Debugger of a Python command without the Python Debugger extension launches nothing', async () => {
    assert.ok(originalId, 'the first test recorded a run');
    assert.equal(vscode.extensions.getExtension('ms-python.debugpy'), undefined, 'this VS Code has no Python Debugger');
    let started = 0;
    const sub = vscode.debug.onDidStartDebugSession(() => started++);
    try {
      const outcome = await vscode.commands.executeCommand('tracefork.forkReplay', originalId, toolSpanId, { input: 'Nice', debug: true });
      assert.equal(outcome, undefined, 'no replay ran');
      assert.equal(started, 0, 'no debug session was started');
      assert.equal(vscode.debug.breakpoints.length, 0, 'no breakpoint was left behind');
    } finally {
      sub.dispose();
    }
  });

  it("the debugpy configuration of a Python command stops the real debugpy in the tool's body and reaches the receiver", async () => {
    const python = workspacePython();
    const url = (await state()).receiver.url!;
    const folder = vscode.workspace.workspaceFolders![0]!;
    const file = path.join(workspaceDir(), 'replay_agent.py');
    const source = fs.readFileSync(file, 'utf8');
    const recorded = source.split('\n').findIndex((l) => l.startsWith('@tracefork.tool("get_weather")')) + 1;
    const line = pythonBreakLine(source, recorded);
    assert.equal(source.split('\n')[line - 1]!.trim(), 'if city == "Paris":', 'the first statement of the tool, which runs at each call');
    const config = debugConfigFor(guessCommand('replay_agent.py', python), folder, { OTEL_EXPORTER_OTLP_ENDPOINT: url });
    assert.ok(config);
    assert.equal(config.type, 'debugpy');
    assert.equal(config.program, file);
    const before = new Set((await state()).runs.map((r) => r.traceId));
    const { stops, exitCode, output } = await debugOnce([python, '-m', 'debugpy.adapter'], config, { path: file, line });
    assert.deepEqual(stops, [{ line, path: file }], output);
    assert.equal(exitCode, 0, output);
    await waitFor('the debugged run', async () => (await state()).runs.find((r) => !before.has(r.traceId) && r.name === 'py-weather-agent'));
  });
});
