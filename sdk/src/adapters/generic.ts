/**
 * For anything else: `tool(name, fn)` records a tool function, `step(name, fn)` any other unit of
 * work (a custom model client, a retrieval, a sub-agent). Both serve the recording in a replay;
 * calls made inside `step` are keyed under it.
 */
import type { Attributes } from '@opentelemetry/api';
import { recordCall, type CallInfo } from '../replay/runtime';
import type { Frame } from '../contract';
import { describesTool } from '../replay/framework';
import { callSite } from '../callSite';

/**
 * The tool function, recorded; its arguments are the input (one argument is recorded as itself).
 * Inside a framework's tool span (OpenInference's for a LangChain tool) the call is recorded on
 * that span; a call whose stack shows no frame of the agent points at the line that wrapped it.
 */
export function tool<A extends unknown[], R>(name: string, fn: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
  const defSite = callSite();
  return (...args: A) => {
    // The input is the arguments the function declares: what a framework passes beyond them (the
    // config LangChain gives a tool function: callbacks, run ids, signals) is not data of the call,
    // so it is passed through, neither recorded nor hashed. A function that declares none (rest or
    // default parameters) has every argument recorded.
    const declared = fn.length > 0 && fn.length < args.length ? fn.length : args.length;
    const data = args.slice(0, declared);
    const extra = args.slice(declared);
    const input = data.length === 1 ? data[0] : data;
    return recordCall<R>(toolCall(name, input, 'generic', defSite), async (edited) =>
      fn(...([...(data.length === 1 ? [edited] : (edited as unknown[])), ...extra] as A)),
    );
  };
}

/**
 * How a tool call is recorded, whichever adapter makes it (`tool()`, `traceforkMcp`): an OTel GenAI
 * `execute_tool` span, or the framework's tool span for it when one is open.
 */
export function toolCall(name: string, input: unknown, adapter: CallInfo['adapter'], defSite: Frame | null, attributes: Attributes = {}): CallInfo {
  return {
    op: 'tool',
    name,
    adapter,
    input,
    adopt: (span) => describesTool(span, name),
    defSite,
    spanName: `execute_tool ${name}`,
    spanAttributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': name,
      'gen_ai.tool.call.arguments': safeJson(input),
      ...attributes,
    },
    describeOutput: (out) => ({ 'gen_ai.tool.call.result': safeJson(out) }),
  };
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
