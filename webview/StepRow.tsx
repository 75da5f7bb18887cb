/** One row of the step tree: the tree part (indent, twisty, icon, name, figures) and its waterfall bar. */
import type { RowData } from '../src/shared/protocol';
import { barGeometry, formatCost, formatDuration, formatTokens } from './format';
import { Icon, KIND_ICON } from './Icon';

/** Where the row sits and how it reacts. */
export interface StepRowProps {
  index: number;
  row: RowData | undefined;
  /** Offset in pixels inside the list. */
  top: number;
  selected: boolean;
  collapsed: boolean;
  /** Another instrumentation's span of this same model call is nested in it (header.folded). */
  folded?: boolean;
  /** The trace's duration, the waterfall's full width. */
  totalMs: number;
  onSelect(index: number): void;
  onToggle(index: number): void;
  onOpen(index: number): void;
}

const INDENT_PX = 14;

/** A treeitem row; a placeholder while its page has not arrived. */
export function StepRow(p: StepRowProps) {
  const { row, index } = p;
  const common = {
    id: `step-${index}`,
    role: 'treeitem' as const,
    'data-index': index,
    'aria-selected': p.selected,
    // Position through the CSSOM (allowed by the CSP), never a style attribute string.
    style: { transform: `translateY(${p.top}px)` },
    onClick: () => p.onSelect(index),
  };
  if (!row) {
    return (
      <div {...common} class={p.selected ? 'row placeholder selected' : 'row placeholder'} aria-level={1}>
        <span class="cell-name placeholder-text">Loading…</span>
      </div>
    );
  }
  const hasChildren = row.descendants > 0;
  const failed = row.status === 'error';
  const cls = `row${p.selected ? ' selected' : ''}${failed ? ' failed' : ''}`;
  return (
    <div
      {...common}
      class={cls}
      data-loaded="true"
      aria-level={row.depth + 1}
      aria-expanded={hasChildren ? !p.collapsed : undefined}
      title={row.error ?? undefined}
      onDblClick={() => p.onOpen(index)}
    >
      <span class="cell-name" style={{ paddingLeft: `${row.depth * INDENT_PX}px` }}>
        <span
          class="twisty"
          onClick={(e) => {
            e.stopPropagation();
            if (hasChildren) p.onToggle(index);
          }}
        >
          {hasChildren && <Icon name={p.collapsed ? 'chevron-right' : 'chevron-down'} />}
        </span>
        <Icon name={KIND_ICON[row.kind] ?? 'circle-outline'} class={`kind-icon kind-${row.kind}`} />
        <span class="name">{row.name}</span>
        {p.folded && (
          <span
            class="chip chip-folded"
            title="Another instrumentation's span of this same model call is folded into this row (its tokens and cost are counted once); expand to see it"
          >
            1 call
          </span>
        )}
        {failed && <Icon name="error" class="status-error" label="failed" />}
        <ScoreChips names={row.failedScores} />
      </span>
      <span class="cell cell-model">{row.model ?? ''}</span>
      <span class="cell cell-tokens">{formatTokens(row.inputTokens, row.outputTokens)}</span>
      <span class="cell cell-cost">{formatCost(row.costUsd)}</span>
      <span class="cell cell-duration">{formatDuration(row.durationMs)}</span>
      <Bar row={row} totalMs={p.totalMs} />
    </div>
  );
}

function ScoreChips({ names }: { names: string[] }) {
  if (!names?.length) return null;
  return (
    <>
      {names.slice(0, 2).map((n) => (
        <span key={n} class="chip chip-failed" title={`failed score: ${n}`}>
          {n}
        </span>
      ))}
      {names.length > 2 && <span class="chip chip-failed">+{names.length - 2}</span>}
    </>
  );
}

function Bar({ row, totalMs }: { row: RowData; totalMs: number }) {
  const g = barGeometry(row.offsetMs, row.durationMs, totalMs);
  return (
    <span class="cell-waterfall">
      <span class={`bar kind-${row.kind}${row.status === 'error' ? ' bar-error' : ''}`} style={{ left: `${g.left}%`, width: `${g.width}%` }} />
    </span>
  );
}
