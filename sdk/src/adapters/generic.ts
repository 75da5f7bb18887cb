/**
 * For anything else: `tool(name, fn)` records a tool function, `step(name, fn)` any other unit of
 * work (a custom model client, a retrieval, a sub-agent). Both serve the recording in a replay;
 * calls made inside `step` are keyed under it.
 */
import { recordCall } from '../replay/runtime';

/** The tool function, recorded; its arguments are the input (one argument is recorded as itself). */
export function tool<A extends unknown[], R>(name: string, fn: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
  return (...args: A) =>
    recordCall<R>(
      {
        op: 'tool',
        name,
        adapter: 'generic',
        input: args.length === 1 ? args[0] : args,
        spanName: `execute_tool ${name}`,
        spanAttributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': name,
          'gen_ai.tool.call.arguments': safeJson(args.length === 1 ? args[0] : args),
        },
        describeOutput: (out) => ({ 'gen_ai.tool.call.result': safeJson(out) }),
      },
      async (edited) => fn(...((args.length === 1 ? [edited] : edited) as A)),
    );
}

/** Runs fn(input) as a recorded step named `name`. */
export function step<I, R>(name: string, fn: (input: I) => R | Promise<R>, input?: I): Promise<R> {
  return recordCall<R>(
    { op: 'step', name, adapter: 'generic', input: input ?? null, spanName: name, spanAttributes: { 'gen_ai.operation.name': 'invoke_agent' } },
    async (edited) => fn(edited as I),
  );
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return String(v);
  }
}
