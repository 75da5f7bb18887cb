// Entry of the in-host end-to-end suite, loaded by VS Code's extension host through
// `extensionTestsPath` (the @vscode/test-electron contract: export `run(): Promise<void>`).
// Runs every *.test.js compiled beside it with mocha and prints its own closing line, since
// mocha's summary reaches the browser console only as format strings.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** Marks this suite's lines in the browser console, where the harness picks them out. */
const MARK = '[e2e-host] ';

/** Where the harness asks for a JSON copy of the results (set in code-server's environment). */
const RESULTS_VAR = 'TRACEFORK_E2E_HOST_RESULTS';

interface HostResults {
  passed: number;
  failed: number;
  failures: { title: string; error: string }[];
}

/** Runs the suite; rejects when any test failed (VS Code then reports exit code 1). */
export function run(): Promise<void> {
  // Reporters print through Base.consoleLog(fmt, ...args); format here so the console gets plain text.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(MARK + format(...args));
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  const results: HostResults = { passed: 0, failed: 0, failures: [] };
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const line = `${results.passed} passed, ${results.failed} failed`;
        console.log(MARK + line);
        writeResults(results);
        if (failures > 0 || files.length === 0) reject(new Error(files.length ? line : 'no *.test.js found beside index.js'));
        else resolve();
      });
      runner.on('pass', () => results.passed++);
      runner.on('fail', (test, err: Error) => {
        results.failed++;
        results.failures.push({ title: test.fullTitle(), error: String(err?.stack ?? err) });
      });
    } catch (e) {
      results.failed++;
      results.failures.push({ title: 'loading the suite', error: String((e as Error)?.stack ?? e) });
      writeResults(results);
      reject(e);
    }
  });
}

function writeResults(results: HostResults): void {
  const file = process.env[RESULTS_VAR];
  if (file) fs.writeFileSync(file, JSON.stringify(results, null, 2));
}
