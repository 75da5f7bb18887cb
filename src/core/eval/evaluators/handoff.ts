/** Handoff failure: tool-call arguments a model produced that fail the tool's declared JSON schema. */
import { toolDefinitions } from '../toolDefs';
import { validate } from '../jsonSchema';
import { outputMessages } from '../text';
import { clip, pass, score } from '../score';
import type { StepEvaluator } from '../types';

/** Model calls that request tool calls while declaring the tools: each call's arguments are checked. */
export const handoff: StepEvaluator = {
  name: 'handoff',
  version: '1',
  appliesTo: (step) => step.kind === 'llm' && outputMessages(step).some((m) => m.toolCalls?.length) && toolDefinitions(step).size > 0,
  evaluate(step) {
    const defs = toolDefinitions(step);
    const problems: string[] = [];
    for (const call of outputMessages(step).flatMap((m) => m.toolCalls ?? [])) {
      if (!defs.has(call.name)) {
        problems.push(`${call.name}: not one of the declared tools (${[...defs.keys()].join(', ')})`);
        continue;
      }
      const schema = defs.get(call.name);
      const args = call.arguments === null || (typeof call.arguments === 'string' && !call.arguments.trim()) ? {} : call.arguments;
      if (typeof args === 'string') {
        problems.push(`${call.name}: arguments are not JSON: ${clip(args, 60)}`);
        continue;
      }
      const errors = validate(args, schema);
      if (errors.length) problems.push(`${call.name}(${clip(JSON.stringify(call.arguments) ?? '', 60)}): ${errors.join('; ')}`);
    }
    if (!problems.length) return [pass(this)];
    return [score(this, { passed: false, value: problems.length, label: 'invalid tool arguments', explanation: clip(problems.join(' | '), 400) })];
  },
};
