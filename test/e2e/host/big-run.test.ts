// Inside the real extension host: a big run is read by the view worker while it arrives (before any
// panel asks), and judged by the evaluation worker once it is quiet (its verdict saved beside the
// store before any panel asks); its panel opens with every row and the saved verdict's failing
// step, and closing the panel ends the view worker's thread (its memory goes back). Leaves no run
// behind.
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor as waitForState } from './support';

interface State {
  receiver: { mode: string; url: string | null; dbPath: string | null };
  runs: Array<{ traceId: string; spanCount: number }>;
  panels: Array<{ traceId: string; rows: number; failedRows: Array<[string, string[]]> }>;
  views: { running: boolean; held: number };
}
const state = () => vscode.commands.executeCommand<State>('tracefork.__state');
const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000) =>
  waitForState(what, fn, timeoutMs, async () => `state: ${JSON.stringify({ ...(await state()), runs: undefined })}`);

const STEPS = 12_000;

describe('A big run in the trace panel', function () {
  this.timeout(180_000);
  const traceId = randomBytes(16).toString('hex');

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('tracefork.deleteRun', traceId);
  });

  it('is read and judged as it arrives, opens with all its rows and its saved verdict, and closing it ends the view worker', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('no run held by the view worker', async () => !(await state()).views.running);
    await vscode.extensions.getExtension('tracefork.tracefork')!.activate();
    const url = await waitFor('the receiver', async () => (await state()).receiver.url);
    const root = randomBytes(8).toString('hex');
    const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;
    const FAILING = 4321; // one tool call that fails: the built-in tool-failure evaluator flags it
    const span = (i: number) => ({
      traceId,
      spanId: i === 0 ? root : randomBytes(8).toString('hex'),
      parentSpanId: i === 0 ? '' : root,
      name: i === 0 ? 'invoke_agent big' : i === FAILING ? 'execute_tool flaky_search' : `chat ${i}`,
      startTimeUnixNano: String(t0 + BigInt(i) * 1_000_000n),
      endTimeUnixNano: String(t0 + BigInt(i === 0 ? STEPS + 1 : i + 1) * 1_000_000n),
      attributes:
        i === FAILING
          ? [
              { key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } },
              { key: 'gen_ai.tool.name', value: { stringValue: 'flaky_search' } },
            ]
          : [
              { key: 'gen_ai.operation.name', value: { stringValue: i === 0 ? 'invoke_agent' : 'chat' } },
              { key: 'gen_ai.usage.input_tokens', value: { intValue: '10' } },
            ],
      ...(i === FAILING ? { status: { code: 2, message: 'search backend timed out' } } : {}),
    });
    for (let i = 0; i < STEPS; i += 1000) {
      const spans = Array.from({ length: 1000 }, (_, k) => span(i + k));
      const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'big' }, spans }] }] });
      const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(res.status, 200);
    }
    const held = await waitFor('the view worker reading the run with no panel open', async () => {
      const s = await state();
      return s.views.held >= STEPS && s.panels.length === 0 ? s.views.held : undefined;
    });
    assert.ok(held >= STEPS);
    // Too big for the live loop (over 5,000 steps): judged ahead of any open, and saved.
    const dbPath = (await state()).receiver.dbPath!;
    const verdictFile = path.join(path.dirname(dbPath), 'verdicts', `${createHash('sha1').update(traceId).digest('hex').slice(0, 32)}.verdict`);
    await waitFor('the run judged ahead and its verdict saved, no panel open', async () => fs.existsSync(verdictFile) && (await state()).panels.length === 0);

    await vscode.commands.executeCommand('tracefork.openRun', traceId);
    await waitFor('the panel with every row', async () => (await state()).panels.find((p) => p.traceId === traceId && p.rows === STEPS));
    const panel = await waitFor('the failing tool call marked from the verdict', async () =>
      (await state()).panels.find(
        (p) => p.traceId === traceId && p.failedRows.some(([name, evals]) => name === 'execute_tool flaky_search' && evals.includes('tool-failure')),
      ),
    );
    assert.ok(panel);

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('the view worker ended (nothing held)', async () => {
      const s = await state();
      return s.panels.length === 0 && !s.views.running;
    });
  });
});
