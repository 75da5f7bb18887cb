/** A model call's messages as a conversation: input messages, then output messages. */
import type { Step } from '../../src/shared/protocol';
import type { Message, ToolCall } from '../../src/shared/protocol';
import { Icon } from '../Icon';
import { prettyJson } from '../json';
import { JsonView } from './JsonView';
import { Pre, Section, TraceText } from './Section';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/** The Messages section, or nothing when the step has no messages. */
export function Conversation({ step }: { step: Step }) {
  const input = step.input?.messages ?? [];
  const output = step.output?.messages ?? [];
  if (input.length + output.length === 0) return null;
  return (
    <Section title="Messages" count={input.length + output.length}>
      <div class="conversation">
        {input.map((m, i) => (
          <MessageView key={`i${i}`} message={m} />
        ))}
        {output.length > 0 && <div class="conversation-divider">output</div>}
        {output.map((m, i) => (
          <MessageView key={`o${i}`} message={m} output />
        ))}
      </div>
    </Section>
  );
}

function MessageView({ message: m, output }: { message: Message; output?: boolean }) {
  const role = ROLES.has(m.role) ? m.role : 'other';
  return (
    <div class={`message role-${role}${output ? ' message-output' : ''}`}>
      <div class="message-head">
        <span class="role">{m.role}</span>
        {m.name && <span class="message-name">{m.name}</span>}
        {m.toolCallId && <span class="tool-result-of">result of {m.toolCallId}</span>}
        {m.finishReason && <span class="finish-reason">finish: {m.finishReason}</span>}
      </div>
      {m.content != null && m.content !== '' && <TraceText class="message-content" text={m.content} />}
      {m.toolCalls?.map((c, i) => (
        <ToolCallView key={c.id ?? i} call={c} />
      ))}
      {m.parts && m.parts.length > 0 && <JsonView name="parts" value={m.parts} expand={1} />}
    </div>
  );
}

function ToolCallView({ call }: { call: ToolCall }) {
  return (
    <div class="tool-call">
      <div class="tool-call-head">
        <Icon name="tools" />
        <span class="tool-name">{call.name}</span>
        {call.id && <span class="tool-call-id">{call.id}</span>}
      </div>
      <Pre text={prettyJson(call.arguments)} />
    </div>
  );
}
