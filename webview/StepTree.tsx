/**
 * The step tree and waterfall as one virtual list over the visible rows: fixed 22px rows,
 * only the rendered range (plus overscan) in the DOM, its pages asked for as it scrolls.
 * Keyboard per the WAI-ARIA tree pattern; the focus stays on the tree (aria-activedescendant).
 */
import { useEffect, useLayoutEffect, useMemo, useRef } from 'preact/hooks';
import type { TraceHeader } from '../src/shared/protocol';
import { formatDuration } from './format';
import { StepRow } from './StepRow';
import { treeKeyAction, type TreeAction } from './treeKeys';
import type { TraceState } from './useTrace';
import { useVirtualizer } from './useVirtualizer';

/** Height of one row in pixels (also in style.css as --row-height). */
export const ROW_HEIGHT = 22;
const OVERSCAN = 20;

/** The tree pane: column headings and the virtual list. */
export function StepTree({ trace, header }: { trace: TraceState; header: TraceHeader }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const { visible, rows, selected, collapsed } = trace;
  const folded = useMemo(() => new Set(header.folded ?? []), [header.folded]);
  const virtualizer = useVirtualizer({ count: visible.length, rowHeight: ROW_HEIGHT, overscan: OVERSCAN, getScrollElement: () => scrollRef.current });
  const items = virtualizer.getVirtualItems();
  const first = items.length ? items[0].index : 0;
  const last = items.length ? items[items.length - 1].index : -1;

  // Before paint, so the pages are on their way a frame sooner.
  // `items` and `trace` are new objects each render: the range, the rows and the cache's version are what change the pages needed.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useLayoutEffect(() => trace.ensure(items.map((it) => visible[it.index])), [first, last, visible, trace.version]);

  // Scroll the selection into view when it changes, not when pages arrive while the user scrolls.
  const visibleRef = useRef(visible);
  visibleRef.current = visible;
  useEffect(() => {
    const pos = selected >= 0 ? visibleRef.current.indexOf(selected) : -1;
    if (pos >= 0) virtualizer.scrollToIndex(pos, { align: 'auto' });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new selection scrolls (the virtualizer is a new object each render)
  }, [selected]);

  function apply(a: TreeAction) {
    if (a.type === 'select') trace.select(a.index);
    else if (a.type === 'expand' || a.type === 'collapse') trace.setExpanded(a.index, a.type === 'expand');
    else openRow(a.index, a.toSide);
  }
  function openRow(index: number, toSide: boolean) {
    const row = rows[index];
    if (row) trace.open(row.spanId, toSide);
  }
  function onKeyDown(e: KeyboardEvent) {
    const height = scrollRef.current?.clientHeight ?? 0;
    const pageSize = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
    const action = treeKeyAction(e.key, e.altKey, { visible, rows, selected, collapsed, pageSize });
    if (!action) return;
    e.preventDefault();
    apply(action);
  }

  // Rows are keyed by slot (position modulo the largest window so far): scrolling reuses and
  // patches the row elements instead of unmounting and creating them.
  const maxWindow = useRef(1);
  maxWindow.current = Math.max(maxWindow.current, items.length);
  const slots = maxWindow.current;
  const rendered = items.some((it) => visible[it.index] === selected);
  return (
    <section class="tree-pane" aria-label="Steps">
      <div class="tree-columns" aria-hidden="true">
        <span class="cell-name">Step</span>
        <span class="cell cell-model">Model</span>
        <span class="cell cell-tokens">Tokens</span>
        <span class="cell cell-cost">Cost</span>
        <span class="cell cell-duration">Duration</span>
        <span class="cell-waterfall scale">
          <span>0</span>
          <span>{formatDuration(header.durationMs)}</span>
        </span>
      </div>
      <div
        class="tree"
        role="tree"
        aria-label="Steps of the trace"
        tabIndex={0}
        ref={scrollRef}
        onKeyDown={onKeyDown}
        aria-activedescendant={rendered ? `step-${selected}` : undefined}
      >
        <div class="tree-sizer" style={{ height: `${virtualizer.getTotalSize()}px` }}>
          {items.map((it) => {
            const index = visible[it.index];
            return (
              <StepRow
                key={it.index % slots}
                index={index}
                row={rows[index]}
                top={it.start}
                selected={index === selected}
                collapsed={collapsed.has(index)}
                folded={rows[index] ? folded.has(rows[index].spanId) : false}
                totalMs={header.durationMs}
                onSelect={trace.select}
                onToggle={trace.toggle}
                onOpen={(i) => openRow(i, false)}
              />
            );
          })}
        </div>
      </div>
    </section>
  );
}
