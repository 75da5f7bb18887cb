/** The convention adapters, in the order they are tried. */
import type { Adapter } from './types';
import { genAi } from './genAi';
import { genAiLegacy } from './genAiLegacy';
import { openInference } from './openInference';
import { traceloop } from './traceloop';
import { vercelAi } from './vercelAi';

/** Most specific first: the first adapter that matches a span is its primary convention. */
export const ADAPTERS: readonly Adapter[] = [vercelAi, openInference, traceloop, genAi, genAiLegacy];

/** Adapters that then fill the fields the primary one left null (spans often mix in gen_ai.*). */
export const FILLERS: readonly Adapter[] = [genAi, genAiLegacy];

export { genAi, genAiLegacy, openInference, traceloop, vercelAi };
