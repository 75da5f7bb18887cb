/**
 * The typed command registry (src/extension/commandRegistry.ts) and package.json agree: every
 * contributed command is in the registry, every registry command but the hidden `tracefork.__*`
 * ones is contributed, the menus and welcome links name commands that exist, and nothing in the
 * extension registers a command around the registry.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: {
    commands: Array<{ command: string }>;
    menus: Record<string, Array<{ command: string }>>;
    viewsWelcome: Array<{ contents: string }>;
    views: Record<string, Array<{ id: string }>>;
  };
};
const registrySource = fs.readFileSync(path.join(ROOT, 'src/extension/commandRegistry.ts'), 'utf8');
const interfaceBody = /export interface TraceforkCommands \{([\s\S]*?)\n\}/.exec(registrySource)?.[1] ?? '';
const registry = [...interfaceBody.matchAll(/^\s*'(tracefork\.[\w.]+)':/gm)].map((m) => m[1]!);
const contributed = pkg.contributes.commands.map((c) => c.command);
// VS Code's own commands for each contributed view (`<view id>.focus`).
const viewCommands = new Set(Object.values(pkg.contributes.views).flatMap((vs) => vs.map((v) => `${v.id}.focus`)));

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('the command registry and package.json', () => {
  it('reads the registry it checks', () => {
    assert.ok(registry.length > 30, `found ${registry.length} commands`);
    assert.ok(registry.includes('tracefork.openRun') && registry.includes('tracefork.__state'));
  });

  it('every contributed command is in the registry, and every registry command but the hidden ones is contributed', () => {
    assert.deepEqual(
      contributed.filter((c) => !registry.includes(c)),
      [],
    );
    assert.deepEqual(
      registry.filter((c) => !c.startsWith('tracefork.__') && !contributed.includes(c)),
      [],
    );
    assert.equal(new Set(registry).size, registry.length, 'no id twice');
  });

  it('the menus and the welcome views name commands that exist', () => {
    const known = (id: string) => registry.includes(id) || viewCommands.has(id) || !id.startsWith('tracefork.');
    const inMenus = Object.values(pkg.contributes.menus).flatMap((items) => items.map((i) => i.command));
    const inWelcome = pkg.contributes.viewsWelcome.flatMap((w) => [...w.contents.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]!));
    assert.ok(inMenus.length > 5 && inWelcome.length > 0);
    assert.deepEqual(
      [...inMenus, ...inWelcome].filter((id) => !known(id)),
      [],
    );
  });

  it('the extension registers commands only through the registry', () => {
    const direct = files(path.join(ROOT, 'src/extension'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('commandRegistry.ts'))
      .filter((f) => /commands\.registerCommand\(/.test(fs.readFileSync(f, 'utf8')));
    assert.deepEqual(
      direct.map((f) => path.relative(ROOT, f)),
      [],
    );
  });
});
