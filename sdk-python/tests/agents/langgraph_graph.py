"""A hand-built LangGraph StateGraph (a model node, a tool node, a conditional edge) on ChatOpenAI,
traced the way LangGraph users trace it: OpenInference's LangChain instrumentation, exporting to
Tracefork through `tracefork.register()`; its model and tool calls recorded by the SDK (the httpx
clients and `@tracefork.tool`), with no step of the SDK's own around the invocation. Prints one
JSON line: the answer and the tool's real calls."""

import json
import os
import sys
from typing import Annotated, TypedDict

import tracefork

registration = tracefork.register(service_name="py-langgraph-graph")

from langchain_core.messages import AnyMessage, HumanMessage  # noqa: E402
from langchain_core.tools import tool  # noqa: E402
from langchain_openai import ChatOpenAI  # noqa: E402
from langgraph.graph import END, START, StateGraph  # noqa: E402
from langgraph.graph.message import add_messages  # noqa: E402
from langgraph.prebuilt import ToolNode  # noqa: E402
from openinference.instrumentation.langchain import LangChainInstrumentor  # noqa: E402

LangChainInstrumentor().instrument(tracer_provider=registration.provider)
TOOL_CALLS = []


@tool
@tracefork.tool("get_weather")
def get_weather(city: str) -> str:
    """The current weather in a city."""
    TOOL_CALLS.append(city)
    return f"sunny in {city}, 21C"


class State(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]


llm = ChatOpenAI(
    model="gpt-4o-mini",
    base_url=os.environ["MOCK_OPENAI_URL"],
    api_key="sk-test-secret",
    http_client=tracefork.http_client(),
    http_async_client=tracefork.async_http_client(),
).bind_tools([get_weather])


def call_model(state: State) -> State:
    return {"messages": [llm.invoke(state["messages"])]}


def route(state: State) -> str:
    return "tools" if getattr(state["messages"][-1], "tool_calls", None) else END


graph = StateGraph(State)
graph.add_node("model", call_model)
graph.add_node("tools", ToolNode([get_weather]))
graph.add_edge(START, "model")
graph.add_conditional_edges("model", route, ["tools", END])
graph.add_edge("tools", "model")
app = graph.compile()

if __name__ == "__main__":
    question = sys.argv[1] if len(sys.argv) > 1 else "What is the weather in Paris?"
    result = app.invoke({"messages": [HumanMessage(question)]})
    registration.shutdown()
    print(json.dumps({"answer": result["messages"][-1].content, "toolCalls": TOOL_CALLS}))
