// A weather agent on the AI SDK's mock model, recorded with the Tracefork SDK, whose behaviour
// follows its system prompt: the model asks the weather of the prompt's "Default city"; the
// weather service fails for Paris. For `tracefork ab`: a system-prompt edit that names Paris
// breaks the tool call.
//   node --import tsx abAgent.ts
import { generateText, stepCountIs, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { register, traceforkMiddleware, traceforkTools } from '../../sdk/src/index';

type Result = Awaited<ReturnType<MockLanguageModelV3['doGenerate']>>;
type Prompt = Parameters<MockLanguageModelV3['doGenerate']>[0]['prompt'];
const usage = { inputTokens: { total: 30, noCache: 30, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 9, text: 9, reasoning: 0 } };

function reply(prompt: Prompt): Result {
  const system = prompt.find((m) => m.role === 'system');
  const city = /Default city: (\w+)/.exec(system && typeof system.content === 'string' ? system.content : '')?.[1] ?? 'Lyon';
  const results = prompt
    .filter((m) => m.role === 'tool')
    .flatMap((m) => m.content)
    .flatMap((p) => (p.type === 'tool-result' ? [p.output] : []));
  if (!results.length)
    return {
      content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'getWeather', input: JSON.stringify({ city }) }],
      finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      usage,
      warnings: [],
    };
  const r = results[0]!;
  const text =
    r.type === 'error-text' || r.type === 'error-json' ? 'Sorry, I could not get the weather.' : `Forecast: ${JSON.stringify('value' in r ? r.value : null)}`;
  return { content: [{ type: 'text', text }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] };
}

async function lookUpWeather(city: string) {
  if (city === 'Paris') throw new Error(`weather service unavailable for ${city}`);
  return { city, temperatureC: 21 };
}

async function main() {
  const tracefork = register({ serviceName: 'ab-agent' });
  const model = wrapLanguageModel({
    model: new MockLanguageModelV3({ provider: 'mock-provider', modelId: 'mock-model', doGenerate: async ({ prompt }) => reply(prompt) }),
    middleware: traceforkMiddleware(),
  });
  const tools = traceforkTools({
    getWeather: tool({ description: 'Weather for a city', inputSchema: z.object({ city: z.string() }), execute: ({ city }) => lookUpWeather(city) }),
  });
  const result = await generateText({
    model,
    system: 'You are a weather agent. Default city: Lyon.',
    prompt: process.argv[2] ?? 'What is the weather?',
    tools,
    stopWhen: stepCountIs(3),
    experimental_telemetry: { isEnabled: true, functionId: 'ab-agent' },
  });
  await tracefork.shutdown();
  process.stdout.write(`${result.text}\n`);
}

void main();
