import * as assert from 'node:assert/strict';
import { maskDeep, maskSecrets, unmaskLike } from './maskSecrets';

const OPENAI = 'sk-proj-' + 'a1B2c3D4e5F6g7H8i9J0k1L2';
const AWS = 'AKIA' + 'ABCDEFGHIJKLMNOP';
const GH = 'ghp_' + 'x'.repeat(36);

describe('maskSecrets', () => {
  it('masks API-key shapes, keeping the provider prefix', () => {
    const out = maskSecrets(`use ${OPENAI} and ${AWS} then ${GH}.`);
    assert.equal(out, 'use sk-…[masked] and AKIA…[masked] then ghp_…[masked].');
    assert.ok(!out.includes('a1B2c3'));
  });
  it('is idempotent and leaves ordinary text alone', () => {
    const once = maskSecrets(`key=${OPENAI}`);
    assert.equal(maskSecrets(once), once);
    assert.equal(maskSecrets('a sk-short token and skies'), 'a sk-short token and skies');
  });
  it('masks private keys whole', () => {
    assert.equal(maskSecrets('-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----'), '-----BEGIN PRIVATE KEY-----…[masked]');
  });
  it('masks every string of a nested value, keeping keys and other types', () => {
    assert.deepEqual(maskDeep({ messages: [{ role: 'user', content: `my key is ${OPENAI}` }], n: 3, ok: true, [`${OPENAI}`]: null }), {
      messages: [{ role: 'user', content: 'my key is sk-…[masked]' }],
      n: 3,
      ok: true,
      [OPENAI]: null,
    });
  });
});

describe('unmaskLike', () => {
  it('puts back the credentials the fork editor showed masked, and keeps what the user edited', () => {
    const recorded = { headers: { authorization: `Bearer ${OPENAI}` }, city: 'Paris' };
    const shown = maskDeep(recorded);
    assert.notEqual(shown.headers.authorization, recorded.headers.authorization);
    const edited = { ...shown, city: 'Lyon' };
    assert.deepEqual(unmaskLike(edited, recorded), { headers: { authorization: `Bearer ${OPENAI}` }, city: 'Lyon' });
  });
});
