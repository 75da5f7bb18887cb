import * as assert from 'node:assert/strict';
import { newMessage, toDraft, toInput } from './drafts';

describe('fork editor drafts', () => {
  const vercel = {
    prompt: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?', providerOptions: { x: 1 } }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', output: { type: 'json', value: 1 } }] },
    ],
    temperature: 0,
  };

  it('shows text as text and everything else as JSON, and gives the same input back unedited', () => {
    const d = toDraft(vercel, 'prompt');
    assert.deepEqual(
      d.messages!.map((m) => [m.role, m.shape]),
      [
        ['system', 'string'],
        ['user', 'part'],
        ['tool', 'json'],
      ],
    );
    assert.equal(d.messages![1]!.text, 'Weather in Paris?');
    assert.deepEqual(
      d.fields.map((f) => f.name),
      ['temperature'],
    );
    assert.deepEqual(toInput(d, vercel, 'prompt'), { input: vercel, errors: [] });
  });

  it("applies an edited message, keeping the part's other fields, and a new message in the right shape", () => {
    const d = toDraft(vercel, 'prompt');
    d.messages![1]!.text = 'Weather in Oslo?';
    d.messages!.push({ ...newMessage('prompt'), text: 'and tomorrow?' });
    d.fields[0]!.text = '0.7';
    const { input } = toInput(d, vercel, 'prompt') as { input: typeof vercel };
    assert.deepEqual(input.prompt[1]!.content, [{ type: 'text', text: 'Weather in Oslo?', providerOptions: { x: 1 } }]);
    assert.deepEqual(input.prompt[3], { role: 'user', content: [{ type: 'text', text: 'and tomorrow?' }] });
    assert.equal(input.temperature, 0.7);
  });

  it("keeps each message's other fields with it when an earlier message is removed", () => {
    const openai = {
      model: 'm',
      messages: [
        { role: 'system', content: 's' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1' }] },
        { role: 'tool', tool_call_id: 'c1', content: 'r' },
      ],
    };
    const d = toDraft(openai, 'messages');
    d.messages!.splice(0, 1);
    const { input } = toInput(d, openai, 'messages') as { input: typeof openai };
    assert.deepEqual(input.messages, [
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1' }] },
      { role: 'tool', tool_call_id: 'c1', content: 'r' },
    ]);
  });

  it('names every field that does not parse, and refuses an empty role or conversation', () => {
    const d = toDraft(vercel, 'prompt');
    d.fields[0]!.text = '0.7,';
    d.messages![2]!.text = '{';
    d.messages![0]!.role = ' ';
    const r = toInput(d, vercel, 'prompt');
    assert.equal(r.input, undefined);
    assert.equal(r.errors.length, 3);
    assert.match(r.errors.join('\n'), /temperature: not valid JSON/);
    assert.match(r.errors.join('\n'), /message 3 content: not valid JSON/);
    assert.match(r.errors.join('\n'), /message 1: the role is empty/);
  });

  it('edits tool arguments as one JSON value', () => {
    const d = toDraft({ city: 'Paris' }, null);
    assert.deepEqual(d.messages, null);
    assert.deepEqual(toInput({ messages: null, fields: [{ name: 'city', text: '"Oslo"' }] }, { city: 'Paris' }, null), { input: { city: 'Oslo' }, errors: [] });
    assert.deepEqual(toInput(toDraft('x', null), 'x', null), { input: 'x', errors: [] });
  });
});
