/** The Usage and Scores sections. */
import type { Score } from '../../src/shared/protocol';
import type { Step } from '../../src/shared/protocol';
import { formatCost, formatDuration, formatInt } from '../format';
import { Icon } from '../Icon';
import { KeyValueTable, Section, TraceText, type KeyValue } from './Section';

/** Tokens, cost, model, provider, finish reason, timing: only the figures the step has. */
export function Usage({ step }: { step: Step }) {
  const rows: KeyValue[] = [];
  const add = (key: string, value: string | number | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') rows.push({ key, value: String(value) });
  };
  add('Input tokens', formatInt(step.inputTokens));
  add('Output tokens', formatInt(step.outputTokens));
  if (step.rollupTokens) add('Tokens of children', `${step.rollupTokens.input ?? 0}→${step.rollupTokens.output ?? 0} (not summed)`);
  add('Cost', formatCost(step.costUsd));
  add('Model', step.model);
  add('Provider', step.provider);
  add('Finish reason', step.finishReason);
  add('Duration', formatDuration(step.durationMs));
  add('Started', step.startTime);
  add('Kind', `${step.kind} (${step.convention})`);
  add('Tool', step.toolName);
  add('Agent', step.agentName);
  add('Session', step.sessionId);
  add('Span', step.spanId);
  return (
    <Section title="Usage">
      <KeyValueTable rows={rows} class="usage" />
    </Section>
  );
}

/** Each score's name, value or label, pass/fail and explanation. */
export function Scores({ scores }: { scores: Score[] }) {
  if (!scores.length) return null;
  return (
    <Section title="Scores" count={scores.length}>
      <table class="scores">
        <tbody>
          {scores.map((s, i) => (
            <tr key={i} class={s.passed === false ? 'score-failed' : undefined}>
              <td class="score-status">
                {s.passed === true && <Icon name="pass" class="status-passed" label="passed" />}
                {s.passed === false && <Icon name="error" class="status-error" label="failed" />}
              </td>
              <th scope="row">{s.name}</th>
              <td class="score-value">{[s.value ?? '', s.label ?? ''].filter((x) => x !== '').join(' · ')}</td>
              <td class="score-source">{s.source}</td>
              <td>{s.explanation && <TraceText text={s.explanation} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
