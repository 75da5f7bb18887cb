import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonical, decode, encode, inputHash } from '../contract';
import { StepScopes } from './scope';

type Ev = ['call', string, string] | ['enter', string, string] | ['exit'];
interface Vectors {
  values: Array<{ name: string; op: string; encoded: boolean; inputJson: string; encodedText: string | null; canonicalText: string; hash: string }>;
  keys: Array<{ name: string; events: Ev[]; keys: string[] }>;
  /** Values only Python can spell (tuples, sets, dataclasses…), as Python encodes them. */
  python: Array<{ name: string; op: string; encodedText: string; canonicalText: string; hash: string }>;
}

const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../test/vectors/replay-vectors.json'), 'utf8')) as Vectors;

describe('sdk replay: shared vectors (test/vectors/replay-vectors.json, also asserted by sdk-python)', () => {
  for (const v of vectors.values) {
    it(`value: ${v.name}`, () => {
      const parsed = JSON.parse(v.inputJson) as unknown;
      const value = v.encoded ? decode(parsed) : parsed;
      if (v.encodedText !== null) assert.equal(encode(value), v.encodedText);
      assert.equal(canonical(value), v.canonicalText);
      assert.equal(inputHash(value, v.op), v.hash);
    });
  }
  for (const v of vectors.python) {
    it(`python value: ${v.name} hashes alike in Node`, () => {
      const value = decode(JSON.parse(v.encodedText));
      assert.equal(canonical(value), v.canonicalText);
      assert.equal(inputHash(value, v.op), v.hash);
    });
  }
  for (const s of vectors.keys) {
    it(`keys: ${s.name}`, () => {
      const scopes = new StepScopes();
      const out: string[] = [];
      const events = [...s.events];
      const run = (): void => {
        while (events.length) {
          const e = events.shift()!;
          if (e[0] === 'exit') return;
          const k = scopes.nextKey(e[1], e[2]);
          out.push(k);
          if (e[0] === 'enter') scopes.within(k, run);
        }
      };
      run();
      assert.deepEqual(out, s.keys);
    });
  }
});
