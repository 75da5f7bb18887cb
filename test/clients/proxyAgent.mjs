// An agent with no tracing and no Tracefork SDK: the `openai` client as its docs show it, reading
// OPENAI_API_KEY and OPENAI_BASE_URL from the environment (which `tracefork run` sets). A tool
// loop (chat, a local tool, a streamed chat), then a Responses call and an embedding. It writes
// what it got to $ANSWER_FILE: the final text, how many stream chunks it read, and more.
import * as fs from 'node:fs';
import OpenAI from 'openai';

const client = new OpenAI({ maxRetries: 0 });
const tools = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];
const weather = (city) => (city === 'Paris' ? 'sunny, 21C' : 'unknown');

if (process.env.AGENT_MODE === 'single' || process.env.AGENT_MODE === 'stream') {
  // One call whose failure is written down: how an upstream error reaches the agent.
  const stream = process.env.AGENT_MODE === 'stream';
  let text = '';
  try {
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello?' }], stream });
    if (stream) for await (const c of r) text += c.choices[0]?.delta?.content ?? '';
    else text = r.choices[0].message.content;
    fs.writeFileSync(process.env.ANSWER_FILE, JSON.stringify({ text }));
  } catch (e) {
    fs.writeFileSync(
      process.env.ANSWER_FILE,
      JSON.stringify({ text, error: { status: e.status ?? null, message: String(e.message), name: e.constructor.name } }),
    );
  }
  process.exit(0);
}

const messages = [
  { role: 'system', content: process.env.AGENT_SYSTEM ?? 'You are a weather agent.' },
  { role: 'user', content: process.env.AGENT_QUESTION ?? 'What is the weather in Paris?' },
];
const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
const call = first.choices[0].message.tool_calls[0];
messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: weather(JSON.parse(call.function.arguments).city) });

let text = '';
let chunks = 0;
const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools, stream: true, stream_options: { include_usage: true } });
for await (const c of stream) {
  chunks++;
  text += c.choices[0]?.delta?.content ?? '';
}
const summary = await client.responses.create({ model: 'gpt-4o-mini', input: `Summarize: ${text}` });
const emb = await client.embeddings.create({ model: 'text-embedding-3-small', input: text });
const result = JSON.stringify({ text, chunks, summary: summary.output_text, dims: emb.data[0].embedding.length });
if (process.env.ANSWER_FILE) fs.writeFileSync(process.env.ANSWER_FILE, result);
console.log(`agent done: ${result}`);
