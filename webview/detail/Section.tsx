/** Building blocks of the detail pane: collapsible sections, key/value tables, trace text. */
import type { ComponentChildren } from 'preact';
import { visibleControls } from '../json';

/** A titled section that the user can fold; open by default. */
export function Section({ title, count, children, open = true }: { title: string; count?: number; children: ComponentChildren; open?: boolean }) {
  return (
    <details class="section" open={open}>
      <summary class="section-title">
        {title}
        {count !== undefined && <span class="badge">{count}</span>}
      </summary>
      <div class="section-body">{children}</div>
    </details>
  );
}

/** One row of a key/value table; rows without a value are left out by the caller. */
export interface KeyValue {
  key: string;
  value: ComponentChildren;
}

/** A two-column table of labels and values. */
export function KeyValueTable({ rows, class: cls }: { rows: KeyValue[]; class?: string }) {
  return (
    <table class={cls ? `kv ${cls}` : 'kv'}>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row">{r.key}</th>
            <td>{r.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Trace text as a text node with whitespace kept and control characters made visible. */
export function TraceText({ text, class: cls }: { text: string; class?: string }) {
  return <div class={cls ? `trace-text ${cls}` : 'trace-text'}>{visibleControls(text)}</div>;
}

/** Preformatted trace text (stack traces, pretty JSON). */
export function Pre({ text }: { text: string }) {
  return <pre class="pre">{visibleControls(text)}</pre>;
}
