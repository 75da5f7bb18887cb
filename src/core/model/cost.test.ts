import assert from 'node:assert/strict';
import { baseModelName, costUsd, loadPrices, priceFor, type PriceTable } from './cost';

const table = loadPrices();
const price = (model: string): number | null => priceFor(model, table)?.input ?? null;

describe('prices and cost', () => {
  it('ships a dated table with the usual model families', () => {
    assert.match(table.date, /^\d{4}-\d{2}-\d{2}$/);
    assert.match(table.source, /USD per 1M tokens/);
    for (const m of [
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4.1-nano',
      'o3-mini',
      'o4-mini',
      'text-embedding-3-large',
      'claude-3-5-sonnet',
      'claude-3-7-sonnet',
      'claude-sonnet-4',
      'claude-opus-4',
      'claude-3-5-haiku',
      'gemini-1.5-pro',
      'gemini-2.0-flash',
      'gemini-2.5-pro',
      'mistral-large',
      'mistral-small',
    ]) {
      assert.ok(table.models[m], m);
    }
  });

  it('matches exact names, case-insensitively', () => {
    assert.deepEqual(priceFor('gpt-4o-mini', table), { input: 0.15, output: 0.6 });
    assert.equal(price('GPT-4o'), 2.5);
    assert.equal(price('gpt-4o-2024-05-13'), 5);
  });

  it('strips provider prefixes', () => {
    assert.equal(price('openai/gpt-4o'), 2.5);
    assert.equal(price('models/gemini-1.5-pro'), 1.25);
    assert.equal(price('anthropic.claude-3-5-sonnet-20241022-v2:0'), 3);
    assert.equal(price('us.anthropic.claude-3-haiku-20240307-v1:0'), 0.25);
  });

  it('strips date and version suffixes', () => {
    assert.equal(price('gpt-4o-2024-08-06'), 2.5);
    assert.equal(price('gpt-4.1-mini-2025-04-14'), 0.4);
    assert.equal(price('claude-3-5-sonnet-20241022'), 3);
    assert.equal(price('claude-3-7-sonnet-latest'), 3);
    assert.equal(price('claude-3-5-sonnet-v2@20241022'), 3);
    assert.equal(price('gemini-1.5-flash-002'), 0.075);
    assert.equal(price('mistral-large-2411'), 2);
    assert.equal(price('gpt-4-0613'), 30);
  });

  it('names the base model without prefix and suffixes', () => {
    assert.equal(baseModelName('openai/gpt-4o-2024-08-06'), 'gpt-4o');
    assert.equal(baseModelName('us.anthropic.claude-3-5-sonnet-20241022-v2:0'), 'claude-3-5-sonnet');
    assert.equal(baseModelName('claude-3-7-sonnet-latest'), 'claude-3-7-sonnet');
    assert.equal(baseModelName('gemini-1.5-pro-002'), 'gemini-1.5-pro');
    assert.equal(baseModelName('mistral-small-2503'), 'mistral-small');
    assert.equal(baseModelName('gpt-4o-mini'), 'gpt-4o-mini');
  });

  it('prefers the suffix-stripped name over a longer prefix', () => {
    const t: PriceTable = { date: 'd', source: 's', models: { 'm-1': { input: 1, output: 1 }, 'm-1-2025': { input: 9, output: 9 } } };
    assert.equal(priceFor('m-1-2025-01-31', t)?.input, 1);
  });

  it('falls back to the longest known prefix at a name boundary', () => {
    assert.equal(price('gpt-4o-mini-search-preview'), 0.15);
    assert.equal(price('o3-mini-high'), 1.1);
    assert.equal(price('gemini-2.5-flash-preview-05-20'), 0.3);
    assert.equal(price('claude-sonnet-4-0'), 3);
    assert.equal(price('gpt-4.5-preview'), null);
    assert.equal(price('o1x'), null);
  });

  it('gives null for unknown models or missing tokens, never a guess', () => {
    assert.equal(priceFor('mock-model-1', table), null);
    assert.equal(priceFor(null, table), null);
    assert.equal(costUsd('mock-model-1', 10, 5, table), null);
    assert.equal(costUsd('gpt-4o', null, null, table), null);
    assert.equal(costUsd('gpt-4o', 100, null, table), null);
  });

  it('computes cost from both counts, and from input alone for embeddings', () => {
    assert.equal(costUsd('gpt-4o', 1_000_000, 1_000_000, table), 12.5);
    assert.equal(costUsd('claude-3-5-haiku-20241022', 2000, 1000, table), 0.0056);
    assert.equal(costUsd('text-embedding-3-small', 1_000_000, null, table), 0.02);
  });

  it('merges user overrides over the built-in table and caches the merge', () => {
    const overrides: Partial<PriceTable> = { models: { 'GPT-4o': { input: 1, output: 2 }, 'acme-1': { input: 3, output: 4 } } };
    const merged = loadPrices(overrides);
    assert.equal(price('gpt-4o'), 2.5);
    assert.equal(priceFor('gpt-4o-2024-08-06', merged)?.input, 1);
    assert.equal(priceFor('acme-1', merged)?.output, 4);
    assert.equal(priceFor('claude-opus-4', merged)?.input, 15);
    assert.equal(merged.date, table.date);
    assert.equal(loadPrices(overrides), merged);
    assert.equal(loadPrices(merged), merged);
  });
});
