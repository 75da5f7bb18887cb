// Plain LangChain.js, traced with OpenInference's LangChain instrumentation and recorded by the
// Tracefork SDK (traceforkFetch() for the model, tool() for the tool's function), no step():
//   agent — LangChain's createAgent over ChatOpenAI with the weather tool;
//   chain — a runnable chain: the weather tool, a prompt, the model, a string parser.
// Prints one JSON line: how often the tool really ran, and the answer.
//   OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 OTEL_EXPORTER_OTLP_ENDPOINT=… tsx langchainAgent.ts agent|chain [city]
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { RunnableLambda } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { createAgent } from 'langchain';
import { z } from 'zod';
import { register, tool as recorded, traceforkFetch } from '../../../sdk/src/index';

const tracefork = register({ serviceName: 'langchain-agent' });
new LangChainInstrumentation().manuallyInstrument(CallbackManagerModule);

let toolCalls = 0;
const getWeather = recorded('get_weather', async ({ city }: { city: string }) => {
  toolCalls++;
  return `${city}: 18°C, clear`;
});
const weather = tool(getWeather, { name: 'get_weather', description: 'The weather in a city', schema: z.object({ city: z.string() }) });
const llm = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-test', configuration: { baseURL: process.env.OPENAI_BASE_URL, fetch: traceforkFetch() } });

async function agent(city: string): Promise<unknown> {
  const a = createAgent({ model: llm, tools: [weather] });
  const result = await a.invoke({ messages: [{ role: 'user', content: `Weather in ${city}?` }] });
  return result.messages[result.messages.length - 1]?.content;
}

async function chain(city: string): Promise<unknown> {
  const prompt = ChatPromptTemplate.fromMessages([
    ['system', 'Be brief.'],
    ['user', 'Summarise this forecast: {forecast}'],
  ]);
  const forecast = RunnableLambda.from(async (c: { city: string }) => ({ forecast: await weather.invoke(c) }));
  return forecast.pipe(prompt).pipe(llm).pipe(new StringOutputParser()).invoke({ city });
}

async function main() {
  const [mode = 'agent', city = 'Paris'] = process.argv.slice(2);
  const text = await (mode === 'chain' ? chain(city) : agent(city));
  await tracefork.shutdown();
  process.stdout.write(JSON.stringify({ toolCalls, text }) + '\n');
}

void main();
