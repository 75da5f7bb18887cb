"""A LangGraph agent as its users write it: the prebuilt ReAct agent on ChatOpenAI with one tool,
recorded with the Tracefork SDK (the httpx clients, `@tracefork.tool`, one top-level step per
invocation). Prints one JSON line: the answer and how many times the tool really ran."""

import json
import os
import sys

import tracefork

registration = tracefork.register(service_name="py-langgraph-react")

from langchain_core.tools import tool  # noqa: E402
from langchain_openai import ChatOpenAI  # noqa: E402
from langgraph.prebuilt import create_react_agent  # noqa: E402

TOOL_CALLS = []


@tool
@tracefork.tool("get_weather")
def get_weather(city: str) -> str:
    """The current weather in a city."""
    TOOL_CALLS.append(city)
    return f"sunny in {city}, 21C"


llm = ChatOpenAI(
    model="gpt-4o-mini",
    base_url=os.environ["MOCK_OPENAI_URL"],
    api_key="sk-test-secret",
    http_client=tracefork.http_client(),
    http_async_client=tracefork.async_http_client(),
)
agent = create_react_agent(llm, [get_weather], prompt="You answer weather questions.")


@tracefork.step("weather-agent")
def ask(question: str) -> str:
    result = agent.invoke({"messages": [("user", question)]})
    return str(result["messages"][-1].content)


if __name__ == "__main__":
    answer = ask(sys.argv[1] if len(sys.argv) > 1 else "What is the weather in Paris?")
    registration.shutdown()
    print(json.dumps({"answer": answer, "toolCalls": TOOL_CALLS}))
