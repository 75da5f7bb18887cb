// Regression cases in the Testing view of the real extension host: a real agent recorded with the
// Tracefork SDK fails at its tool; its failing step is saved as a case and appears at once as a test
// at the step's source line; *Run All Tests* runs it against the current code (still failing, with the
// evaluator's explanation); the agent's code is fixed and the case passes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runWorkspaceAgent, waitFor, workspaceDir, recordStops } from './support';

interface State {
  receiver: { url: string | null };
  runs: Array<{ traceId: string; name: string; status: string }>;
}
interface CaseTestsState {
  items: Array<{ id: string; label: string; line: number | null; parent: string | null }>;
  last: Record<string, { outcome: string; reason: string; traceId: string | null }>;
  messages: Record<string, { message: string; expected: string | null; actual: string | null }>;
}

const state = () => vscode.commands.executeCommand<State>('tracefork.__state');
const tests = () => vscode.commands.executeCommand<CaseTestsState>('tracefork.__caseTests');
const calls = (traceId: string) => vscode.commands.executeCommand<{ calls: Array<{ spanId: string; op: string }> | null }>('tracefork.__replayState', traceId);

describe('Regression cases in the Testing view', function () {
  this.timeout(180_000);
  const agent = path.join(workspaceDir(), 'replay-agent.ts');
  const bug = "if (city === 'Paris') throw new Error(`weather service unavailable for ${city}`);";
  let source = '';
  before(() => (source = fs.readFileSync(agent, 'utf8')));
  after(() => fs.writeFileSync(agent, source));

  it('a saved case is a test at its line; it fails while the bug is there and passes once the code is fixed', async () => {
    assert.ok(source.includes(bug), 'the workspace agent has its bug');
    const url = await waitFor('the receiver', async () => (await state()).receiver.url ?? undefined);
    const before = new Set((await state()).runs.map((r) => r.traceId));
    await runWorkspaceAgent('replay-agent.ts', [], url);
    const run = await waitFor('the failing run', async () => (await state()).runs.find((r) => !before.has(r.traceId) && r.status === 'error'));
    const tool = await waitFor('its tool call', async () => (await calls(run.traceId)).calls?.find((c) => c.op === 'tool'));
    await vscode.commands.executeCommand('tracefork.saveStepCase', run.traceId, tool.spanId);

    const id = `${run.traceId}:${tool.spanId}`;
    const item = await waitFor('the case in the Testing view', async () => (await tests()).items.find((i) => i.id === id));
    assert.match(item.label, /tool-failure · run [0-9a-f]{8}/);
    const callLine = source.split('\n').findIndex((l) => l.includes('await generateText(')) + 1;
    assert.equal(item.line, callLine, "the test sits at the step's source line");
    const items = (await tests()).items;
    const group = items.find((i) => i.id === item.parent);
    assert.equal(group?.label, 'ai.toolCall', 'grouped under its step name');
    const agentGroup = items.find((i) => i.id === group?.parent);
    assert.equal(agentGroup?.label, 'replay-agent.ts', "under its agent's file");
    assert.ok(
      items.some((i) => i.id === agentGroup?.parent && i.id.startsWith('folder:')),
      'under its workspace folder',
    );

    await vscode.commands.executeCommand('testing.runAll');
    const failing = await waitFor('the case run with the bug', async () => (await tests()).last[id], 90_000);
    assert.equal(failing.outcome, 'failing');
    assert.match(failing.reason, /tool-failure: getWeather: status error: weather service unavailable for Paris/);
    const shown = (await tests()).messages[id];
    assert.equal(shown?.message, failing.reason, "the Testing view's failure message is the evaluator's explanation");
    assert.equal(shown?.expected, null, 'a tool that threw has no output to set side by side');

    // The cases file edited outside the extension (a teammate's commit, a hand edit): the tests follow.
    const file = path.join(workspaceDir(), '.tracefork', 'cases', 'cases.jsonl');
    const saved = fs.readFileSync(file, 'utf8');
    const copy = { ...JSON.parse(saved.trim().split('\n').at(-1)!), spanId: 'e'.repeat(16) };
    fs.appendFileSync(file, `${JSON.stringify(copy)}\n`);
    await waitFor('the case added outside', async () => (await tests()).items.some((i) => i.id === `${copy.traceId}:${copy.spanId}`) || undefined);
    fs.writeFileSync(file, saved);
    await waitFor('the case removed outside', async () => !(await tests()).items.some((i) => i.id === `${copy.traceId}:${copy.spanId}`) || undefined);

    fs.writeFileSync(agent, source.replace(bug, '// fixed: every city answers'));
    await vscode.commands.executeCommand('testing.runAll');
    const fixed = await waitFor(
      'the case run with the fix',
      async () => {
        const r = (await tests()).last[id];
        return r && r.traceId !== failing.traceId ? r : undefined;
      },
      90_000,
    );
    assert.equal(fixed.outcome, 'fixed', fixed.reason);

    // Debug: the same run under the debugger, stopped at the case's source line.
    const tracker = recordStops();
    const stops = tracker.stops;
    try {
      await vscode.commands.executeCommand('testing.debugAll');
      const debugged = await waitFor(
        'the case run under the debugger',
        async () => {
          const r = (await tests()).last[id];
          return r && r.traceId !== fixed.traceId ? r : undefined;
        },
        90_000,
      );
      assert.equal(debugged.outcome, 'fixed', debugged.reason);
      assert.ok(
        stops.some((s) => s.line === callLine),
        `stopped at the case's line ${callLine} (stops: ${JSON.stringify(stops)})`,
      );
    } finally {
      tracker.dispose();
    }
  });
});

describe('A/B a change over recorded runs', function () {
  this.timeout(120_000);

  it('re-runs recorded runs with an edited tool input and reports, per evaluator, better or worse', async () => {
    const url = await waitFor('the receiver', async () => (await state()).receiver.url ?? undefined);
    const before = new Set((await state()).runs.map((r) => r.traceId));
    await runWorkspaceAgent('replay-agent.ts', [], url);
    await runWorkspaceAgent('replay-agent.ts', [], url);
    const fresh = await waitFor('two failing runs', async () => {
      const runs = (await state()).runs.filter((r) => !before.has(r.traceId) && r.status === 'error');
      return runs.length === 2 ? runs : undefined;
    });
    const result = await vscode.commands.executeCommand<{
      runs: Array<{ replayTraceId: string | null; skipped: string | null }>;
      worse: boolean;
      evaluators: Array<{ name: string; before: number; after: number; worse: boolean }>;
    }>('tracefork.abRuns', { runs: fresh.map((r) => r.traceId), change: { kind: 'step', name: 'getWeather', input: { city: 'Lyon' } } });
    assert.ok(result, 'the A/B ran');
    assert.deepEqual(
      result.runs.map((r) => r.skipped),
      [null, null],
    );
    assert.ok(result.runs.every((r) => r.replayTraceId));
    assert.deepEqual(
      result.evaluators.find((e) => e.name === 'tool-failure'),
      { name: 'tool-failure', before: 2, after: 0, worse: false },
    );
    assert.equal(result.worse, false);
    const doc = await waitFor('the report', () =>
      vscode.window.visibleTextEditors.find(
        (e) => e.document.languageId === 'markdown' && e.document.getText().startsWith('# A/B: an edited input of getWeather'),
      ),
    );
    assert.match(doc.document.getText(), /\| tool-failure \| 2 \| 0 \| better \|/);
    assert.equal(doc.document.isDirty, false, 'a read-only report, nothing to save');
    assert.equal(doc.document.languageId, 'markdown');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

/** 32 runs of one step whose own quality score (Arize-style `eval.<name>.score`) drops after the 20th. */
async function sendProbe(url: string, from: number, name: string, tracePrefix: string, spanPrefix: string): Promise<void> {
  const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
  for (let i = 0; i < 32; i++) {
    const start = BigInt(from + i * 1000) * 1_000_000n;
    const ms = 100 + (i % 4);
    const quality = i < 20 ? 0.8 + (i % 4) * 0.02 : 0.55;
    const span = {
      traceId: `${tracePrefix}${hex(i, 32 - tracePrefix.length)}`,
      spanId: `${spanPrefix}${hex(i, 16 - spanPrefix.length)}`,
      name,
      kind: 3,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + BigInt(ms) * 1_000_000n),
      attributes: [
        { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
        { key: 'gen_ai.request.model', value: { stringValue: 'drift-model' } },
        { key: 'eval.answer_quality.score', value: { doubleValue: quality } },
      ],
    };
    const res = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'drift-probe' } }] }, scopeSpans: [{ spans: [span] }] }],
      }),
    });
    assert.equal(res.status, 200);
  }
}

describe('Drift alerts', function () {
  this.timeout(120_000);
  type Alerts = {
    findings: Array<{ id: string; kind: string; stepName: string | null; metric: string; message: string; traceId: string }>;
    notified: string[];
    statusBar: string;
  };
  const alertsNow = () => vscode.commands.executeCommand<Alerts>('tracefork.__alerts');

  it('a score that degrades over a sequence of runs raises exactly one drift finding and one notification', async () => {
    const url = await waitFor('the receiver', async () => (await state()).receiver.url ?? undefined);
    await sendProbe(url, Date.now() - 60_000, 'chat drift-probe', 'd71f', 'a');
    const mine = (a: Alerts) => a.findings.filter((f) => f.stepName === 'chat drift-probe');
    const alerts = await waitFor(
      'the drift finding',
      async () => {
        const a = await alertsNow();
        return mine(a).length ? a : undefined;
      },
      30_000,
    );
    // Let the rest of the runs be evaluated: still one.
    await waitFor('every probe run evaluated', async () => (await state()).runs.filter((r) => r.name === 'chat drift-probe').length === 32 || undefined);
    await new Promise((r) => setTimeout(r, 1500));
    const after = await alertsNow();
    assert.equal(mine(after).length, 1, JSON.stringify(mine(after)));
    const f = mine(alerts)[0]!;
    assert.equal(f.metric, 'score:answer_quality');
    assert.match(f.message, /^answer_quality of `chat drift-probe` fell from a median 0\.82 to 0\.\d+ over the last 10 runs/);
    assert.equal(after.notified.filter((id) => id === f.id).length, 1, 'one notification for it');
    assert.ok(after.statusBar.endsWith(`$(bell) ${after.findings.length}`), `the status bar counts the alerts: ${after.statusBar}`);
  });

  it('another alert within the minute is counted in the status bar, not notified again', async () => {
    const url = await waitFor('the receiver', async () => (await state()).receiver.url ?? undefined);
    const before = await alertsNow();
    await sendProbe(url, Date.now() - 45_000, 'chat drift-probe-b', 'd72f', 'b');
    const later = await waitFor(
      'the second drift finding',
      async () => {
        const a = await alertsNow();
        return a.findings.some((f) => f.stepName === 'chat drift-probe-b') ? a : undefined;
      },
      30_000,
    );
    const second = later.findings.find((f) => f.stepName === 'chat drift-probe-b')!;
    assert.ok(!later.notified.includes(second.id), 'no second notification within a minute of the first');
    assert.equal(later.notified.length, before.notified.length);
    assert.ok(later.findings.length > before.findings.length);
    assert.ok(later.statusBar.endsWith(`$(bell) ${later.findings.length}`), `the status bar counts it: ${later.statusBar}`);
  });
});
