// A multi-step tool-loop agent on the Vercel AI SDK's mock model, recorded with the Tracefork SDK
// (middleware + tools). The mock answers from the conversation it is given, so an edited input
// changes what follows. Prints one JSON line: how often the model and the tool were really called.
//   tsx replayVercelAgent.ts ["Paris,Rome"] [stream]
import { generateText, stepCountIs, streamText, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { register, traceforkMiddleware, traceforkTools } from '../../sdk/src/index';

type Result = Awaited<ReturnType<MockLanguageModelV3['doGenerate']>>;
type Prompt = Parameters<MockLanguageModelV3['doGenerate']>[0]['prompt'];
const usage = { inputTokens: { total: 40, noCache: 40, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 8, text: 8, reasoning: 0 } };

/** The mock model: asks for each city's weather in turn, then sums up what the tool said. */
export function reply(prompt: Prompt): Result {
  const user = prompt.find((m) => m.role === 'user');
  const asked = user && Array.isArray(user.content) ? user.content.map((p) => (p.type === 'text' ? p.text : '')).join(' ') : '';
  const cities = (asked.match(/weather in (.+)\?/i)?.[1] ?? '')
    .split(/,| and /)
    .map((c) => c.trim())
    .filter(Boolean);
  const results = prompt
    .filter((m) => m.role === 'tool')
    .flatMap((m) => m.content)
    .flatMap((p) => (p.type === 'tool-result' ? [p.output] : []));
  if (results.length < cities.length) {
    const city = cities[results.length]!;
    return {
      content: [{ type: 'tool-call', toolCallId: `call_${results.length}`, toolName: 'getWeather', input: JSON.stringify({ city }) }],
      finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      usage,
      warnings: [],
    };
  }
  const text = results.map((r) => JSON.stringify(r)).join('; ');
  return { content: [{ type: 'text', text: `Report: ${text}` }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] };
}

/** The same reply as a stream of parts (doStream). */
function streamOf(r: Result) {
  const parts: unknown[] = [{ type: 'stream-start', warnings: [] }];
  for (const c of r.content) {
    if (c.type === 'text')
      parts.push(
        { type: 'text-start', id: 't' },
        { type: 'text-delta', id: 't', delta: c.text.slice(0, 7) },
        { type: 'text-delta', id: 't', delta: c.text.slice(7) },
        { type: 'text-end', id: 't' },
      );
    else parts.push(c);
  }
  parts.push({ type: 'finish', finishReason: r.finishReason, usage: r.usage });
  type Stream = Awaited<ReturnType<MockLanguageModelV3['doStream']>>;
  return {
    stream: new ReadableStream({
      start(ctl) {
        for (const p of parts) ctl.enqueue(p as never);
        ctl.close();
      },
    }),
  } as Stream;
}

async function main() {
  const cities = process.argv[2] ?? 'Paris,Rome';
  const streaming = process.argv[3] === 'stream';
  const tracefork = register({ serviceName: 'replay-vercel-agent' });
  const calls = { model: 0, tool: 0 };
  const mock = new MockLanguageModelV3({
    doGenerate: async ({ prompt }) => (calls.model++, reply(prompt)),
    doStream: async ({ prompt }) => (calls.model++, streamOf(reply(prompt))),
  });
  const model = wrapLanguageModel({ model: mock, middleware: traceforkMiddleware() });
  const tools = traceforkTools({
    getWeather: tool({
      description: 'Current weather for a city',
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }) => (calls.tool++, { city, tempC: 10 + city.length, sky: city.length % 2 ? 'sunny' : 'cloudy' }),
    }),
  });
  const options = {
    model,
    system: 'You are a weather assistant.',
    prompt: `What is the weather in ${cities}?`,
    tools,
    stopWhen: stepCountIs(8),
    experimental_telemetry: { isEnabled: true, functionId: 'weather-report' },
  };
  const text = streaming ? await streamText(options).text : (await generateText(options)).text;
  await tracefork.shutdown();
  process.stdout.write(JSON.stringify({ modelCalls: calls.model, toolCalls: calls.tool, text }) + '\n');
}

if (require.main === module) void main();
