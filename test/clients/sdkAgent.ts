// An agent that uses the Tracefork SDK's one-call set-up instead of wiring OpenTelemetry itself:
// every step, including the model calls made inside the AI SDK, gets the line of this file.
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { register } from '../../sdk/src/index';

type Result = Awaited<ReturnType<MockLanguageModelV3['doGenerate']>>;
const usage = { inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 5, text: 5, reasoning: 0 } };
const replies: Result[] = [
  {
    content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'add', input: '{"a":2,"b":3}' }],
    finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
    usage,
    warnings: [],
  },
  { content: [{ type: 'text', text: '5' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] },
];

async function main() {
  const tracefork = register();
  let n = 0;
  const model = new MockLanguageModelV3({ doGenerate: async () => replies[Math.min(n++, 1)] });
  const add = tool({ inputSchema: z.object({ a: z.number(), b: z.number() }), execute: async ({ a, b }) => a + b });
  await generateText({ model, prompt: 'What is 2 + 3?', tools: { add }, stopWhen: stepCountIs(3), experimental_telemetry: { isEnabled: true } }); // the agent's call
  await tracefork.shutdown();
}

void main();
