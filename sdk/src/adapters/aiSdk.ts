/**
 * Vercel AI SDK adapter: a language-model middleware for `wrapLanguageModel` (records every model
 * call; serves it from the recording or runs the fork's edit in a replay) and `traceforkTools`,
 * which does the same for tools' `execute`. Structural types only: the SDK does not depend on `ai`.
 */
import { activeSpanNamed, callThrough, recordCall } from '../replay/runtime';
import { callSite } from '../callSite';

/** The parts of LanguageModelV3CallOptions that are the call's input (not signals or headers). */
const INPUT_FIELDS = [
  'prompt',
  'tools',
  'toolChoice',
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'stopSequences',
  'presencePenalty',
  'frequencyPenalty',
  'seed',
  'responseFormat',
  'providerOptions',
] as const;

type Params = Record<string, unknown>;
interface Model {
  modelId: string;
  provider: string;
  doGenerate(params: Params): PromiseLike<unknown>;
  doStream(params: Params): PromiseLike<{ stream: ReadableStream<unknown> } & Record<string, unknown>>;
}
interface WrapOptions {
  doGenerate: () => PromiseLike<unknown>;
  doStream: () => PromiseLike<{ stream: ReadableStream<unknown> } & Record<string, unknown>>;
  params: Params;
  model: Model;
}

function inputOf(params: Params): Params {
  const out: Params = {};
  for (const k of INPUT_FIELDS) if (params[k] !== undefined) out[k] = params[k];
  return out;
}

const isModelSpan = (n: string) => /\.do(Generate|Stream)$/.test(n);

/** The middleware to pass to `wrapLanguageModel({ model, middleware: traceforkMiddleware() })`. */
export function traceforkMiddleware() {
  const defSite = callSite();
  return {
    specificationVersion: 'v3' as const,
    async wrapGenerate({ doGenerate, params, model }: WrapOptions): Promise<never> {
      const input = inputOf(params);
      return recordCall(
        {
          op: 'llm',
          name: model.modelId,
          adapter: 'ai-sdk',
          input,
          ownSpan: activeSpanNamed(isModelSpan),
          defSite,
          spanName: `chat ${model.modelId}`,
          spanAttributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model.modelId, 'gen_ai.provider.name': model.provider },
        },
        async (edited) => (edited === input ? doGenerate() : model.doGenerate({ ...params, ...(edited as Params) })) as Promise<never>,
      );
    },
    async wrapStream({ doStream, params, model }: WrapOptions): Promise<never> {
      const input = inputOf(params);
      // A stream passes through as it comes (time to first chunk unchanged); its parts are
      // recorded when it ends, and a replay serves them back as a stream.
      return callThrough(
        {
          op: 'llm',
          name: model.modelId,
          adapter: 'ai-sdk',
          input,
          ownSpan: activeSpanNamed(isModelSpan),
          defSite,
          spanName: `chat ${model.modelId}`,
          spanAttributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model.modelId },
        },
        async (edited) => {
          const res = await (edited === input ? doStream() : model.doStream({ ...params, ...(edited as Params) }));
          const parts: unknown[] = [];
          let done!: (v: unknown) => void;
          const output = new Promise<unknown>((r) => (done = r));
          const { stream, ...rest } = res;
          const tee = new TransformStream({
            transform(part, ctl) {
              parts.push(part);
              ctl.enqueue(part);
            },
            flush() {
              done({ ...rest, parts });
            },
          });
          return { value: { ...rest, stream: stream.pipeThrough(tee) } as never, output };
        },
        (recorded) => {
          const { parts, ...rest } = recorded as { parts: unknown[] } & Record<string, unknown>;
          return {
            ...rest,
            stream: new ReadableStream({
              start(c) {
                for (const p of parts) c.enqueue(p);
                c.close();
              },
            }),
          } as never;
        },
      );
    },
  };
}

type AnyTool = { execute?: (input: never, options: never) => unknown } & Record<string, unknown>;

/** The same tools with `execute` recorded (and served from the recording before a fork). */
export function traceforkTools<T extends Record<string, AnyTool>>(tools: T): T {
  const defSite = callSite();
  const out: Record<string, AnyTool> = {};
  for (const [name, t] of Object.entries(tools)) {
    const execute = t.execute;
    if (!execute) {
      out[name] = t;
      continue;
    }
    out[name] = {
      ...t,
      execute: (input: never, options: never) =>
        recordCall(
          {
            op: 'tool',
            name,
            adapter: 'ai-sdk',
            input,
            ownSpan: activeSpanNamed((n) => n === 'ai.toolCall'),
            defSite,
            spanName: `execute_tool ${name}`,
            spanAttributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name },
          },
          async (edited) => execute(edited as never, options),
        ),
    };
  }
  return out as T;
}
