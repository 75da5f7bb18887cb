/**
 * A JSON value as a tree: containers fold with <details>/<summary> and render their children
 * only while open; every key and string is a text node (Preact escapes it), nothing is markup.
 */
import { useState } from 'preact/hooks';
import { entriesOf, isContainer, MAX_CHILDREN, preview, scalarKind, scalarText, visibleControls } from '../json';

/** Props: the value, its key in the parent, and how many levels start open. */
export interface JsonViewProps {
  value: unknown;
  name?: string;
  /** Levels open at first: 0 starts folded, 1 shows the top level's children. */
  expand?: number;
}

/** Renders any JSON-like value; scalars on one line, containers as a fold. */
export function JsonView({ value, name, expand = 1 }: JsonViewProps) {
  if (!isContainer(value)) {
    return (
      <div class="json-line">
        {name !== undefined && <span class="json-key">{visibleControls(name)}: </span>}
        <span class={`json-${scalarKind(value)}`}>{scalarText(value)}</span>
      </div>
    );
  }
  return <JsonNode value={value} name={name} expand={expand} />;
}

function JsonNode({ value, name, expand }: { value: Record<string, unknown> | unknown[]; name?: string; expand: number }) {
  const [open, setOpen] = useState(expand > 0);
  const entries = open ? entriesOf(value) : [];
  return (
    <details class="json-node" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        {name !== undefined && <span class="json-key">{visibleControls(name)}: </span>}
        <span class="json-preview">{preview(value)}</span>
      </summary>
      {open && (
        <div class="json-children">
          {entries.slice(0, MAX_CHILDREN).map(([k, v]) => (
            <JsonView key={k} name={k} value={v} expand={expand - 1} />
          ))}
          {entries.length > MAX_CHILDREN && <div class="json-more">… {entries.length - MAX_CHILDREN} more</div>}
        </div>
      )}
    </details>
  );
}
