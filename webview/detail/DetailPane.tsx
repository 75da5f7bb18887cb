/** The right pane: everything about the selected step. */
import type { Step } from '../../src/shared/protocol';
import { Icon, KIND_ICON } from '../Icon';
import type { DetailState } from '../useDetail';
import { Conversation } from './Conversation';
import { ErrorBox } from './ErrorBox';
import { Attributes, Events } from './Events';
import { IoValues } from './IoValues';
import { Scores, Usage } from './Usage';

/** Title, source link, error, messages, values, usage, scores, events and attributes of one step. */
export function DetailPane({ detail, onOpen }: { detail: DetailState; onOpen(spanId: string, toSide: boolean): void }) {
  const { step } = detail;
  return (
    <section class={detail.loading ? 'detail-pane loading' : 'detail-pane'} aria-label="Step detail" aria-busy={detail.loading}>
      {!step ? (
        <div class="empty">{detail.spanId ? (detail.loading ? 'Loading…' : 'This step is no longer in the trace.') : 'Select a step to see its details.'}</div>
      ) : (
        <>
          <Title step={step} />
          {step.code && <SourceLink step={step} onOpen={onOpen} />}
          <ErrorBox step={step} />
          <Conversation step={step} />
          <IoValues step={step} />
          <Usage step={step} />
          <Scores scores={step.scores} />
          <Events events={step.events} />
          <Attributes attributes={step.attributes} />
        </>
      )}
    </section>
  );
}

function Title({ step }: { step: Step }) {
  return (
    <h2 class="detail-title">
      <Icon name={KIND_ICON[step.kind] ?? 'circle-outline'} class={`kind-icon kind-${step.kind}`} />
      <span class="detail-name">{step.name}</span>
      <span class={`status status-${step.status}`}>
        {step.status === 'error' && <Icon name="error" class="status-error" />}
        {step.status}
      </span>
    </h2>
  );
}

function SourceLink({ step, onOpen }: { step: Step; onOpen(spanId: string, toSide: boolean): void }) {
  const code = step.code!;
  const where = code.line != null ? `${code.file}:${code.line}` : code.file;
  return (
    <button
      type="button"
      class="source-link"
      title="Open source (Alt+click: to the side)"
      onClick={(e) => onOpen(step.spanId, e.altKey)}
    >
      <Icon name="go-to-file" />
      <span>Open source</span>
      <span class="source-where">{where}</span>
      {code.function && <span class="source-function">{code.function}</span>}
    </button>
  );
}
