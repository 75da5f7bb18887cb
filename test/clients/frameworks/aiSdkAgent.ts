// The Vercel AI SDK's agent abstraction (ToolLoopAgent) with the telemetry its docs recommend
// (experimental_telemetry), its model recorded by traceforkMiddleware() and its tools by
// traceforkTools(). The model is the AI SDK's own mock (MockLanguageModelV3) answering like a
// real one: a get_weather call, then a text that quotes the tool's result. No step().
// Prints one JSON line: how often the tool really ran, how often the model was called, the answer.
//   OTEL_EXPORTER_OTLP_ENDPOINT=… tsx aiSdkAgent.ts [city]
import { ToolLoopAgent, tool, wrapLanguageModel, stepCountIs } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { register, traceforkMiddleware, traceforkTools } from '../../../sdk/src/index';

const tracefork = register({ serviceName: 'ai-sdk-agent' });

let toolCalls = 0;
let modelCalls = 0;
const usage = { inputTokens: { total: 30, noCache: 30, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 9, text: 9, reasoning: 0 } };
const mock = new MockLanguageModelV3({
  doGenerate: async (options) => {
    modelCalls++;
    const result = options.prompt.flatMap((m) => (m.role === 'tool' ? m.content : [])).find((p) => p.type === 'tool-result');
    if (!result) {
      const city = /Weather in (\w+)/.exec(JSON.stringify(options.prompt))?.[1] ?? 'Paris';
      return {
        content: [{ type: 'tool-call', toolCallId: `call-${modelCalls}`, toolName: 'get_weather', input: JSON.stringify({ city }) }],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage,
        warnings: [],
      };
    }
    const out = result.output;
    const text = out.type === 'text' || out.type === 'json' ? String(out.value) : JSON.stringify(out);
    return { content: [{ type: 'text', text: `The weather is: ${text}` }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] };
  },
});
const model = wrapLanguageModel({ model: mock, middleware: traceforkMiddleware() });
const tools = traceforkTools({
  get_weather: tool({
    description: 'The weather in a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }: { city: string }) => {
      toolCalls++;
      return `${city}: 18°C, clear`;
    },
  }),
});

async function main() {
  const agent = new ToolLoopAgent({ model, tools, stopWhen: stepCountIs(4), experimental_telemetry: { isEnabled: true, functionId: 'weather-agent' } });
  const result = await agent.generate({ prompt: `Weather in ${process.argv[2] ?? 'Paris'}?` });
  await tracefork.shutdown();
  process.stdout.write(JSON.stringify({ toolCalls, modelCalls, text: result.text }) + '\n');
}

void main();
