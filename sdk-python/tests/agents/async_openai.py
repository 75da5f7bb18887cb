"""An async agent: the AsyncOpenAI client on the SDK's async httpx client, an async tool, and the
run grouped by `async with tracefork.step(...)`. Prints the answer and the tool's real calls."""

import asyncio
import json
import os
import sys

import openai

import tracefork

registration = tracefork.register(service_name="py-async-agent")
TOOL_CALLS: list[str] = []
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]


@tracefork.tool("get_weather")
async def get_weather(city: str) -> str:
    TOOL_CALLS.append(city)
    await asyncio.sleep(0)
    return f"sunny in {city}, 21C"


async def main(question: str) -> str:
    client = openai.AsyncOpenAI(base_url=os.environ["MOCK_OPENAI_URL"], api_key="sk-test-secret", http_client=tracefork.async_http_client())
    async with tracefork.step("async-agent"):
        messages: list = [{"role": "user", "content": question}]
        first = await client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=TOOLS)
        call = first.choices[0].message.tool_calls[0]
        result = await get_weather(json.loads(call.function.arguments)["city"])
        messages += [
            {"role": "assistant", "tool_calls": [{"id": call.id, "type": "function", "function": {"name": call.function.name, "arguments": call.function.arguments}}]},
            {"role": "tool", "tool_call_id": call.id, "content": result},
        ]
        final = await client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    await client.close()
    return final.choices[0].message.content or ""


if __name__ == "__main__":
    answer = asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "What is the weather in Paris?"))
    registration.shutdown()
    print(json.dumps({"answer": answer, "toolCalls": TOOL_CALLS}))
