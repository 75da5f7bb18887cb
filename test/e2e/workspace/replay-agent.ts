// An agent recorded with the Tracefork SDK, for fork & replay in the end-to-end tests: the Vercel
// AI SDK's mock model asks for the weather of the city in the prompt; the weather service fails
// for Paris. Forking at the failing tool call with another city makes the run succeed.
//   node --import tsx replay-agent.ts
import { generateText, stepCountIs, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { register, traceforkMiddleware, traceforkTools } from '@tracefork/sdk';

type Result = Awaited<ReturnType<MockLanguageModelV3['doGenerate']>>;
type Prompt = Parameters<MockLanguageModelV3['doGenerate']>[0]['prompt'];
const usage = { inputTokens: { total: 30, noCache: 30, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 9, text: 9, reasoning: 0 } };

function reply(prompt: Prompt): Result {
  const results = prompt.filter((m) => m.role === 'tool').flatMap((m) => m.content).flatMap((p) => (p.type === 'tool-result' ? [p.output] : []));
  if (!results.length) {
    return { content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'getWeather', input: '{"city":"Paris"}' }], finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage, warnings: [] };
  }
  const r = results[0]!;
  const text = r.type === 'error-text' || r.type === 'error-json' ? 'Sorry, I could not get the weather.' : `Forecast: ${JSON.stringify('value' in r ? r.value : null)}`;
  return { content: [{ type: 'text', text }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] };
}

async function lookUpWeather(city: string) {
  if (city === 'Paris') throw new Error(`weather service unavailable for ${city}`);
  return { city, temperatureC: 21 };
}

async function main() {
  const tracefork = register({ serviceName: 'replay-agent' });
  const model = wrapLanguageModel({ model: new MockLanguageModelV3({ provider: 'mock-provider', modelId: 'mock-model', doGenerate: async ({ prompt }) => reply(prompt) }), middleware: traceforkMiddleware() });
  const tools = traceforkTools({ getWeather: tool({ description: 'Weather for a city', inputSchema: z.object({ city: z.string() }), execute: ({ city }) => lookUpWeather(city) }) });
  const result = await generateText({ model, prompt: 'What is the weather in Paris?', tools, stopWhen: stepCountIs(3), experimental_telemetry: { isEnabled: true, functionId: 'replay-agent' } });
  await tracefork.shutdown();
  process.stdout.write(`${result.text}\n`);
}

void main();
