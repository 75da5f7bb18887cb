// Drift across runs in the CLI: 32 runs whose model call gets slower from the 21st on, imported as
// OTLP/JSON; `tracefork eval` reports exactly one drift alert, on the run where the recent median
// crossed the baseline's spread, and its exit code still follows the per-step evaluators only.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliOk, ensureBuilt, runCli } from '../support/cli';
import { tmpDir } from '../support/tmp';

describe('tracefork eval: drift alerts across runs', function () {
  this.timeout(60_000);
  it('reports one drift alert for a latency that degrades, in JSON and in the table', () => {
    ensureBuilt();
    const tmp = tmpDir('tracefork-drift-');
    try {
      const db = path.join(tmp.dir, 'traces.db');
      const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
      const lines = Array.from({ length: 32 }, (_, i) => {
        const start = BigInt(1_700_000_000_000 + i * 60_000) * 1_000_000n;
        const ms = i < 20 ? 800 + (i % 4) * 10 : 2400 + (i % 3) * 10;
        return JSON.stringify({
          resourceSpans: [
            {
              scopeSpans: [
                {
                  spans: [
                    {
                      traceId: `0d${hex(i, 30)}`,
                      spanId: `b${hex(i, 15)}`,
                      name: 'chat planner',
                      kind: 3,
                      startTimeUnixNano: String(start),
                      endTimeUnixNano: String(start + BigInt(ms) * 1_000_000n),
                      attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }],
                    },
                  ],
                },
              ],
            },
          ],
        });
      });
      const file = path.join(tmp.dir, 'runs.jsonl');
      fs.writeFileSync(file, lines.join('\n') + '\n');
      cliOk(['import', file, '--db', db]);
      const r = runCli(['eval', '--db', db, '--json']);
      const report = JSON.parse(r.stdout) as { alerts: Array<{ kind: string; traceId: string; metric: string; message: string }> };
      assert.equal(report.alerts.length, 1, JSON.stringify(report.alerts));
      assert.equal(report.alerts[0]!.traceId, `0d${hex(24, 30)}`, 'on the 25th run, when half of the last 10 are slow');
      assert.match(report.alerts[0]!.message, /^latency of `chat planner` rose from a median 8\d\d ms to 1\d{3} ms over the last 10 runs/);
      const table = runCli(['eval', '--db', db]);
      assert.match(table.stdout, /^ALERT 0d0+18 drift: latency of `chat planner` rose/m);
      assert.match(table.stdout, /32 traces: .*; 1 drift\/session alert$/m);
    } finally {
      tmp.cleanup();
    }
  });
});
