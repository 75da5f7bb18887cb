// Inside the real extension host: what Tracefork does when its port is taken — by a foreign
// program (it says so and does not receive), or by another Tracefork (it shows that one's runs
// live and takes the port over when it goes away).
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor as waitForState } from './support';

interface State {
  receiver: { mode: string; port: number | null; dbPath: string | null; detail: string };
  runs: Array<{ traceId: string }>;
}
const state = () => vscode.commands.executeCommand<State>('tracefork.__state');
const setPort = (port: number) => vscode.workspace.getConfiguration('tracefork').update('receiver.port', port, vscode.ConfigurationTarget.Workspace);

const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000) =>
  waitForState(what, fn, timeoutMs, async () => JSON.stringify((await state()).receiver));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('Tracefork when its port is taken', function () {
  this.timeout(90_000);
  let original: number;

  before(async () => {
    await vscode.extensions.getExtension('tracefork.tracefork')!.activate();
    original = (await state()).receiver.port ?? 14318;
  });
  after(async () => {
    await setPort(original);
    await waitFor('the original port back', async () => (await state()).receiver.mode === 'owner' && (await state()).receiver.port === original);
  });

  it('says so when a foreign program holds the port, and receives once it is free', async () => {
    const foreign = http.createServer((_req, res) => res.end('not tracefork'));
    const port = await new Promise<number>((r) => foreign.listen(0, '127.0.0.1', () => r((foreign.address() as AddressInfo).port)));
    await setPort(port);
    const s = await waitFor('the conflict state', async () => (await state()).receiver.mode === 'conflict' && state());
    assert.equal(s.receiver.port, port);
    assert.match(s.receiver.detail, new RegExp(`port ${port} is used by another program`));
    await new Promise((r) => foreign.close(r));
    await vscode.commands.executeCommand('tracefork.restartReceiver');
    await waitFor('receiving on the freed port', async () => (await state()).receiver.mode === 'owner' && (await state()).receiver.port === port);
  });

  it('follows another Tracefork on the port, shows its runs live, and takes over when it exits', async () => {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-follow-'));
    const db = path.join(dir, 'traces.db');
    const cli = path.join(process.env.TRACEFORK_E2E_REPO ?? '', 'dist', 'cli.js');
    const other: ChildProcess = spawn(process.env.TRACEFORK_E2E_NODE || 'node', [cli, 'serve', '--port', String(port), '--db', db], { stdio: 'pipe' });
    try {
      await waitFor('the other receiver', async () => fs.existsSync(`${db}.journal`));
      await setPort(port);
      const s = await waitFor('follower mode', async () => (await state()).receiver.mode === 'follower' && state());
      assert.equal(s.receiver.dbPath, db);
      const traceId = 'ab'.repeat(16);
      const body = JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId,
                    spanId: 'cd'.repeat(8),
                    name: 'sent to the other window',
                    startTimeUnixNano: '1700000000000000000',
                    endTimeUnixNano: '1700000001000000000',
                  },
                ],
              },
            ],
          },
        ],
      });
      const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      assert.equal(res.status, 200);
      await waitFor("the other window's run, shown here", async () => (await state()).runs.some((r) => r.traceId === traceId));
      other.kill('SIGTERM');
      await waitFor('the take-over', async () => (await state()).receiver.mode === 'owner' && (await state()).receiver.port === port);
    } finally {
      other.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
