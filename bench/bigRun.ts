/**
 * `npm run bench:big`: `tracefork show --json` and `tracefork export` of one big run (default
 * 100,000 chat steps with ~2 KB prompts), run as the built CLI under /usr/bin/time: wall time and
 * peak RSS of each, beside `tracefork list` of the same store (the baseline: opening the store).
 *   node --import tsx bench/bigRun.ts [STEPS]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { TraceStore } from '../src/core/store/store';
import { chatSpan } from './payload';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const STEPS = Number(process.argv[2] ?? 100_000);

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error('build first: node esbuild.mjs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracefork-bigrun-'));
  const db = path.join(dir, 'traces.db');
  try {
    const traceId = randomBytes(16).toString('hex');
    const store = await TraceStore.open(db);
    const root = chatSpan(traceId, undefined, 0);
    root.name = 'invoke_agent big';
    for (let i = 0; i < STEPS; i += 1000) {
      const spans = Array.from({ length: Math.min(1000, STEPS - i) }, (_, k) => (i + k === 0 ? root : chatSpan(traceId, root.spanId, i + k)));
      store.ingestTraces(
        Buffer.from(JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'bench' }, spans }] }] })),
        'json',
      );
    }
    store.close();
    const rows: string[] = [];
    const timed = (label: string, args: string[]) => {
      const out = path.join(dir, 'out');
      const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, CLI, ...args, '--db', db], {
        encoding: 'utf8',
        stdio: ['ignore', fs.openSync(out, 'w'), 'pipe'],
      });
      if (r.status !== 0) throw new Error(`${label}: ${r.stderr}`);
      const [secs, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
      const bytes = fs.statSync(out).size;
      // The output is one whole JSON document (parsed when it fits in one V8 string, else its ends checked).
      if (args[0] !== 'list' && bytes < 400e6) JSON.parse(fs.readFileSync(out, 'utf8'));
      else if (args[0] !== 'list') {
        const fd = fs.openSync(out, 'r');
        const ends = Buffer.alloc(2);
        fs.readSync(fd, ends, 0, 1, 0);
        fs.readSync(fd, ends, 1, 1, bytes - 2);
        fs.closeSync(fd);
        if (ends.toString() !== '{}') throw new Error(`${label}: the output is not one JSON object`);
      }
      rows.push(`| ${label} | ${(secs * 1000).toFixed(0)} ms | ${(kb / 1024).toFixed(0)} MB | ${(bytes / 1e6).toFixed(1)} MB |`);
      return { secs, kb };
    };
    const base = timed('`list --json` (baseline: open the store)', ['list', '--json']);
    const show = timed(`\`show --json\` of the ${STEPS.toLocaleString('en-US')}-step run`, ['show', traceId, '--json']);
    const exp = timed(`\`export\` of the ${STEPS.toLocaleString('en-US')}-step run`, ['export', traceId]);
    console.log(`| command | wall time | peak RSS | output |\n|---|---|---|---|\n${rows.join('\n')}`);
    console.log(
      `show: ${(show.secs / base.secs).toFixed(1)}× the baseline's time, ${(show.kb / base.kb).toFixed(1)}× its memory; export: ${(exp.secs / base.secs).toFixed(1)}×, ${(exp.kb / base.kb).toFixed(1)}×`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
