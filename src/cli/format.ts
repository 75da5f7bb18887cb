/** Human-readable output of the CLI (the --json forms are the machine contract). */
import type { Step } from '../core/model/step';
import type { ItemStream } from '../core/otlp/exportJson';
import type { TraceSummary } from '../core/store/queries';

const out = (s: string) => process.stdout.write(s + '\n');
const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)}s` : `${n.toFixed(1)}ms`);

/** The trace list as a table. */
export function printTraces(traces: TraceSummary[]): void {
  if (!traces.length) {
    out('no traces yet');
    return;
  }
  out(['TRACE ID'.padEnd(32), 'STARTED'.padEnd(24), 'SPANS'.padStart(6), 'ERR'.padStart(4), 'DURATION'.padStart(9), ' NAME'].join(' '));
  for (const t of traces) {
    out(
      [t.traceId, t.startTime.padEnd(24), String(t.spanCount).padStart(6), String(t.errorCount).padStart(4), ms(t.durationMs).padStart(9), ` ${t.name}`].join(
        ' ',
      ),
    );
  }
}

/** A trace's steps as an indented tree. */
export function printSteps(traceId: string, steps: readonly Step[] | ItemStream<Step>): void {
  const stream: ItemStream<Step> = 'each' in steps ? steps : { count: steps.length, each: (visit) => steps.forEach((s) => visit(s)) };
  out(`trace ${traceId}: ${stream.count} steps`);
  stream.each((s) => {
    const bits = [
      s.kind,
      s.model,
      s.inputTokens !== null ? `${s.inputTokens}→${s.outputTokens} tok` : null,
      s.costUsd !== null ? `$${s.costUsd.toFixed(6)}` : null,
      ms(s.durationMs),
    ];
    const mark = s.status === 'error' ? '✗' : s.status === 'ok' ? '✓' : '·';
    out(
      `${'  '.repeat(s.depth)}${mark} ${s.name}  [${bits.filter(Boolean).join(', ')}]${s.error ? `  ${s.error}` : ''}${s.code ? `  (${s.code.file}:${s.code.line ?? ''})` : ''}`,
    );
  });
}
