// Vercel AI SDK 6 agent on a mock model (no network), traced with experimental_telemetry and exported
// over OTLP (protobuf by default) with the official exporter.
//   tsx vercelAgent.ts [ok|tool-error|loop] [loopCount] [gzip|none]
// Modes: ok = one tool call then text; tool-error = the tool throws, then the model answers;
//        loop = the model calls getWeather({city:'Paris'}) loopCount times, then answers.
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { createTracing, endpointFromEnv, ensureContextManager, isMain, type Compression, type ExportedSpan, type Protocol } from './otel.js';

export type AgentMode = 'ok' | 'tool-error' | 'loop';

export interface VercelAgentOptions {
  endpoint: string;
  mode?: AgentMode;
  /** Number of identical tool calls in 'loop' mode (default 3). */
  loopCount?: number;
  protocol?: Protocol;
  compression?: Compression;
}

export interface VercelAgentResult {
  text: string;
  steps: number;
  toolCalls: number;
  toolErrors: number;
  traceIds: string[];
  exported: ExportedSpan[];
  exportErrors: string[];
}

type GenerateResult = Awaited<ReturnType<MockLanguageModelV3['doGenerate']>>;

const usage = (input: number, output: number): GenerateResult['usage'] => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

const toolCallStep = (toolCallId: string, city: string): GenerateResult => ({
  content: [{ type: 'tool-call', toolCallId, toolName: 'getWeather', input: JSON.stringify({ city }) }],
  finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
  usage: usage(30, 12),
  warnings: [],
});

const textStep = (text: string): GenerateResult => ({
  content: [{ type: 'text', text }],
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: usage(60, 9),
  warnings: [],
});

function script(mode: AgentMode, loopCount: number): GenerateResult[] {
  if (mode === 'loop') {
    const calls = Array.from({ length: loopCount }, (_, i) => toolCallStep(`call_${i + 1}`, 'Paris'));
    return [...calls, textStep('It is sunny in Paris, 21°C.')];
  }
  if (mode === 'tool-error') {
    return [toolCallStep('call_1', 'Paris'), textStep('Sorry, the weather service is unavailable right now.')];
  }
  return [toolCallStep('call_1', 'Paris'), textStep('It is sunny in Paris, 21°C.')];
}

export async function runVercelAgent(opts: VercelAgentOptions): Promise<VercelAgentResult> {
  ensureContextManager();
  const mode = opts.mode ?? 'ok';
  const loopCount = opts.loopCount ?? 3;
  const tracing = createTracing({
    endpoint: opts.endpoint,
    protocol: opts.protocol ?? 'proto',
    compression: opts.compression,
    serviceName: 'vercel-weather-agent',
  });

  const steps = script(mode, loopCount);
  let call = 0;
  const model = new MockLanguageModelV3({
    provider: 'mock-provider',
    modelId: 'mock-model',
    // A function rather than an array, so extra steps keep getting the final text.
    doGenerate: async () => steps[Math.min(call++, steps.length - 1)]!,
  });

  const getWeather = tool({
    description: 'Get the current weather for a city',
    inputSchema: z.object({ city: z.string().describe('City name') }),
    execute: async ({ city }) => {
      if (mode === 'tool-error') throw new Error(`weather service unavailable for ${city}`);
      return { city, temperatureC: 21, condition: 'sunny' };
    },
  });

  const [outcome] = await Promise.allSettled([
    generateText({
      model,
      system: 'You are a weather assistant.',
      prompt: 'What is the weather in Paris?',
      tools: { getWeather },
      stopWhen: stepCountIs(steps.length + 1),
      experimental_telemetry: {
        isEnabled: true,
        functionId: 'weather-agent',
        metadata: { mode },
        tracer: tracing.provider.getTracer('ai'),
      },
    }),
  ]);
  const { spans, errors } = await tracing.shutdown(); // flush even when the run failed
  if (outcome.status === 'rejected') throw outcome.reason;
  const result = outcome.value;
  const parts = result.steps.flatMap((s) => s.content);
  return {
    text: result.text,
    steps: result.steps.length,
    toolCalls: parts.filter((p) => p.type === 'tool-call').length,
    toolErrors: parts.filter((p) => p.type === 'tool-error').length,
    traceIds: [...new Set(spans.map((s) => s.traceId))],
    exported: spans,
    exportErrors: errors,
  };
}

if (isMain('vercelAgent')) {
  const [mode = 'ok', loopCount = '3', compression = 'none'] = process.argv.slice(2);
  runVercelAgent({
    endpoint: endpointFromEnv(),
    mode: mode === 'tool-error' || mode === 'loop' ? mode : 'ok',
    loopCount: Number(loopCount),
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
