// An agent on the `openai` client against a local mock server, recorded with the Tracefork SDK's
// fetch wrapper; its tool is a plain function wrapped with the SDK's generic `tool()`. Prints one
// JSON line with how often the tool really ran (the mock server counts the model calls).
//   OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 tsx replayOpenAIAgent.ts
import OpenAI from 'openai';
import { register, tool, traceforkFetch, step } from '../../sdk/src/index';

async function main() {
  const tracefork = register({ serviceName: 'replay-openai-agent' });
  let toolCalls = 0;
  const getWeather = tool('get_weather', async (args: { city: string }) => (toolCalls++, `${args.city}: 18°C, clear`));
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: process.env.OPENAI_BASE_URL, fetch: traceforkFetch() });
  const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
  const answer = await step('weather-agent', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?' },
    ];
    for (let turn = 0; turn < 4; turn++) {
      const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
      const msg = res.choices[0]!.message;
      messages.push(msg);
      if (!msg.tool_calls?.length) return msg.content ?? '';
      for (const call of msg.tool_calls) {
        if (call.type !== 'function') continue;
        messages.push({ role: 'tool', tool_call_id: call.id, content: await getWeather(JSON.parse(call.function.arguments)) });
      }
    }
    return 'gave up';
  });
  await tracefork.shutdown();
  process.stdout.write(JSON.stringify({ toolCalls, text: answer }) + '\n');
}

void main();
