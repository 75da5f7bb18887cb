// A plain JavaScript agent (no TypeScript, no loader, no OpenTelemetry code): started with
// `node --import <sdk>/dist/auto.js plainAgent.mjs`, its Vercel AI SDK steps reach Tracefork.
import { generateText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';

const usage = { inputTokens: { total: 3, noCache: 3, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };
const model = new MockLanguageModelV3({
  doGenerate: async () => ({ content: [{ type: 'text', text: 'hi' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] }),
});

async function main() {
  const r = await generateText({ model, prompt: 'Say hi', experimental_telemetry: { isEnabled: true, functionId: 'plain-agent' } });
  process.stdout.write(`${r.text}\n`);
}

await main();
