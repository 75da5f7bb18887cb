import * as assert from 'node:assert/strict';
import { validate } from './jsonSchema';

const weather = {
  type: 'object',
  properties: { city: { type: 'string' }, unit: { enum: ['c', 'f'] }, days: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } },
  required: ['city'],
  additionalProperties: false,
};

describe('eval: JSON schema subset', () => {
  it('accepts valid values', () => {
    assert.deepEqual(validate({ city: 'Paris', unit: 'c', days: 3, tags: ['a'] }, weather), []);
    assert.deepEqual(validate({ x: 1 }, { $ref: '#/defs/x' }), []);
    assert.deepEqual(validate(null, { type: ['string', 'null'] }), []);
    assert.deepEqual(validate(2, { anyOf: [{ type: 'string' }, { type: 'number' }] }), []);
  });

  it('reports type, required, enum, additionalProperties and items errors with paths', () => {
    assert.deepEqual(validate({ unit: 'k', days: 1.5, tags: [1], extra: true }, weather), [
      '$: missing required "city"',
      '$.unit: "k" is not one of ["c","f"]',
      '$.days: expected integer, got number',
      '$.tags[0]: expected string, got number',
      '$: unexpected property "extra"',
    ]);
    assert.deepEqual(validate('Paris', weather), ['$: expected object, got string']);
    assert.deepEqual(validate(true, { anyOf: [{ type: 'string' }, { type: 'number' }] }), ['$: matches none of anyOf']);
  });
});
