// The OpenAI Agents SDK for JS, traced the way its OpenInference instrumentation recommends
// (its trace processor, exclusive: nothing goes to OpenAI's own tracing) and recorded by the
// Tracefork SDK: the agent's OpenAI client has traceforkFetch(), its function tool's body is
// wrapped with tool(). Chat Completions against the local mock. No step().
// Prints one JSON line: how often the tool really ran, and the answer.
//   OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 OTEL_EXPORTER_OTLP_ENDPOINT=… tsx openaiAgentsAgent.ts [city]
import * as agents from '@openai/agents';
import { OpenAIAgentsInstrumentation } from '@arizeai/openinference-instrumentation-openai-agents';
import OpenAI from 'openai';
import { z } from 'zod';
import { register, tool as recorded, traceforkFetch } from '../../../sdk/src/index';

const tracefork = register({ serviceName: 'openai-agents-agent' });
new OpenAIAgentsInstrumentation().manuallyInstrument(agents);

let toolCalls = 0;
const getWeather = recorded('get_weather', async ({ city }: { city: string }) => {
  toolCalls++;
  return `${city}: 18°C, clear`;
});
const client = new OpenAI({ apiKey: 'sk-test', baseURL: process.env.OPENAI_BASE_URL, fetch: traceforkFetch() });
agents.setDefaultOpenAIClient(client as never);
agents.setOpenAIAPI('chat_completions');

async function main() {
  const weather = agents.tool({ name: 'get_weather', description: 'The weather in a city', parameters: z.object({ city: z.string() }), execute: getWeather });
  const agent = new agents.Agent({ name: 'weather-agent', instructions: 'Be brief.', model: 'gpt-4o-mini', tools: [weather] });
  const result = await agents.run(agent, `Weather in ${process.argv[2] ?? 'Paris'}?`);
  await agents.getGlobalTraceProvider().forceFlush();
  await tracefork.shutdown();
  process.stdout.write(JSON.stringify({ toolCalls, text: result.finalOutput }) + '\n');
}

void main();
