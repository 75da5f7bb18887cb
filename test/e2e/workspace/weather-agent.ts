// A small real agent for the end-to-end tests: the Vercel AI SDK with its mock model, a weather
// tool that fails for Paris, exported with the official OTLP exporter to OTEL_EXPORTER_OTLP_ENDPOINT.
//   node --import tsx weather-agent.ts [fail|ok]
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

type Result = Awaited<ReturnType<MockLanguageModelV3['doGenerate']>>;
const usage = (input: number, output: number): Result['usage'] => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});
const replies: Result[] = [
  { content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'getWeather', input: '{"city":"Paris"}' }], finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage: usage(30, 12), warnings: [] },
  { content: [{ type: 'text', text: 'Sorry, I could not get the weather.' }], finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(60, 9), warnings: [] },
];

async function lookUpWeather(city: string, fail: boolean) {
  if (fail) throw new Error(`weather service unavailable for ${city}`); // the failing step's line
  return { city, temperatureC: 21 };
}

async function main(fail: boolean) {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'weather-agent' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())], // reads OTEL_EXPORTER_OTLP_ENDPOINT
  });
  let call = 0;
  const model = new MockLanguageModelV3({ provider: 'mock-provider', modelId: 'mock-model', doGenerate: async () => replies[Math.min(call++, 1)] });
  const getWeather = tool({ description: 'Weather for a city', inputSchema: z.object({ city: z.string() }), execute: ({ city }) => lookUpWeather(city, fail) });
  await generateText({
    model,
    prompt: 'What is the weather in Paris?',
    tools: { getWeather },
    stopWhen: stepCountIs(3),
    experimental_telemetry: { isEnabled: true, functionId: 'weather-agent', tracer: provider.getTracer('ai') },
  });
  await provider.forceFlush();
  await provider.shutdown();
}

void main(process.argv[2] !== 'ok').then(
  () => process.stdout.write('agent done\n'),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : `rejected with ${JSON.stringify(e) ?? String(e)}`}\n`);
    process.exitCode = 1;
  },
);
