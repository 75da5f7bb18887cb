/**
 * A Preact hook around @tanstack/virtual-core's Virtualizer for one scrolling element with
 * fixed-height rows (the same life cycle as @tanstack/react-virtual: setOptions every render,
 * `_didMount` once, `_willUpdate` after every commit). The component re-renders only when
 * the rendered range or the scrolling flag changes, not on every scroll event.
 */
import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from '@tanstack/virtual-core';
import { useLayoutEffect, useState } from 'preact/hooks';

/** What the list needs: how many rows, how tall, how many extra to render each side. */
export interface FixedListOptions {
  count: number;
  rowHeight: number;
  overscan: number;
  getScrollElement: () => HTMLElement | null;
}

/** A Virtualizer bound to the component's life cycle; read `getVirtualItems()` while rendering. */
export function useVirtualizer(opts: FixedListOptions): Virtualizer<HTMLElement, HTMLElement> {
  const [, setTick] = useState(0);
  const { rowHeight } = opts;
  const options = {
    count: opts.count,
    overscan: opts.overscan,
    getScrollElement: opts.getScrollElement,
    estimateSize: () => rowHeight,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    onChange: () => setTick((t) => t + 1),
  };
  const [virtualizer] = useState(() => new Virtualizer<HTMLElement, HTMLElement>(options));
  virtualizer.setOptions(options);
  useLayoutEffect(() => virtualizer._didMount(), [virtualizer]);
  useLayoutEffect(() => virtualizer._willUpdate());
  return virtualizer;
}
