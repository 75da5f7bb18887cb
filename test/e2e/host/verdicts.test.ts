// Inside the real extension host: one verdict source. A run that only the latency evaluator fails
// (slow against the rolling baseline of the runs before it) is marked the same in the Runs view's
// verdicts, in its trace panel's rows, and by Save Failing Steps…, which saves its slow step as a
// regression case (it used to answer "no step failed": the command scored the run without the
// baseline). Leaves no run and no case behind.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor as waitForState, workspaceDir } from './support';

interface State {
  receiver: { mode: string; url: string | null };
  runs: Array<{ traceId: string; name: string }>;
  failingEvaluators: string[];
  panels: Array<{ traceId: string; rows: number; failedRows: Array<[string, string[]]> }>;
}
const state = () => vscode.commands.executeCommand<State>('tracefork.__state');
const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000) =>
  waitForState(what, fn, timeoutMs, async () => `state: ${JSON.stringify(await state()).slice(0, 600)}`);

const TOOL = `lookup_${randomBytes(3).toString('hex')}`; // its own baseline, whatever runs came before

/** A run: an agent root and one tool call taking `toolMs`. */
function run(i: number, toolMs: number) {
  const traceId = randomBytes(16).toString('hex');
  const root = randomBytes(8).toString('hex');
  const t0 = BigInt(Date.now() - 60_000 + i * 1000) * 1_000_000n;
  const ns = (ms: number) => BigInt(ms) * 1_000_000n;
  const span = (
    spanId: string,
    parentSpanId: string,
    name: string,
    op: string,
    startMs: number,
    endMs: number,
    extra: Array<{ key: string; value: { stringValue: string } }> = [],
  ) => ({
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: 1,
    startTimeUnixNano: String(t0 + ns(startMs)),
    endTimeUnixNano: String(t0 + ns(endMs)),
    attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: op } }, ...extra],
    status: { code: 1 },
  });
  const spans = [
    span(root, '', `invoke_agent verdicts-${i}`, 'invoke_agent', 0, toolMs + 10),
    span(randomBytes(8).toString('hex'), root, `execute_tool ${TOOL}`, 'execute_tool', 5, 5 + toolMs, [
      { key: 'gen_ai.tool.name', value: { stringValue: TOOL } },
    ]),
  ];
  return {
    traceId,
    body: JSON.stringify({
      resourceSpans: [
        { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'verdicts-probe' } }] }, scopeSpans: [{ scope: { name: 'probe' }, spans }] },
      ],
    }),
  };
}

describe('One verdict source', function () {
  this.timeout(120_000);
  const casesFile = () => path.join(workspaceDir(), '.tracefork', 'cases', 'cases.jsonl');
  let casesBefore: string | null = null;
  const sent: string[] = [];

  before(async () => {
    await vscode.extensions.getExtension('tracefork.tracefork')!.activate();
    await waitFor('the receiver', async () => (await state()).receiver.mode === 'owner');
    casesBefore = fs.existsSync(casesFile()) ? fs.readFileSync(casesFile(), 'utf8') : null;
  });

  after(async () => {
    if (casesBefore === null) fs.rmSync(casesFile(), { force: true });
    else fs.writeFileSync(casesFile(), casesBefore);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const id of sent) await vscode.commands.executeCommand('tracefork.deleteRun', id);
    await waitFor('the probe runs deleted', async () => !(await state()).runs.some((r) => sent.includes(r.traceId)));
  });

  it('a run failing only the latency evaluator is marked in its panel, and Save Failing Steps saves its slow step', async () => {
    const url = (await state()).receiver.url!;
    const post = async (r: { traceId: string; body: string }) => {
      const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: r.body });
      assert.equal(res.status, 200);
      sent.push(r.traceId);
    };
    for (let i = 0; i < 12; i++) await post(run(i, 5 + (i % 3)));
    await waitFor('the quick runs listed', async () => {
      const listed = new Set((await state()).runs.map((r) => r.traceId));
      return sent.every((id) => listed.has(id));
    });
    const slow = run(12, 900);
    await post(slow);
    await waitFor('the live verdict: latency fails', async () => (await state()).failingEvaluators.includes('latency'));

    await vscode.commands.executeCommand('tracefork.openRun', slow.traceId);
    const panel = await waitFor('the panel marks the slow step', async () =>
      (await state()).panels.find((p) => p.traceId === slow.traceId && p.failedRows.length > 0),
    );
    const marked = new Map(panel.failedRows);
    assert.ok(marked.get(`execute_tool ${TOOL}`)?.includes('latency'), `the slow tool call is marked latency: ${JSON.stringify(panel.failedRows)}`);
    assert.ok(![...marked.values()].flat().includes('tool-failure'), 'nothing else failed');

    await vscode.commands.executeCommand('tracefork.saveRegressionCase', slow.traceId);
    const saved = await waitFor('the case saved', () => {
      const text = fs.existsSync(casesFile()) ? fs.readFileSync(casesFile(), 'utf8') : '';
      const fresh = text
        .slice(casesBefore?.length ?? 0)
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { traceId?: string; step?: { name?: string }; failed?: Array<{ name: string }> });
      return fresh.length ? fresh : undefined;
    });
    const tool = saved.find((c) => JSON.stringify(c).includes(`execute_tool ${TOOL}`));
    assert.ok(tool, `the slow step is a case: ${JSON.stringify(saved).slice(0, 400)}`);
    assert.match(JSON.stringify(tool), /"latency"/, 'with the evaluator that failed it');
  });
});
