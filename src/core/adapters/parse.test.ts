import assert from 'node:assert/strict';
import { indexed, num, parseJson, resultError, toolCallsFrom } from './parse';

describe('adapter parse helpers', () => {
  it('parses JSON objects, arrays and strings, and leaves other text alone', () => {
    assert.deepEqual(parseJson('{"a":1}'), { a: 1 });
    assert.deepEqual(parseJson(' [1,2] '), [1, 2]);
    assert.equal(parseJson('"quoted"'), 'quoted');
    assert.equal(parseJson('{not json'), '{not json');
    assert.equal(parseJson('42'), '42');
    assert.deepEqual(parseJson({ a: 1 }), { a: 1 });
  });

  it('coerces numbers from numbers and numeric strings only', () => {
    assert.equal(num(3), 3);
    assert.equal(num('12'), 12);
    assert.equal(num(''), null);
    assert.equal(num('abc'), null);
    assert.equal(num(null), null);
  });

  it('groups indexed attributes by index, in numeric order', () => {
    const groups = indexed(
      {
        'llm.input_messages.10.message.role': 'user',
        'llm.input_messages.2.message.role': 'system',
        'llm.input_messages.2.message.content': 'sys',
        'llm.input_messages.x.message.role': 'ignored',
        'llm.input_messagesX.0.role': 'ignored',
        'gen_ai.prompt.0': 'bare',
      },
      'llm.input_messages',
    );
    assert.deepEqual(groups, [{ 'message.role': 'system', 'message.content': 'sys' }, { 'message.role': 'user' }]);
    assert.deepEqual(indexed({ 'gen_ai.prompt.0': 'bare' }, 'gen_ai.prompt'), [{ '': 'bare' }]);
  });

  it('reads OpenAI-style and flat tool calls', () => {
    assert.deepEqual(
      toolCallsFrom([
        { id: 'a', function: { name: 'f', arguments: '{"x":1}' } },
        { id: 'b', name: 'g', arguments: { y: 2 } },
      ]),
      [
        { id: 'a', name: 'f', arguments: { x: 1 } },
        { id: 'b', name: 'g', arguments: { y: 2 } },
      ],
    );
  });

  it('finds errors in tool results', () => {
    assert.equal(resultError('{"error":{"message":"denied"}}'), 'denied');
    assert.equal(resultError({ error: 'nope' }), 'nope');
    assert.equal(resultError('Error: file missing'), 'Error: file missing');
    assert.equal(resultError('{"ok":true}'), null);
    assert.equal(resultError('All good'), null);
  });
});
