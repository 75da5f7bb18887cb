"""An agent with no tracing and no Tracefork code: the openai and anthropic clients as their docs
show them, reading their keys and base URLs from the environment (which `tracefork run` points at
the proxy). A tool loop on each: a call that asks for get_weather, then the answer, streamed. With
AGENT_MODE=anthropic-once / openai-once (or their -stream- forms) it makes one call and writes down
what arrived and how it failed, if it did.
Writes what it got to $ANSWER_FILE."""

import json
import os

import anthropic
import openai

TOOL_RESULT = os.environ.get("AGENT_TOOL_RESULT", "sunny, 21C")
answer: dict[str, object] = {}

MODE = os.environ.get("AGENT_MODE", "")
if MODE in ("anthropic-once", "openai-once", "anthropic-stream-once", "openai-stream-once"):
    # One call; what arrived and how it failed, if it did.
    events = 0
    try:
        if MODE == "anthropic-once":
            anthropic.Anthropic(max_retries=0).messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": "hi"}])
        elif MODE == "openai-once":
            openai.OpenAI(max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        elif MODE == "anthropic-stream-once":
            with anthropic.Anthropic(max_retries=0).messages.stream(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": "hi"}]) as s:
                for _ in s:
                    events += 1
        else:
            for _ in openai.OpenAI(max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True):
                events += 1
        answer["ok"] = True
    except (anthropic.APIStatusError, openai.APIStatusError) as e:
        answer["status"] = e.status_code
        answer["message"] = str(e)
    except Exception as e:  # noqa: BLE001 - a broken stream surfaces as the transport's own error
        answer["broken"] = f"{type(e).__name__}: {e}"
    answer["events"] = events
    with open(os.environ["ANSWER_FILE"], "w") as f:
        json.dump(answer, f)
    raise SystemExit(0)

oa = openai.OpenAI(max_retries=0)
tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
messages: list[dict[str, object]] = [{"role": "user", "content": "Weather in Paris?"}]
first = oa.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=tools)
call = first.choices[0].message.tool_calls[0]
messages += [first.choices[0].message.model_dump(exclude_none=True), {"role": "tool", "tool_call_id": call.id, "content": TOOL_RESULT}]
chunks = 0
text = ""
for chunk in oa.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=tools, stream=True):
    chunks += 1
    text += (chunk.choices[0].delta.content or "") if chunk.choices else ""
answer["openai"] = text
answer["openai_chunks"] = chunks

an = anthropic.Anthropic(max_retries=0)
a_tools = [{"name": "get_weather", "description": "The weather in a city", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]
convo: list[dict[str, object]] = [{"role": "user", "content": "Weather in Paris?"}]
msg = an.messages.create(model="claude-sonnet-4-5", max_tokens=256, system="You are a weather agent.", messages=convo, tools=a_tools)
use = next(b for b in msg.content if b.type == "tool_use")
result = {"type": "tool_result", "tool_use_id": use.id, "content": TOOL_RESULT}
convo += [{"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in msg.content]}, {"role": "user", "content": [result]}]
events = 0
with an.messages.stream(model="claude-sonnet-4-5", max_tokens=256, system="You are a weather agent.", messages=convo, tools=a_tools) as stream:
    for _ in stream:
        events += 1
    answer["anthropic"] = "".join(b.text for b in stream.get_final_message().content if b.type == "text")
answer["anthropic_events"] = events

with open(os.environ["ANSWER_FILE"], "w") as f:
    json.dump(answer, f)
