/**
 * The tools a model call was offered, with their argument schemas, from every convention:
 * `gen_ai.tool.definitions`, OpenInference `llm.tools.N.tool.json_schema`, Vercel `ai.prompt.tools`,
 * OpenLLMetry `llm.request.functions.N.*`.
 */
import type { Step } from '../model/step';
import { asArray, asRecord, indexed, parseJson, str } from '../adapters/parse';

/** `{type:'function', function:{name, parameters}}`, `{name, parameters}` or `{name, inputSchema}` → [name, schema]. */
function definition(raw: unknown): [string, unknown] | null {
  const d = asRecord(raw);
  if (!d) return null;
  const fn = asRecord(d.function) ?? d;
  const name = str(fn.name);
  if (!name) return null;
  const schema = parseJson(fn.parameters ?? fn.inputSchema ?? fn.input_schema ?? fn.json_schema ?? null);
  return [name, asRecord(schema)];
}

const cache = new WeakMap<Step, Map<string, unknown>>();

/** Tool name → argument schema (null when the tool is declared without one). Cached per step object. */
export function toolDefinitions(step: Step): Map<string, unknown> {
  const cached = cache.get(step);
  if (cached) return cached;
  const a = step.attributes;
  const defs = new Map<string, unknown>();
  const add = (raw: unknown) => {
    const d = definition(raw);
    if (d && !defs.has(d[0])) defs.set(d[0], d[1]);
  };
  for (const d of asArray(a['gen_ai.tool.definitions'])) add(d);
  for (const d of asArray(a['ai.prompt.tools'])) add(d);
  // Indexed lists start at 0: look for their first element before walking every attribute.
  if ('llm.tools.0.tool.json_schema' in a) for (const g of indexed(a, 'llm.tools')) add(g['tool.json_schema']);
  if ('llm.request.functions.0.name' in a) for (const g of indexed(a, 'llm.request.functions')) add({ name: g.name, parameters: g.parameters });
  cache.set(step, defs);
  return defs;
}
