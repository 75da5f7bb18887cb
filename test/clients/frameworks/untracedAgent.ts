// An agent with no tracing set-up and no step(): the `openai` client with traceforkFetch() and a
// tool wrapped with tool(), in a plain loop. register() groups the calls of this one invocation
// into one run (the calls made outside any span join a run span until none has been in flight
// for a moment). Prints one JSON line: how often the tool really ran, and the answer.
//   OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 OTEL_EXPORTER_OTLP_ENDPOINT=… tsx untracedAgent.ts [city]
import OpenAI from 'openai';
import { register, tool, traceforkFetch } from '../../../sdk/src/index';

const tracefork = register({ serviceName: 'untraced-agent' });
let toolCalls = 0;
const getWeather = tool('get_weather', async (args: { city: string }) => {
  toolCalls++;
  return `${args.city}: 18°C, clear`;
});
const client = new OpenAI({ apiKey: 'sk-test', baseURL: process.env.OPENAI_BASE_URL, fetch: traceforkFetch() });
const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

async function main() {
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: `Weather in ${process.argv[2] ?? 'Paris'}?` }];
  let text = '';
  for (let turn = 0; turn < 4 && !text; turn++) {
    const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
    const msg = res.choices[0]!.message;
    messages.push(msg);
    if (!msg.tool_calls?.length) text = msg.content ?? '';
    for (const call of msg.tool_calls ?? []) {
      if (call.type !== 'function') continue;
      messages.push({ role: 'tool', tool_call_id: call.id, content: await getWeather(JSON.parse(call.function.arguments) as { city: string }) });
    }
  }
  await tracefork.shutdown();
  process.stdout.write(JSON.stringify({ toolCalls, text }) + '\n');
}

void main();
