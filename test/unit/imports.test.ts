/**
 * The layers' import rules, read from the sources: the contract module is a leaf, the SDK needs
 * nothing outside sdk/, core never imports the VS Code layer, the CLI or the webview protocol, the
 * webviews reach core only through src/shared, the layers have no cycle, and the extension reads its
 * settings through config.ts only.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SPEC =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[^\w.])(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

type Layer = 'contract' | 'sdk' | 'core' | 'shared' | 'webview' | 'extension' | 'cli';

function layerOf(file: string): Layer | null {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  if (rel === 'sdk/src/contract' || rel.startsWith('sdk/src/contract/')) return 'contract';
  if (rel.startsWith('sdk/src/')) return 'sdk';
  if (rel.startsWith('src/core/')) return 'core';
  if (rel.startsWith('src/shared/')) return 'shared';
  if (rel.startsWith('webview/')) return 'webview';
  if (rel.startsWith('src/extension/')) return 'extension';
  if (rel.startsWith('src/cli')) return 'cli';
  return null;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !rel.includes(`${path.sep}dev${path.sep}`)) out.push(path.join(ROOT, rel));
  }
  return out;
}

/** Every import of the product's sources: [file, specifier, resolved file or null for a package]. */
function imports(): Array<{ file: string; spec: string; target: string | null }> {
  const out: Array<{ file: string; spec: string; target: string | null }> = [];
  for (const file of [...sources('sdk/src'), ...sources('src'), ...sources('webview')]) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(SPEC)) {
      const spec = m[1] ?? m[2] ?? m[3];
      out.push({ file, spec, target: spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : null });
    }
  }
  return out;
}

const rel = (f: string) => path.relative(ROOT, f);

describe('layers and their imports', () => {
  const all = imports();

  it('reads the imports it checks (a broken reader would pass everything)', () => {
    assert.ok(all.length > 500, `${all.length} imports`);
    assert.ok(all.some((i) => rel(i.file) === 'sdk/src/callSite.ts' && i.spec === './contract'));
  });

  it('the contract module imports only Node and itself', () => {
    const bad = all.filter((i) => layerOf(i.file) === 'contract' && (i.target ? layerOf(i.target) !== 'contract' : !i.spec.startsWith('node:')));
    assert.deepEqual(
      bad.map((i) => `${rel(i.file)} → ${i.spec}`),
      [],
    );
  });

  it('the SDK imports nothing outside sdk/ (its packages: OpenTelemetry and Node)', () => {
    const bad = all.filter((i) => layerOf(i.file) === 'sdk' && (i.target ? !rel(i.target).startsWith('sdk/') : !/^(node:|@opentelemetry\/)/.test(i.spec)));
    assert.deepEqual(
      bad.map((i) => `${rel(i.file)} → ${i.spec}`),
      [],
    );
  });

  it('core never imports vscode, the extension, the CLI or the webview protocol', () => {
    const bad = all.filter(
      (i) => layerOf(i.file) === 'core' && (i.spec === 'vscode' || (i.target && ['extension', 'cli', 'shared', 'webview'].includes(layerOf(i.target) ?? ''))),
    );
    assert.deepEqual(
      bad.map((i) => `${rel(i.file)} → ${i.spec}`),
      [],
    );
  });

  it('the webviews import only src/shared of the project, and src/shared only types of the step model', () => {
    const fromWebview = all.filter((i) => layerOf(i.file) === 'webview' && i.target && !['webview', 'shared'].includes(layerOf(i.target) ?? ''));
    assert.deepEqual(
      fromWebview.map((i) => `${rel(i.file)} → ${i.spec}`),
      [],
    );
    const fromShared = all.filter(
      (i) => layerOf(i.file) === 'shared' && i.target && layerOf(i.target) === 'core' && !/^\.\.\/core\/(model\/step|view\/rows)$/.test(i.spec),
    );
    assert.deepEqual(
      fromShared.map((i) => `${rel(i.file)} → ${i.spec}`),
      [],
    );
  });

  it('the layers have no import cycle', () => {
    const edges = new Map<Layer, Set<Layer>>();
    for (const i of all) {
      const from = layerOf(i.file);
      const to = i.target ? layerOf(i.target) : null;
      if (from && to && from !== to) (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
    }
    const cycle = (start: Layer): Layer[] | null => {
      const walk = (at: Layer, trail: Layer[]): Layer[] | null => {
        for (const next of edges.get(at) ?? []) {
          if (next === start) return [...trail, next];
          if (!trail.includes(next)) {
            const found = walk(next, [...trail, next]);
            if (found) return found;
          }
        }
        return null;
      };
      return walk(start, [start]);
    };
    for (const layer of edges.keys()) assert.equal(cycle(layer)?.join(' → ') ?? null, null);
    assert.ok(edges.get('core')?.has('contract') && edges.get('sdk')?.has('contract'), 'both sides use the contract');
  });

  it("the extension reads its settings only through config.ts (typed, one place for each setting's default)", () => {
    const files = sources('src/extension');
    assert.ok(files.length > 10);
    const direct = files.filter((f) => !f.endsWith(`${path.sep}config.ts`) && /\.getConfiguration\(/.test(fs.readFileSync(f, 'utf8')));
    assert.deepEqual(
      direct.map((f) => path.relative(ROOT, f)),
      [],
    );
    assert.match(fs.readFileSync(path.join(ROOT, 'src/extension/config.ts'), 'utf8'), /\.getConfiguration\(/, 'the reader itself is found');
  });
});
