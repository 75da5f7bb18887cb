// Runs inside the real VS Code extension host (code-server): the installed extension receives a
// real agent's traces, lists the failing run, opens it, and links its failing step to the source line.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runWorkspaceAgent, waitFor, workspaceDir } from './support';

interface State {
  activationMs: number;
  failingEvaluators: string[];
  receiver: { mode: string; port: number | null; url: string | null; grpcPort?: number | null };
  runs: Array<{ traceId: string; name: string; status: string; errorCount: number; spanCount: number }>;
  panels: Array<{ traceId: string; rows: number }>;
}

const state = () => vscode.commands.executeCommand<State>('tracefork.__state');

describe('Tracefork extension', function () {
  this.timeout(90_000);
  let url = '';
  let failing: State['runs'][number];

  it('activates and starts its receiver on loopback', async () => {
    const ext = vscode.extensions.getExtension('tracefork.tracefork');
    assert.ok(ext, 'extension installed');
    await ext.activate();
    const s = await waitFor('the receiver', async () => ((await state()).receiver.mode === 'owner' ? state() : undefined));
    assert.match(s.receiver.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    console.log(`      activation took ${s.activationMs.toFixed(1)} ms (the receiver starts after it)`);
    url = s.receiver.url!;
  });

  it('lists the run of a real agent whose tool fails, marked failing', async () => {
    await runWorkspaceAgent('weather-agent.ts', ['fail'], url);
    await runWorkspaceAgent('weather-agent.ts', ['ok'], url);
    const s = await waitFor('two runs', async () => {
      const st = await state();
      return st.runs.length >= 2 ? st : undefined;
    });
    failing = s.runs.find((r) => r.status === 'error')!;
    assert.ok(failing, 'one run is failing');
    assert.equal(failing.name, 'ai.generateText');
    assert.equal(failing.errorCount, 1);
    assert.ok(
      s.runs.some((r) => r.status !== 'error'),
      'the clean run is not marked failing',
    );
  });

  it("a run's tooltip, resolved on hover, says its steps, status and trace id", async () => {
    const tip = await vscode.commands.executeCommand<string | null>('tracefork.__runTooltip', failing.traceId);
    assert.ok(tip, 'a listed run has a tooltip');
    assert.match(tip, /\*\*ai\\\.generateText\*\*/, 'its name, bold, markdown escaped');
    assert.match(tip, /\$\(error\) 1 failing step/);
    assert.match(tip, new RegExp(`- ${failing.spanCount} steps, `));
    assert.ok(tip.includes(`trace \`${failing.traceId}\``));
    assert.equal(await vscode.commands.executeCommand('tracefork.__runTooltip', 'f'.repeat(32)), null, 'none for a run not listed');
  });

  it('receives OTLP/gRPC too: a real gRPC exporter (gzip) reaches the Runs view', async () => {
    const s = await state();
    assert.equal(s.receiver.grpcPort, 14317, 'the gRPC receiver is on the workspace setting');
    const before = s.runs.length;
    await runWorkspaceAgent('grpc-agent.ts', [], `http://localhost:${s.receiver.grpcPort}`);
    const after = await waitFor('the gRPC run', async () => (await state()).runs.find((r) => r.name === 'invoke_agent grpc-agent'));
    assert.equal(after.spanCount, 3);
    assert.ok((await state()).runs.length > before);
  });

  it('opens the run in a trace panel with one row per step', async () => {
    await vscode.commands.executeCommand('tracefork.openRun', failing.traceId);
    const s = await waitFor('the panel rows', async () => {
      const st = await state();
      return st.panels.find((p) => p.traceId === failing.traceId && p.rows === failing.spanCount) ? st : undefined;
    });
    assert.equal(s.panels.length, 1);
  });

  it('reports the failing step in Problems at the agent source line, and adds a CodeLens there', async () => {
    const file = vscode.Uri.file(path.join(workspaceDir(), 'weather-agent.ts'));
    const doc = await vscode.workspace.openTextDocument(file);
    const throwLine = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes("the failing step's line"));
    assert.ok(throwLine > 0);
    const diag = await waitFor('a Tracefork diagnostic', () => vscode.languages.getDiagnostics(file).find((d) => d.source === 'Tracefork'));
    assert.equal(diag.range.start.line, throwLine);
    assert.equal(diag.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diag.message, /ai\.toolCall failed in 1 of 1 run\(s\): weather service unavailable for Paris/);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file);
    const lens = lenses.find((l) => l.command?.command === 'tracefork.openRun');
    assert.ok(lens, 'a Tracefork CodeLens');
    assert.equal(lens.range.start.line, throwLine);
    assert.match(lens.command!.title, /1 run · \$\(error\) 1 failing · p95/);
  });

  it("runs the workspace's custom evaluator (trusted workspace) beside the built-in ones", async () => {
    const s = await waitFor("the evaluators' verdicts", async () => {
      const st = await state();
      return st.failingEvaluators.includes('token-budget') ? st : undefined;
    });
    assert.ok(s.failingEvaluators.includes('tool-failure'), `built-in verdicts too: ${s.failingEvaluators}`);
  });

  it('saves the failing step as a regression case in the workspace', async () => {
    await vscode.commands.executeCommand('tracefork.saveRegressionCase', failing.traceId);
    const file = path.join(workspaceDir(), '.tracefork', 'cases', 'cases.jsonl');
    const text = await waitFor('the cases file', () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined));
    const cases: unknown[] = text
      .trim()
      .split('\n')
      .map((l: string) => JSON.parse(l));
    const tool = cases.find((c) => JSON.stringify(c).includes('ai.toolCall'));
    assert.ok(tool, `a case for the failing tool call: ${JSON.stringify(cases).slice(0, 300)}`);
    assert.match(JSON.stringify(tool), /tool-failure/);
    assert.match(JSON.stringify(tool), new RegExp(failing.traceId));
  });

  it('clears the diagnostics when the runs are deleted', async () => {
    const file = vscode.Uri.file(path.join(workspaceDir(), 'weather-agent.ts'));
    const s = await state();
    for (const r of s.runs) await vscode.commands.executeCommand('tracefork.deleteRun', r.traceId);
    await waitFor('no Tracefork diagnostics', () => !vscode.languages.getDiagnostics(file).some((d) => d.source === 'Tracefork'));
    await waitFor('an empty Runs view', async () => (await state()).runs.length === 0);
  });
});
