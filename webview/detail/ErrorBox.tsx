/** The step's error and the stack traces of its `exception` events. */
import type { Step } from '../../src/shared/protocol';
import { Icon } from '../Icon';
import { Pre, TraceText } from './Section';

/** A failure box; nothing when the step neither failed nor recorded an exception. */
export function ErrorBox({ step }: { step: Step }) {
  const exceptions = step.events.filter((e) => e.name === 'exception');
  if (!step.error && step.status !== 'error' && exceptions.length === 0) return null;
  return (
    <div class="error-box" role="group" aria-label="Error">
      <div class="error-title">
        <Icon name="error" class="status-error" />
        <span>{step.status === 'error' ? 'Failed' : 'Exception recorded'}</span>
      </div>
      {step.error && <TraceText class="error-text" text={step.error} />}
      {exceptions.map((e, i) => (
        <Exception key={i} attributes={e.attributes} error={step.error} />
      ))}
    </div>
  );
}

function Exception({ attributes: a, error }: { attributes: Record<string, unknown>; error: string | null }) {
  const text = (k: string) => (a[k] == null ? '' : String(a[k]));
  const type = text('exception.type');
  const message = text('exception.message');
  const head = !type || message.startsWith(type) ? message : message ? `${type}: ${message}` : type;
  const stack = text('exception.stacktrace');
  return (
    <div class="exception">
      {head && head !== error && <TraceText class="exception-head" text={head} />}
      {stack && <Pre text={stack} />}
    </div>
  );
}
