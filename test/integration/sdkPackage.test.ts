/**
 * The Node SDK as an agent project gets it: `npm pack` of sdk/ (its prepack builds the bundles and
 * the type declarations), installed with npm into a scratch project beside its OpenTelemetry peers;
 * a small TypeScript agent type-checks against the package alone (the SDK's own declarations,
 * skipLibCheck off), a wrong call is a type error, and the installed package runs.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../support/tmp';

const ROOT = path.resolve(__dirname, '../..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const PEERS = [
  '@opentelemetry/api',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/sdk-trace-base',
  '@types/node',
];

const AGENT = `
import { register, step, tool, traceforkFetch, inputHash, ATTR, type ReplayPlan, type RegisterOptions } from '@tracefork/sdk';

const options: RegisterOptions = { serviceName: 'scratch-agent', endpoint: 'http://127.0.0.1:1' };
const registration = register(options);
const lookup = tool('lookup', async (city: string) => ({ city, temperature: 21 }));
const fetchWithRecording: typeof fetch = traceforkFetch();
const plan: ReplayPlan | null = null;

export async function main(): Promise<number> {
  const answer = await step('agent', async (q: string) => (await lookup(q)).temperature, 'Paris');
  const key: string = inputHash({ q: 'Paris' });
  void fetchWithRecording; void plan; void ATTR; void key;
  await registration.shutdown();
  return answer;
}
`;

describe('the packed Node SDK in a scratch agent project', function () {
  this.timeout(180_000);
  let tmp: ReturnType<typeof tmpDir>;
  let project: string;

  before(() => {
    tmp = tmpDir('tracefork-sdk-pack-');
    const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp.dir], {
      cwd: path.join(ROOT, 'sdk'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [{ filename, files }] = JSON.parse(packed.slice(packed.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const names = files.map((f) => f.path);
    assert.ok(
      names.includes('dist/index.d.ts') && names.includes('dist/index.js') && names.includes('dist/contract/index.d.ts'),
      `the package holds the bundles and declarations: ${names.join(', ')}`,
    );
    assert.ok(!names.some((n) => n.startsWith('src/')), 'no TypeScript sources are needed');
    project = path.join(tmp.dir, 'agent');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'scratch-agent', private: true, version: '0.0.0' }));
    // The SDK through npm itself; then its peers from this repository's node_modules (no network).
    execFileSync(
      'npm',
      ['install', '--no-save', '--offline', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', path.join(tmp.dir, filename)],
      { cwd: project, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    for (const peer of PEERS) {
      fs.mkdirSync(path.dirname(path.join(project, 'node_modules', peer)), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules', peer), path.join(project, 'node_modules', peer), 'dir');
    }
    fs.writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'commonjs', moduleResolution: 'node', strict: true, skipLibCheck: false, types: ['node'], noEmit: true },
        include: ['*.ts'],
      }),
    );
  });

  after(() => tmp.cleanup());

  const tsc = () => spawnSync(process.execPath, [TSC, '-p', project], { encoding: 'utf8' });

  it('installs from the tarball with npm, and a small agent type-checks against its declarations alone', () => {
    assert.ok(!fs.lstatSync(path.join(project, 'node_modules', '@tracefork', 'sdk')).isSymbolicLink(), 'installed, not linked');
    fs.writeFileSync(path.join(project, 'agent.ts'), AGENT);
    const r = tsc();
    assert.equal(r.status, 0, `tsc: ${r.stdout}${r.stderr}`);
  });

  it('the declarations are real types: a wrong call is a type error naming it', () => {
    fs.writeFileSync(path.join(project, 'agent.ts'), `${AGENT}\nregister({ endpoint: 4318 });\nconst n: number = inputHash('x');\n`);
    const r = tsc();
    assert.equal(r.status, 2, 'tsc fails');
    assert.match(r.stdout, /agent\.ts\(\d+,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
    assert.equal((r.stdout.match(/error TS/g) ?? []).length, 2, r.stdout);
  });

  it('the installed package runs: register() and the auto entry load from it', () => {
    const script =
      "const sdk = require('@tracefork/sdk'); const r = sdk.register({ serviceName: 'scratch', endpoint: 'http://127.0.0.1:1' }); const run = sdk.tool('t', async (x) => x * 2); run(21).then(async (v) => { await r.provider.shutdown().catch(() => {}); console.log(JSON.stringify({ v, auto: require.resolve('@tracefork/sdk/auto').includes('node_modules') })); });";
    const out = execFileSync(process.execPath, ['-e', script], { cwd: project, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out.trim().split('\n').pop()!), { v: 42, auto: true });
  });
});
