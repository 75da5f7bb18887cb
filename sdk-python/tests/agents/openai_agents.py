"""An OpenAI Agents SDK agent as its users write it: an `Agent` with one `@function_tool` on an
`OpenAIChatCompletionsModel`, run with `Runner.run_sync`, traced the way its users trace it:
OpenInference's OpenAIAgentsInstrumentor (the Agents SDK's own trace processor, exclusive, so
nothing is sent to OpenAI's trace endpoint) exporting to Tracefork through `tracefork.register()`.
The model calls are recorded by the SDK's httpx client, the tool by `@tracefork.tool`, with no
step of the SDK's own around the run. Prints one JSON line: the answer and the tool's real calls."""

import json
import os
import sys

import tracefork

registration = tracefork.register(service_name="py-openai-agents")

from openai import AsyncOpenAI  # noqa: E402
from openinference.instrumentation.openai_agents import OpenAIAgentsInstrumentor  # noqa: E402

from agents import Agent, OpenAIChatCompletionsModel, Runner, function_tool  # noqa: E402

OpenAIAgentsInstrumentor().instrument(tracer_provider=registration.provider)
TOOL_CALLS = []


# @function_tool outermost: it reads the schema (name, docstring, annotations) through
# functools.wraps from the recorded function underneath.
@function_tool
@tracefork.tool("get_weather")
def get_weather(city: str) -> str:
    """The current weather in a city."""
    TOOL_CALLS.append(city)
    return f"sunny in {city}, 21C"


client = AsyncOpenAI(base_url=os.environ["MOCK_OPENAI_URL"], api_key="sk-test-secret", http_client=tracefork.async_http_client())
agent = Agent(
    name="weather-agent",
    instructions="You answer weather questions.",
    model=OpenAIChatCompletionsModel(model="gpt-4o-mini", openai_client=client),
    tools=[get_weather],
)

if __name__ == "__main__":
    question = sys.argv[1] if len(sys.argv) > 1 else "What is the weather in Paris?"
    result = Runner.run_sync(agent, question)
    registration.shutdown()
    print(json.dumps({"answer": result.final_output, "toolCalls": TOOL_CALLS}))
