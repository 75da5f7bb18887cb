// A LangGraph.js agent (the prebuilt ReAct agent over ChatOpenAI) traced the way LangGraph users
// trace it — OpenInference's LangChain instrumentation — and recorded by the Tracefork SDK: the
// model's fetch is traceforkFetch(), the tool's function is wrapped with the SDK's tool(). No step().
// Prints one JSON line: how often the tool really ran, and the answer.
//   OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 OTEL_EXPORTER_OTLP_ENDPOINT=… tsx langgraphAgent.ts [city]
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { tool } from '@langchain/core/tools';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { register, tool as recorded, traceforkFetch } from '../../../sdk/src/index';

const tracefork = register({ serviceName: 'langgraph-agent' });
new LangChainInstrumentation().manuallyInstrument(CallbackManagerModule);

let toolCalls = 0;
const getWeather = recorded('get_weather', async ({ city }: { city: string }) => {
  toolCalls++;
  return `${city}: 18°C, clear`;
});
const weather = tool(getWeather, { name: 'get_weather', description: 'The weather in a city', schema: z.object({ city: z.string() }) });
const llm = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-test', configuration: { baseURL: process.env.OPENAI_BASE_URL, fetch: traceforkFetch() } });

async function main() {
  const agent = createReactAgent({ llm, tools: [weather] });
  const result = await agent.invoke({ messages: [{ role: 'user', content: `Weather in ${process.argv[2] ?? 'Paris'}?` }] });
  await tracefork.shutdown();
  const last = result.messages[result.messages.length - 1];
  process.stdout.write(JSON.stringify({ toolCalls, text: last?.content }) + '\n');
}

void main();
