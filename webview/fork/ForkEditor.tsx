/** The fork editor: the recorded input as an editable conversation and fields, tool policies, launch. */
import { useState } from 'preact/hooks';
import type { ForkModel, FromForkEditor, ToolChoice } from '../../src/shared/protocol';
import { Icon, IconSprite } from '../Icon';
import { newMessage, toDraft, toInput, type Draft, type MessageDraft } from './drafts';

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'];

/** Status line from the host. */
export interface ForkStatus {
  busy: boolean;
  message: string;
  errors: string[];
}

/** One message card. */
function Message({ m, i, onChange, onRemove }: { m: MessageDraft; i: number; onChange(m: MessageDraft): void; onRemove(): void }) {
  const roles = ROLES.includes(m.role) ? ROLES : [m.role, ...ROLES];
  return (
    <div class="message" data-index={i}>
      <div class="message-head">
        <select aria-label={`Role of message ${i + 1}`} value={m.role} onChange={(e) => onChange({ ...m, role: (e.target as HTMLSelectElement).value })}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        {m.shape === 'json' && <span class="hint">content as JSON</span>}
        <button type="button" title="Remove this message" aria-label={`Remove message ${i + 1}`} onClick={onRemove}>
          <Icon name="trash" />
        </button>
      </div>
      <textarea
        aria-label={`Content of message ${i + 1}`}
        value={m.text}
        rows={Math.min(12, Math.max(2, m.text.split('\n').length))}
        onInput={(e) => onChange({ ...m, text: (e.target as HTMLTextAreaElement).value })}
      />
    </div>
  );
}

/** The editor for one fork (or one playground call). */
export function ForkEditor({
  model,
  status,
  playground,
  post,
}: {
  model: ForkModel;
  status: ForkStatus;
  playground: { output?: unknown; error?: string } | null;
  post(m: FromForkEditor): void;
}) {
  const [draft, setDraft] = useState<Draft>(() => toDraft(model.input, model.messagesField));
  const [tools, setTools] = useState<Record<string, ToolChoice | 'ask'>>(() => Object.fromEntries(model.tools.map((t) => [t.name, t.policy])));
  const [errors, setErrors] = useState<string[]>([]);
  const setMessage = (i: number, m: MessageDraft) => setDraft({ ...draft, messages: draft.messages!.map((x, j) => (j === i ? m : x)) });
  const launch = (debug: boolean) => {
    const r = toInput(draft, model.input, model.messagesField);
    const unchosen = Object.entries(tools)
      .filter(([, p]) => p === 'ask')
      .map(([name]) => `tool ${name}: choose whether to replay its recorded result or run it live`);
    const errs = [...r.errors, ...(model.mode === 'fork' ? unchosen : [])];
    setErrors(errs);
    if (!errs.length) post({ type: 'forkLaunch', input: r.input, tools: tools as Record<string, ToolChoice>, debug });
  };
  const isPlayground = model.mode === 'playground';
  const shown = [...errors, ...status.errors];
  return (
    <div class="fork-editor">
      <IconSprite />
      <h1>
        <Icon name={isPlayground ? 'beaker' : 'repo-forked'} /> {isPlayground ? 'Playground' : 'Fork & Replay'}: {model.stepName}
      </h1>
      <p class="hint">
        {isPlayground
          ? 'Re-sends this one LLM call, with your edits, to the OpenAI-compatible endpoint in the settings (tracefork.playground.*). The agent does not run.'
          : `The agent runs again${model.launch ? ` (${model.launch})` : ''}: the calls before this step come from the recording, this ${model.op === 'tool' ? 'tool call' : model.op === 'llm' ? 'model call' : 'step'} runs with your edit, and everything after it runs live.`}
      </p>
      {draft.messages && (
        <section aria-label="Conversation">
          <h2>Conversation</h2>
          {draft.messages.map((m, i) => (
            <Message
              key={i}
              m={m}
              i={i}
              onChange={(x) => setMessage(i, x)}
              onRemove={() => setDraft({ ...draft, messages: draft.messages!.filter((_, j) => j !== i) })}
            />
          ))}
          <button type="button" onClick={() => setDraft({ ...draft, messages: [...draft.messages!, newMessage(model.messagesField)] })}>
            <Icon name="add" /> Add message
          </button>
        </section>
      )}
      <section aria-label={draft.messages ? 'Model and parameters' : 'Arguments'}>
        <h2>{draft.messages ? 'Model and parameters' : model.op === 'tool' ? 'Tool arguments' : 'Input'}</h2>
        <p class="hint">Each value is JSON.</p>
        {draft.fields.map((f, i) => (
          <div key={f.name} class="field">
            <label for={`field-${i}`}>{f.name === '$' ? 'input' : f.name}</label>
            <textarea
              id={`field-${i}`}
              data-field={f.name}
              rows={Math.min(10, f.text.split('\n').length)}
              value={f.text}
              onInput={(e) =>
                setDraft({ ...draft, fields: draft.fields.map((x, j) => (j === i ? { ...x, text: (e.target as HTMLTextAreaElement).value } : x)) })
              }
            />
          </div>
        ))}
      </section>
      {!isPlayground && model.tools.length > 0 && (
        <section aria-label="Tools before the fork">
          <h2>Tools before the fork</h2>
          <p class="hint">Replay serves each tool's recorded result; Live runs the tool again (side effects included).</p>
          {model.tools.map((t) => (
            <div key={t.name} class="field">
              <label for={`tool-${t.name}`}>{t.name}</label>
              <select
                id={`tool-${t.name}`}
                value={tools[t.name]}
                onChange={(e) => setTools({ ...tools, [t.name]: (e.target as HTMLSelectElement).value as ToolChoice })}
              >
                {tools[t.name] === 'ask' && (
                  <option value="ask" disabled>
                    Choose…
                  </option>
                )}
                <option value="replay">Replay from the recording</option>
                <option value="live">Run live</option>
              </select>
            </div>
          ))}
        </section>
      )}
      {shown.length > 0 && (
        <ul class="errors" role="alert">
          {shown.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      {status.message && (
        <div class="fork-status" role="status" aria-busy={status.busy}>
          {status.message}
        </div>
      )}
      {playground && (
        <div class="result" aria-label="Playground answer">
          {playground.error ?? JSON.stringify(playground.output, null, 2)}
        </div>
      )}
      <div class="buttons">
        <button type="button" class="primary" data-action="launch" disabled={status.busy} onClick={() => launch(false)}>
          <Icon name={isPlayground ? 'play' : 'repo-forked'} /> {isPlayground ? 'Send' : 'Fork & Replay'}
        </button>
        {!isPlayground && (
          <button
            type="button"
            data-action="debug"
            disabled={status.busy}
            title={model.hasCode ? "Start the agent under the debugger, stopped at this step's source line" : 'Start the agent under the debugger'}
            onClick={() => launch(true)}
          >
            <Icon name="debug-alt" /> Replay under Debugger
          </button>
        )}
        <button type="button" data-action="cancel" onClick={() => post({ type: 'forkCancel' })}>
          {status.busy ? 'Stop' : 'Close'}
        </button>
      </div>
    </div>
  );
}
