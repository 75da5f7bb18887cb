/** The convention adapters, in the order they are tried. */
import type { Adapter, AdapterInput } from './types';
import { genAi } from './genAi';
import { genAiLegacy } from './genAiLegacy';
import { openInference } from './openInference';
import { hasPrefix } from './parse';
import { traceloop } from './traceloop';
import { vercelAi } from './vercelAi';

/** Most specific first: the first adapter that matches a span is its primary convention. */
export const ADAPTERS: readonly Adapter[] = [vercelAi, openInference, traceloop, genAi, genAiLegacy];

/** Adapters that then fill the fields the primary one left null (spans often mix in gen_ai.*). */
export const FILLERS: readonly Adapter[] = [genAi, genAiLegacy];

/** The primary adapter; a span with only stray gen_ai.* attributes (model, usage) is read as current gen_ai. */
export function primaryAdapter(input: AdapterInput): Adapter | null {
  return ADAPTERS.find((a) => a.matches(input)) ?? (hasPrefix(input.attrs, 'gen_ai.') ? genAi : null);
}

/** The fillers to run after `primary`: those matching the span, or any when it carries gen_ai.* attributes. */
export function fillersFor(input: AdapterInput, primary: Adapter): Adapter[] {
  const anyGenAi = hasPrefix(input.attrs, 'gen_ai.');
  return FILLERS.filter((f) => f !== primary && (anyGenAi || f.matches(input)));
}

export { genAi, genAiLegacy, openInference, traceloop, vercelAi };
