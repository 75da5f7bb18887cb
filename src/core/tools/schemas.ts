/**
 * The tools' names, descriptions and argument schemas (zod), one definition for every front end:
 * `tracefork mcp` registers them as they are; VS Code's `contributes.languageModelTools` carries the
 * same schemas as JSON Schema (a test keeps package.json in step).
 */
import { z } from 'zod';

const traceId = z.string().describe('a run id: 32 hex digits, from list_runs');
const spanId = z.string().describe('a step id: 16 hex digits, from get_run');

/** Every tool: name → { title, description, input shape, whether it runs the agent's code }. */
export const TOOL_SCHEMAS = {
  list_runs: {
    title: 'List Tracefork runs',
    description:
      "Recent agent runs recorded by Tracefork, failing first, with why each failed in one line. Filters: status (failing, passing, any), evaluator (a failing evaluator's name), model, text (in the run name), since (ISO time), limit (default 20).",
    input: {
      status: z.enum(['failing', 'passing', 'any']).optional(),
      evaluator: z.string().optional(),
      model: z.string().optional(),
      text: z.string().optional(),
      since: z.string().optional(),
      limit: z.number().int().min(1).max(200).optional(),
    },
    runsCode: false,
  },
  get_run: {
    title: 'Read a Tracefork run',
    description:
      'One run: its failing steps with evaluator findings, errors and source locations (file:line), then its step tree with span ids, paged (offset, maxSteps).',
    input: { traceId, offset: z.number().int().min(0).optional(), maxSteps: z.number().int().min(1).max(200).optional() },
    runsCode: false,
  },
  get_step: {
    title: 'Read a Tracefork step',
    description:
      'One step: input, output, tool calls, error and stack, findings; attributes: true adds the raw span attributes. Long answers are truncated with a marker; read on with offset.',
    input: {
      traceId,
      spanId,
      attributes: z.boolean().optional(),
      maxChars: z.number().int().min(200).max(50000).optional(),
      offset: z.number().int().min(0).optional(),
    },
    runsCode: false,
  },
  compare_runs: {
    title: 'Compare two Tracefork runs',
    description: 'Step-by-step comparison of two runs (e.g. an original and its replay): the first divergence and what changed.',
    input: { a: traceId, b: traceId },
    runsCode: false,
  },
  eval: {
    title: 'Evaluate Tracefork runs',
    description:
      'Runs every evaluator over one run (traceId) or the recent runs (limit), as `tracefork eval` does; failing steps with their findings and locations.',
    input: { traceId: traceId.optional(), limit: z.number().int().min(1).max(200).optional() },
    runsCode: false,
  },
  save_regression_case: {
    title: 'Save a Tracefork regression case',
    description: 'Saves one step (typically a failing one) as a regression case in .tracefork/cases/cases.jsonl of the workspace.',
    input: { traceId, spanId },
    runsCode: false,
  },
  fork_replay: {
    title: 'Fork and replay a Tracefork run',
    description:
      "Re-runs the agent from one step with an edited input: the recorded model and tool calls serve everything before the step, the step runs with `input` (the step's input as JSON, e.g. a tool's arguments), everything after runs live. Returns the new run's id, whether it now succeeds, and the comparison. Runs the agent's code.",
    input: {
      traceId,
      spanId,
      input: z.unknown().describe("the fork step's edited input (JSON), as get_step shows it"),
      tools: z
        .record(z.string(), z.enum(['replay', 'live']))
        .optional()
        .describe('per tool before the fork: replay (default) or live'),
    },
    runsCode: true,
  },
  replay: {
    title: 'Replay a Tracefork run',
    description:
      "Re-runs the agent with every recorded model and tool call served from the recording (no edit), then compares: shows whether the current code still behaves as recorded. Runs the agent's code.",
    input: { traceId, tools: z.record(z.string(), z.enum(['replay', 'live'])).optional() },
    runsCode: true,
  },
} as const;

/** A tool's name. */
export type ToolName = keyof typeof TOOL_SCHEMAS;

/** JSON Schema of a tool's arguments (what package.json's languageModelTools carry). */
export function jsonSchemaOf(name: ToolName): Record<string, unknown> {
  const schema = z.toJSONSchema(z.object(TOOL_SCHEMAS[name].input)) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}
