/**
 * The fork editor's editable form of a recorded input and back: the conversation as messages
 * (plain text where the content is text, JSON otherwise), every other field as JSON text.
 * Pure functions, unit-tested; `toInput` says exactly which field does not parse.
 */

/** One message as the editor shows it. */
export interface MessageDraft {
  role: string;
  text: string;
  /** How `text` maps back: the content was a string, one text part, or anything else (edited as JSON). */
  shape: 'string' | 'part' | 'json';
  /** The original text part, kept so its other fields survive the edit. */
  part?: Record<string, unknown>;
  /** The recorded message, so its other fields (tool_calls, tool_call_id…) stay with it when others are removed. */
  original?: Record<string, unknown>;
}

/** The whole form. */
export interface Draft {
  messages: MessageDraft[] | null;
  /** Every other top-level field (or the whole input, as `$`, when there is no conversation), as JSON text. */
  fields: Array<{ name: string; text: string }>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function messageDraft(m: unknown): MessageDraft {
  const o = isObj(m) ? m : {};
  const role = typeof o.role === 'string' ? o.role : 'user';
  const c = o.content;
  if (typeof c === 'string') return { role, text: c, shape: 'string', original: o };
  if (Array.isArray(c) && c.length === 1 && isObj(c[0]) && c[0].type === 'text' && typeof c[0].text === 'string')
    return { role, text: c[0].text, shape: 'part', part: c[0], original: o };
  return { role, text: JSON.stringify(c ?? null, null, 2), shape: 'json', original: o };
}

/** The form of an input. */
export function toDraft(input: unknown, messagesField: string | null): Draft {
  if (!isObj(input)) return { messages: null, fields: [{ name: '$', text: JSON.stringify(input ?? null, null, 2) }] };
  const list = messagesField ? input[messagesField] : undefined;
  const messages = Array.isArray(list) ? list.map(messageDraft) : null;
  const fields = Object.entries(input)
    .filter(([k]) => !(messages && k === messagesField))
    .map(([name, v]) => ({ name, text: JSON.stringify(v, null, 2) }));
  return { messages, fields };
}

/** A new message in the shape the conversation uses (AI SDK prompts want text parts, except system). */
export function newMessage(messagesField: string | null, role = 'user'): MessageDraft {
  return messagesField === 'prompt' && role !== 'system'
    ? { role, text: '', shape: 'part', part: { type: 'text', text: '' } }
    : { role, text: '', shape: 'string' };
}

/** The input the form stands for, or the errors that stop it (one per field that does not parse). */
export function toInput(draft: Draft, original: unknown, messagesField: string | null): { input?: unknown; errors: string[] } {
  const errors: string[] = [];
  const parse = (label: string, text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (e) {
      errors.push(`${label}: not valid JSON (${(e as Error).message})`);
      return undefined;
    }
  };
  if (!isObj(original) || (draft.messages === null && draft.fields.length === 1 && draft.fields[0]!.name === '$')) {
    const v = parse('input', draft.fields[0]?.text ?? 'null');
    return errors.length ? { errors } : { input: v, errors };
  }
  const out: Obj = {};
  for (const f of draft.fields) out[f.name] = parse(f.name, f.text);
  if (draft.messages && messagesField) {
    out[messagesField] = draft.messages.map((m, i) => {
      if (!m.role.trim()) errors.push(`message ${i + 1}: the role is empty`);
      const content =
        m.shape === 'string' ? m.text : m.shape === 'part' ? [{ ...(m.part ?? { type: 'text' }), text: m.text }] : parse(`message ${i + 1} content`, m.text);
      return { ...(m.original ?? {}), role: m.role, content };
    });
    if (draft.messages.length === 0) errors.push('the conversation is empty');
  }
  return errors.length ? { errors } : { input: out, errors };
}
