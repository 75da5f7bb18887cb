// Runs inside the real VS Code extension host (code-server): the host is the pinned VS Code,
// and the Tracefork extension is present, activates and registers every command it contributes.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'tracefork.tracefork';

describe('VS Code host (smoke)', () => {
  it('is VS Code 1.139.x', () => {
    assert.match(vscode.version, /^1\.139\./);
  });

  it(`has ${EXTENSION_ID}, which activates`, async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in this host`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('registers every command the extension contributes', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in this host`);
    await ext.activate();
    const contributed: { command: string }[] = ext.packageJSON?.contributes?.commands ?? [];
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });
});
