/** The right pane: everything about the selected step. */
import type { Step, StepAction } from '../../src/shared/protocol';
import { Icon, KIND_ICON, type IconName } from '../Icon';
import type { DetailState } from '../useDetail';
import { Conversation } from './Conversation';
import { ErrorBox } from './ErrorBox';
import { Attributes, Events } from './Events';
import { IoValues } from './IoValues';
import { Scores, Usage } from './Usage';

/** Title, source link, error, messages, values, usage, scores, events and attributes of one step. */
export function DetailPane({
  detail,
  onOpen,
  onAction,
}: {
  detail: DetailState;
  onOpen(spanId: string, toSide: boolean): void;
  onAction(action: StepAction, spanId: string): void;
}) {
  const { step } = detail;
  return (
    <section class={detail.loading ? 'detail-pane loading' : 'detail-pane'} aria-label="Step detail" aria-busy={detail.loading}>
      {!step ? (
        <div class="empty">{detail.spanId ? (detail.loading ? 'Loading…' : 'This step is no longer in the trace.') : 'Select a step to see its details.'}</div>
      ) : (
        <>
          <Title step={step} />
          {step.code && <SourceLink step={step} onOpen={onOpen} />}
          <Actions step={step} onAction={onAction} />
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

/** Fork & replay (any recorded call), the playground (LLM calls) and regression cases. */
function Actions({ step, onAction }: { step: Step; onAction(action: StepAction, spanId: string): void }) {
  const button = (action: StepAction, icon: IconName, label: string, title: string) => (
    <button type="button" class="action" data-action={action} title={title} onClick={() => onAction(action, step.spanId)}>
      <Icon name={icon} />
      <span>{label}</span>
    </button>
  );
  return (
    <div class="step-actions" role="toolbar" aria-label="Step actions">
      {button('fork', 'repo-forked', 'Fork & Replay…', 'Run the agent again from this step with an edited input; the steps before it come from the recording')}
      {step.kind === 'llm' && button('playground', 'beaker', 'Playground…', 'Re-send this one LLM call, edited, to the endpoint in the settings')}
      {button('saveCase', 'save', 'Save as Regression Case', 'Write this step (input, output, failed evaluators) to .tracefork/cases/cases.jsonl')}
    </div>
  );
}

function SourceLink({ step, onOpen }: { step: Step; onOpen(spanId: string, toSide: boolean): void }) {
  const code = step.code!;
  const where = code.line != null ? `${code.file}:${code.line}` : code.file;
  return (
    <button type="button" class="source-link" title="Open source (Alt+click: to the side)" onClick={(e) => onOpen(step.spanId, e.altKey)}>
      <Icon name="go-to-file" />
      <span>Open source</span>
      <span class="source-where">{where}</span>
      {code.function && <span class="source-function">{code.function}</span>}
    </button>
  );
}
