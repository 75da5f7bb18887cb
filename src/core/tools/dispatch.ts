/** Calls a tool by name with validated arguments (the front ends' one entry point). */
import { TOOL_SCHEMAS, type ToolName } from './schemas';
import { compareTool, evalTool, forkReplay, getRun, getStep, listRuns, saveCase, ToolInputError, type ToolAnswer, type ToolEnv } from './tools';
import { z } from 'zod';

/** Runs `name` on `args` (validated against its schema first: a bad argument is a ToolInputError). */
export async function callTool(env: ToolEnv, name: ToolName, args: unknown): Promise<ToolAnswer> {
  const parsed = z
    .object(TOOL_SCHEMAS[name].input)
    .strict()
    .safeParse(args ?? {});
  if (!parsed.success)
    throw new ToolInputError(`bad arguments for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ')}`);
  // The schema checked the shape; each tool reads its own fields.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const a = parsed.data as any;
  switch (name) {
    case 'list_runs':
      return listRuns(env, a);
    case 'get_run':
      return getRun(env, a);
    case 'get_step':
      return getStep(env, a);
    case 'compare_runs':
      return compareTool(env, a);
    case 'eval':
      return evalTool(env, a);
    case 'save_regression_case':
      return saveCase(env, a);
    case 'fork_replay':
      return forkReplay(env, a);
    case 'replay':
      return forkReplay(env, { traceId: a.traceId, tools: a.tools });
  }
}
