"""A Pydantic AI agent as its users write it: an `Agent` on `OpenAIChatModel` (an `OpenAIProvider`
over the SDK's async httpx client) with one `@agent.tool_plain`, traced by Pydantic AI's own
OpenTelemetry GenAI instrumentation (`Agent.instrument_all()`, no Logfire) exporting to Tracefork
through `tracefork.register()`. Model calls are recorded by the httpx client, the tool by
`@tracefork.tool`, with no step of the SDK's own around the run. Prints one JSON line: the answer
and the tool's real calls."""

import json
import os
import sys

import tracefork

registration = tracefork.register(service_name="py-pydantic-ai")

from pydantic_ai import Agent  # noqa: E402
from pydantic_ai.models.openai import OpenAIChatModel  # noqa: E402
from pydantic_ai.providers.openai import OpenAIProvider  # noqa: E402

TOOL_CALLS = []

provider = OpenAIProvider(base_url=os.environ["MOCK_OPENAI_URL"], api_key="sk-test-secret", http_client=tracefork.async_http_client())
Agent.instrument_all()
agent = Agent(OpenAIChatModel("gpt-4o-mini", provider=provider), instructions="You answer weather questions.")


# The agent's decorator outermost: it reads the schema through functools.wraps.
@agent.tool_plain
@tracefork.tool("get_weather")
def get_weather(city: str) -> str:
    """The current weather in a city."""
    TOOL_CALLS.append(city)
    return f"sunny in {city}, 21C"


if __name__ == "__main__":
    question = sys.argv[1] if len(sys.argv) > 1 else "What is the weather in Paris?"
    result = agent.run_sync(question)
    registration.shutdown()
    print(json.dumps({"answer": result.output, "toolCalls": TOOL_CALLS}))
