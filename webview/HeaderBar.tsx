/** The bar above the tree: the trace's name and totals. */
import type { TraceHeader } from '../src/shared/protocol';
import { formatCost, formatDuration, formatInt, formatTokens } from './format';
import { Icon } from './Icon';

/** Trace name, total duration, steps, errors, tokens in→out and cost. */
export function HeaderBar({ header }: { header: TraceHeader }) {
  const cost = formatCost(header.costUsd);
  return (
    <header class="trace-header">
      <h1 class="trace-name" title={header.traceId}>
        {header.name || header.traceId}
      </h1>
      <Stat label="Duration" value={formatDuration(header.durationMs)} />
      <Stat label="Steps" value={formatInt(header.rowCount)} />
      <span class={header.errorCount > 0 ? 'stat stat-errors has-errors' : 'stat stat-errors'}>
        {header.errorCount > 0 && <Icon name="error" class="status-error" />}
        <span class="stat-label">Errors</span> <span class="stat-value">{header.errorCount}</span>
      </span>
      <Stat label="Tokens" value={formatTokens(header.inputTokens, header.outputTokens) || '0'} />
      {cost && <Stat label="Cost" value={cost} />}
    </header>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <span class="stat">
      <span class="stat-label">{label}</span> <span class="stat-value">{value}</span>
    </span>
  );
}
