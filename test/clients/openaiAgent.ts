// The real `openai` v6 client against a local mock server, instrumented with Traceloop (OpenLLMetry)
// or Arize OpenInference, doing one tool-call round trip inside an agent span.
//   tsx openaiAgent.ts [traceloop|openinference] [gzip|none]
// Only one instrumentation per process: both patch OpenAI.Chat.Completions.prototype.create.
import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { OpenAIInstrumentation as OpenInferenceInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { OpenAIInstrumentation as TraceloopInstrumentation } from '@traceloop/instrumentation-openai';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenAI } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { startMockOpenAI } from './mockOpenAI.js';
import { createTracing, endpointFromEnv, ensureContextManager, isMain, type Compression, type ExportedSpan, type Protocol } from './otel.js';

export type OpenAIInstrumentationKind = 'traceloop' | 'openinference';

export interface OpenAIAgentOptions {
  endpoint: string;
  instrumentation?: OpenAIInstrumentationKind;
  protocol?: Protocol;
  compression?: Compression;
}

export interface OpenAIAgentResult {
  answer: string;
  traceId: string;
  llmRequests: number;
  exported: ExportedSpan[];
  exportErrors: string[];
}

let installed: { kind: OpenAIInstrumentationKind; instance: TraceloopInstrumentation | OpenInferenceInstrumentation } | undefined;

/** Patches the same OpenAI class this file uses (ESM and CJS copies of `openai` are different classes). */
function instrument(kind: OpenAIInstrumentationKind, provider: NodeTracerProvider): void {
  if (installed && installed.kind !== kind) {
    throw new Error(`openai already instrumented with ${installed.kind}; use one instrumentation per process`);
  }
  if (!installed) {
    const instance = kind === 'traceloop' ? new TraceloopInstrumentation({ traceContent: true }) : new OpenInferenceInstrumentation();
    instance.manuallyInstrument(OpenAI); // OpenInference reads module.OpenAI; the class has a static OpenAI === itself
    installed = { kind, instance };
  }
  installed.instance.setTracerProvider(provider);
}

const weatherTool: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** One agent turn: ask, run the requested tool, send the result back, get the answer. */
async function askWeather(client: OpenAI, tracer: Tracer): Promise<{ answer: string; traceId: string }> {
  return tracer.startActiveSpan('invoke_agent weather-agent', async (span) => {
    try {
      const messages: ChatCompletionMessageParam[] = [
        { role: 'system', content: 'You are a weather assistant.' },
        { role: 'user', content: 'What is the weather in Paris?' },
      ];
      const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: [weatherTool] });
      const assistant = first.choices[0]!.message;
      messages.push(assistant);
      for (const call of assistant.tool_calls ?? []) {
        if (call.type !== 'function') continue;
        const { city } = JSON.parse(call.function.arguments) as { city: string };
        const toolSpan = tracer.startSpan(`execute_tool ${call.function.name}`, {
          attributes: { 'gen_ai.tool.name': call.function.name, 'gen_ai.tool.call.id': call.id },
        });
        const result = { city, temperatureC: 21, condition: 'sunny' };
        toolSpan.end();
        messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
      }
      const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: [weatherTool] });
      return { answer: second.choices[0]!.message.content ?? '', traceId: span.spanContext().traceId };
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

export async function runOpenAIAgent(opts: OpenAIAgentOptions): Promise<OpenAIAgentResult> {
  ensureContextManager();
  const kind = opts.instrumentation ?? 'traceloop';
  const tracing = createTracing({
    endpoint: opts.endpoint,
    protocol: opts.protocol ?? 'proto',
    compression: opts.compression,
    serviceName: `openai-weather-agent-${kind}`,
  });
  instrument(kind, tracing.provider);
  const mock = await startMockOpenAI();
  const client = new OpenAI({ baseURL: mock.baseURL, apiKey: 'test-key', maxRetries: 0 });

  const [outcome] = await Promise.allSettled([askWeather(client, tracing.provider.getTracer('weather-agent'))]);
  await mock.close();
  const { spans, errors } = await tracing.shutdown(); // flush even when the run failed
  if (outcome.status === 'rejected') throw outcome.reason;
  return { ...outcome.value, llmRequests: mock.requests.length, exported: spans, exportErrors: errors };
}

if (isMain('openaiAgent')) {
  const [kind = 'traceloop', compression = 'none'] = process.argv.slice(2);
  runOpenAIAgent({
    endpoint: endpointFromEnv(),
    instrumentation: kind === 'openinference' ? 'openinference' : 'traceloop',
    compression: compression === 'gzip' ? 'gzip' : 'none',
  }).then(
    (result) => {
      console.log(JSON.stringify(result));
      if (result.exportErrors.length > 0) process.exitCode = 1;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
