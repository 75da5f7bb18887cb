/**
 * `tracefork eval [--db FILE | FILE.otlp.json ...] [--json] [--all] [--evaluators DIR] [--trace ID]`:
 * every evaluator, headless, over every trace in chronological order (each trace's latency and cost
 * are judged against the earlier ones). Exit code 1 when any step fails: usable as a CI gate.
 */
import * as fs from 'node:fs';
import type { Step } from '../core/model/step';
import { buildSteps } from '../core/model/steps';
import { TraceStore } from '../core/store/store';
import type { StoredTrace } from '../core/store/queries';
import { Baseline } from '../core/eval/baseline';
import { mergeScores, runEvaluators } from '../core/eval/engine';
import { scorecard } from '../core/eval/score';
import { tracesFromOtlpJson } from '../core/eval/otlpFile';
import { chronological } from '../core/eval/trace';
import { DEFAULT_CRITERIA, judgeRun, type JudgeConfig } from '../core/eval/judge';
import { CustomEvaluators } from '../core/eval/custom/customEvaluators';
import { DriftDetector } from '../core/eval/drift';
import { anyFailed, formatTable, traceReport, type EvalReport } from '../core/eval/report';
import { defaultDb, parse, UsageError } from './args';
import { CliError } from './commands';

const warn = (m: string) => process.stderr.write(`tracefork: warning: ${m}\n`);

/** Steps of each trace, oldest trace first, read lazily from a store or from OTLP/JSON files. */
type Source = { runs: () => Iterable<Step[]>; close: () => void };

async function fromDb(db: string): Promise<Source> {
  if (!fs.existsSync(`${db}.journal`))
    throw new CliError(`no Tracefork database at ${db}; run \`tracefork serve --db ${db}\` or \`tracefork import FILE --db ${db}\` first`);
  const store = await TraceStore.open(db, { readOnly: true, onWarning: warn });
  function* runs() {
    for (const t of chronological(store.list())) {
      const trace = store.get(t.traceId);
      if (trace) yield buildSteps(trace);
    }
  }
  return { runs, close: () => store.close() };
}

function fromFiles(files: string[]): Source {
  const traces = new Map<string, StoredTrace>();
  for (const file of files) {
    if (!fs.existsSync(file)) throw new CliError(`no such file: ${file}`);
    try {
      tracesFromOtlpJson(fs.readFileSync(file, 'utf8'), traces);
    } catch (e) {
      throw new CliError(`${file} is not OTLP/JSON: ${(e as Error).message}`);
    }
  }
  const runs = [...traces.values()].map((t) => buildSteps(t)).filter((s) => s.length);
  const first = (steps: Step[]) => steps.reduce((m, s) => (s.startTime < m ? s.startTime : m), steps[0].startTime);
  runs.sort((a, b) => (first(a) < first(b) ? -1 : first(a) > first(b) ? 1 : 0));
  return { runs: () => runs, close: () => undefined };
}

/**
 * The optional LLM judge: off unless --judge-url is given (any OpenAI-compatible endpoint); the key
 * comes from TRACEFORK_JUDGE_API_KEY so it never lands in shell history or CI logs.
 */
function judgeConfig(url: string | undefined, model: string | undefined, criteria: string | undefined): JudgeConfig | null {
  if (url === undefined) {
    if (model !== undefined || criteria !== undefined) throw new UsageError('--judge-model and --judge-criteria need --judge-url');
    return null;
  }
  if (!model) throw new UsageError('--judge-url needs --judge-model');
  return { enabled: true, baseUrl: url, model, apiKey: process.env.TRACEFORK_JUDGE_API_KEY, criteria: criteria ?? DEFAULT_CRITERIA };
}

/** Runs the command, writing its output with `write`; returns the report (exit code is the caller's). */
export async function runEval(argv: string[], write: (s: string) => void): Promise<EvalReport> {
  const str = { type: 'string' as const };
  const opts = {
    db: str,
    json: { type: 'boolean' as const },
    all: { type: 'boolean' as const },
    evaluators: str,
    trace: str,
    'judge-url': str,
    'judge-model': str,
    'judge-criteria': str,
  };
  const { values, positionals } = parse(argv, opts, { min: 0, max: Infinity, name: 'FILE' });
  const judge = judgeConfig(values['judge-url'], values['judge-model'], values['judge-criteria']);
  if (values.db !== undefined && positionals.length) throw new UsageError('give --db FILE or OTLP/JSON files, not both');
  if (values.evaluators !== undefined && !fs.existsSync(values.evaluators)) throw new CliError(`no evaluators folder at ${values.evaluators}`);
  const source = positionals.length ? fromFiles(positionals) : await fromDb(values.db ?? defaultDb());
  // Passing --evaluators is the trust decision: the CLI runs that folder's code only when asked to.
  const custom = values.evaluators !== undefined ? new CustomEvaluators({ trusted: true }) : null;
  try {
    if (custom) for (const n of (await custom.load(values.evaluators!)).notices) warn(n);
    const report: EvalReport = { traces: [], alerts: [] };
    const baseline = new Baseline();
    const drift = new DriftDetector();
    for (const steps of source.runs()) {
      if (!values.trace || steps[0]?.traceId === values.trace) {
        const { scores } = runEvaluators(steps, { baseline });
        if (custom) {
          const extra = await custom.run(steps);
          mergeScores(scores, extra.scores);
          for (const n of extra.notices) warn(n);
        }
        if (judge) mergeScores(scores, await judgeRun(steps, judge));
        report.traces.push(traceReport(steps, scores, scorecard(scores.values())));
        report.alerts!.push(...drift.observe(steps[0]?.traceId ?? '', steps, scores));
      }
      baseline.observe(steps);
      if (values.trace && report.traces.length) break;
    }
    if (values.trace && !report.traces.length) throw new CliError(`no trace ${values.trace}; \`tracefork list\` shows the trace ids`);
    write(values.json ? JSON.stringify(report, null, 2) + '\n' : formatTable(report, values.all));
    return report;
  } finally {
    await custom?.dispose();
    source.close();
  }
}

/** `eval`: prints the report; exit code 1 when any step failed (a CI gate). */
export async function evalCommand(argv: string[]): Promise<number> {
  const report = await runEval(argv, (s) => process.stdout.write(s));
  return anyFailed(report) ? 1 : 0;
}
