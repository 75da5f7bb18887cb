/** The Events and Attributes sections. */
import type { StepEvent } from '../../src/shared/protocol';
import { isContainer, parseJsonText, scalarText } from '../json';
import { JsonView } from './JsonView';
import { Section, TraceText } from './Section';

/** Span events and correlated log records: name, time, attributes and body. */
export function Events({ events }: { events: StepEvent[] }) {
  if (!events.length) return null;
  return (
    <Section title="Events" count={events.length}>
      {events.map((e, i) => (
        <div key={i} class="event">
          <div class="event-head">
            <span class="event-name">{e.name}</span>
            <span class="event-time">{e.time}</span>
            <span class="badge">{e.source}</span>
          </div>
          {Object.keys(e.attributes ?? {}).length > 0 && <JsonView name="attributes" value={e.attributes} expand={1} />}
          {e.body !== undefined && e.body !== null && <Value name="body" value={e.body} />}
        </div>
      ))}
    </Section>
  );
}

/** Every span attribute as a row; JSON values (or JSON text) fold. Closed by default: it is long. */
export function Attributes({ attributes }: { attributes: Record<string, unknown> }) {
  const keys = Object.keys(attributes ?? {}).sort();
  if (!keys.length) return null;
  return (
    <Section title="Attributes" count={keys.length} open={false}>
      <table class="kv attributes">
        <tbody>
          {keys.map((k) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>
                <Value value={attributes[k]} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

/** A value as text, or as a folded JSON tree when it is (or its text holds) an object or array. */
function Value({ value, name }: { value: unknown; name?: string }) {
  const parsed = typeof value === 'string' ? parseJsonText(value) : undefined;
  if (parsed !== undefined) return <JsonView name={name} value={parsed} expand={0} />;
  if (isContainer(value)) return <JsonView name={name} value={value} expand={0} />;
  const text = typeof value === 'string' ? value : scalarText(value);
  return <TraceText text={name ? `${name}: ${text}` : text} />;
}
