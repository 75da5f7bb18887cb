import * as assert from 'node:assert/strict';
import { entriesOf, isContainer, parseJsonText, prettyJson, preview, scalarKind, scalarText, visibleControls } from './json';

describe('json view helpers', () => {
  it('previews containers on one line', () => {
    assert.equal(preview([1, 2, 3]), '[3 items]');
    assert.equal(preview(['x']), '[1 item]');
    assert.equal(preview({}), '{}');
    assert.equal(preview({ role: 'user', content: 'hi' }), '{role, content}');
    assert.equal(preview({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }), '{a, b, c, d, … +2}');
  });

  it('lists entries with array indices as keys', () => {
    assert.deepEqual(entriesOf(['a', 'b']), [
      ['0', 'a'],
      ['1', 'b'],
    ]);
    assert.deepEqual(entriesOf({ k: null }), [['k', null]]);
    assert.ok(isContainer([]) && isContainer({}) && !isContainer(null) && !isContainer('x'));
  });

  it('quotes strings without escaping, so prompts keep their lines and markup shows as typed', () => {
    assert.equal(scalarText('a\n<script>x</script>'), '"a\n<script>x</script>"');
    assert.equal(scalarText(3), '3');
    assert.equal(scalarText(null), 'null');
    assert.equal(scalarText(undefined), 'undefined');
    assert.equal(scalarText(10n), '10n');
    assert.deepEqual(['s', 1, true, null, undefined, {}].map(scalarKind), ['string', 'number', 'boolean', 'null', 'null', 'other']);
  });

  it('shows control characters (ANSI escapes) as \\x escapes, keeping newlines, CR and tabs', () => {
    assert.equal(visibleControls('\u001b[31mred\u001b[0m'), '\\x1b[31mred\\x1b[0m');
    assert.equal(visibleControls('a\tb\r\nc\u0000\u007f'), 'a\tb\r\nc\\x00\\x7f');
  });

  it('parses JSON text only when it holds an object or array', () => {
    assert.deepEqual(parseJsonText(' [{"role":"user"}] '), [{ role: 'user' }]);
    assert.equal(parseJsonText('{"broken": '), undefined);
    assert.equal(parseJsonText('42'), undefined);
    assert.equal(parseJsonText('"{}"'), undefined);
    assert.equal(parseJsonText('plain text'), undefined);
  });

  it('pretty-prints any value and never throws', () => {
    assert.equal(prettyJson({ a: [1] }), '{\n  "a": [\n    1\n  ]\n}');
    assert.equal(prettyJson('raw args'), 'raw args');
    assert.equal(prettyJson({ n: 1n }), '{\n  "n": "1n"\n}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(prettyJson(cyclic), '[object Object]');
    assert.equal(prettyJson(undefined), 'undefined');
  });
});
