/**
 * Verdict files: a big run's scores saved beside the store read back equal; a file that no longer
 * matches what the scores were made from (code version, journal generation, the run's records,
 * options, prices, damage) is not used and is deleted; the files stay within their budget; and the
 * evaluation session reads a saved verdict instead of judging the run again.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../../../../test/support/tmp';
import { request, span } from '../../../../test/support/otlp';
import { TraceStore } from '../../store/store';
import { EvalSession } from './session';
import { VerdictFiles, type ScoreEntries, type VerdictKey } from './verdictFile';

const TRACE = 'ab'.repeat(16);
const score = (name: string, passed: boolean | null, extra: Partial<ScoreEntries[number][1][number]> = {}) => ({
  name,
  value: passed === null ? null : passed ? 1 : 0,
  label: passed === null ? null : passed ? 'pass' : 'fail',
  passed,
  source: 'builtin',
  explanation: passed === false ? `${name} failed: rate limited` : null,
  ...extra,
});
const SCORES: ScoreEntries = [
  ['0000000000000001', [score('tool-failure', false, { evaluatorVersion: '2' }), score('latency', true)]],
  ['0000000000000002', [score('latency', null), score('groundedness', true, { value: 0.75, label: 'supported' })]],
  ['0000000000000003', []],
];

describe('verdict files (a big run’s scores saved beside the store)', () => {
  let tmp: ReturnType<typeof tmpDir>;
  let dir: string;
  const files = (version = '1.2.3', budgetBytes?: number) => new VerdictFiles({ dir, version, budgetBytes, minSteps: 1 });
  const key = (over: Partial<VerdictKey> = {}): VerdictKey => ({
    journal: { path: '/s/journal', generation: 'g1' },
    trace: { traceId: TRACE, spanCount: 3, startUs: 1, offsets: [0, 4096] },
    options: { maxSteps: 50 },
    prices: { date: '2026-12-01', source: 'test', models: { 'gpt-4o': { input: 2.5, output: 10 } } },
    ...over,
  });

  beforeEach(() => {
    tmp = tmpDir('tracefork-verdicts-');
    dir = path.join(tmp.dir, 'verdicts');
  });
  afterEach(() => tmp.cleanup());

  it('reads back the scores it saved, every field as it was', () => {
    files().save(key(), SCORES);
    assert.deepEqual(files().load(key()), SCORES);
    assert.deepEqual(fs.readdirSync(dir), [path.basename(files().file(TRACE))], 'one file, no temporary file left');
  });

  it('does not use, and deletes, a file made from something else or damaged', () => {
    const cases: Array<[string, () => ScoreEntries | null]> = [
      ['another version of the code', () => files('1.2.4').load(key())],
      ['another journal generation', () => files().load(key({ journal: { path: '/s/journal', generation: 'g2' } }))],
      ['another journal', () => files().load(key({ journal: { path: '/t/journal', generation: 'g1' } }))],
      ['a run that gained a record', () => files().load(key({ trace: { ...key().trace, offsets: [0, 4096, 8192], spanCount: 4 } }))],
      ['other options', () => files().load(key({ options: { maxSteps: 60 } }))],
      ['other prices', () => files().load(key({ prices: undefined }))],
      [
        'another trace’s file in its place',
        () => {
          fs.copyFileSync(files().file('cd'.repeat(16)), files().file(TRACE));
          return files().load(key());
        },
      ],
      [
        'a torn file',
        () => {
          const f = files().file(TRACE);
          fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2));
          return files().load(key());
        },
      ],
      [
        'a string index out of range',
        () => {
          const f = files().file(TRACE);
          const meta = JSON.parse(fs.readFileSync(f, 'utf8')) as { spans: Array<[string, number[][]]> };
          meta.spans[0]![1][0]![0] = 999;
          fs.writeFileSync(f, JSON.stringify(meta));
          return files().load(key());
        },
      ],
    ];
    for (const [why, load] of cases) {
      files().save(key(), SCORES);
      files().save(key({ trace: { ...key().trace, traceId: 'cd'.repeat(16) } }), SCORES);
      assert.equal(load(), null, why);
      assert.ok(!fs.existsSync(files().file(TRACE)), `${why}: the file is deleted`);
    }
  });

  it('keeps the files within the budget, least recently used out first', () => {
    const id = (i: number) => String(i).repeat(32);
    files().save(key({ trace: { ...key().trace, traceId: id(1) } }), SCORES);
    const f = files('1.2.3', fs.statSync(files().file(id(1))).size * 2.5); // room for two
    f.save(key({ trace: { ...key().trace, traceId: id(2) } }), SCORES);
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(f.file(id(2)), past, past);
    assert.ok(f.load(key({ trace: { ...key().trace, traceId: id(1) } })), 'reading one marks it used');
    f.save(key({ trace: { ...key().trace, traceId: id(3) } }), SCORES);
    assert.deepEqual(
      [1, 2, 3].map((i) => fs.existsSync(f.file(id(i)))),
      [true, false, true],
    );
  });

  it('the evaluation session judges a run once: a new session reads the saved verdict, until the run changes', async () => {
    const store = await TraceStore.open(path.join(tmp.dir, 'traces.db'));
    try {
      const root = span({ traceId: TRACE, name: 'invoke_agent support', durMs: 100 });
      const tool = (i: number) =>
        span({
          traceId: TRACE,
          parentSpanId: root.spanId,
          name: 'execute_tool search',
          startMs: 1_700_000_000_000 + i,
          attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' },
          error: 'search is down',
        });
      store.ingestTraces(Buffer.from(JSON.stringify(request([root, tool(1)]))), 'json');
      const ask = (session: EvalSession, id: number) => {
        const { journal, traces } = store.locate([TRACE]);
        return session.verdict({ type: 'verdict', id, traceId: TRACE, journal, trace: traces[0]! });
      };
      const first = new EvalSession(files());
      const judged = ask(first, 1);
      assert.equal(judged.source, 'now');
      assert.ok(judged.scores!.flatMap(([, l]) => l).some((x) => x.name === 'tool-failure' && x.passed === false));
      first.close();
      assert.ok(fs.existsSync(files().file(TRACE)), 'saved before the reply');
      const again = new EvalSession(files());
      const read = ask(again, 2);
      assert.equal(read.source, 'saved');
      assert.deepEqual(read.scores, judged.scores);
      store.ingestTraces(Buffer.from(JSON.stringify(request([tool(2)]))), 'json');
      const grown = ask(new EvalSession(files()), 3);
      assert.equal(grown.source, 'now', 'a run that grew is judged again');
      assert.equal(grown.scores!.length, 3);
      again.close();
    } finally {
      store.close();
    }
  });
});
