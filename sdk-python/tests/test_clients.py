"""The real `openai` and `anthropic` clients, sync and async, JSON and streamed, on the SDK's httpx
clients against the local mocks: recorded by `register()` into the built CLI's receiver, planned by
`tracefork plan` (the extension's own planner), then replayed in this process from that plan with
no model call, and forked with an edited request that reaches the model."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anthropic
import openai
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import tracefork
from mock_models import MockModels
from support import Serve, cli
from tracefork import ATTR, Replayer, read_plan, reset_runtime

HERE = str(Path(__file__).resolve())
Agent = Callable[[MockModels], dict[str, Any]]


@pytest.fixture(scope="module")
def recorded(serve: Serve) -> Iterator[tuple[tracefork.Registration, InMemorySpanExporter]]:
    reg = tracefork.register(endpoint=serve.url, service_name="py-clients")
    mem = InMemorySpanExporter()
    reg.provider.add_span_processor(SimpleSpanProcessor(mem))
    yield reg, mem


WEATHER_TOOL_OPENAI = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
WEATHER_TOOL_RESPONSES = [{"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]
WEATHER_TOOL_ANTHROPIC = [{"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]


def _openai_sync(stream: bool) -> Agent:
    def agent(m: MockModels) -> dict[str, Any]:
        client = openai.OpenAI(base_url=m.openai_url, api_key="sk-test-secret", http_client=tracefork.http_client())
        msgs: list[Any] = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "weather in Paris?"}]
        if stream:
            calls: dict[int, dict[str, str]] = {}
            for chunk in client.chat.completions.create(model="gpt-4o-mini", messages=msgs, tools=WEATHER_TOOL_OPENAI, stream=True):  # type: ignore[arg-type]
                for tc in chunk.choices[0].delta.tool_calls or [] if chunk.choices else []:
                    c = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
                    c["id"] = tc.id or c["id"]
                    c["name"] = (tc.function and tc.function.name) or c["name"]
                    c["arguments"] += (tc.function and tc.function.arguments) or ""
            call = calls[0]
        else:
            first = client.chat.completions.create(model="gpt-4o-mini", messages=msgs, tools=WEATHER_TOOL_OPENAI)  # type: ignore[arg-type]
            tc = first.choices[0].message.tool_calls[0]  # type: ignore[index]
            call = {"id": tc.id, "name": tc.function.name, "arguments": tc.function.arguments}  # type: ignore[union-attr]
        msgs += [
            {"role": "assistant", "tool_calls": [{"id": call["id"], "type": "function", "function": {"name": call["name"], "arguments": call["arguments"]}}]},
            {"role": "tool", "tool_call_id": call["id"], "content": "sunny, 21C"},
        ]
        if stream:
            text = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(model="gpt-4o-mini", messages=msgs, stream=True) if c.choices)  # type: ignore[arg-type]
        else:
            text = client.chat.completions.create(model="gpt-4o-mini", messages=msgs).choices[0].message.content or ""  # type: ignore[arg-type]
        return {"tool": call["name"], "args": json.loads(call["arguments"]), "text": text}

    return agent


def _openai_async(stream: bool) -> Agent:
    async def run(m: MockModels) -> dict[str, Any]:
        client = openai.AsyncOpenAI(base_url=m.openai_url, api_key="sk-test-secret", http_client=tracefork.async_http_client())
        msgs: list[Any] = [{"role": "user", "content": "weather in Paris?"}]
        if stream:
            args = ""
            name = ""
            async for chunk in await client.chat.completions.create(model="gpt-4o-mini", messages=msgs, tools=WEATHER_TOOL_OPENAI, stream=True):  # type: ignore[arg-type]
                for tc in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
                    name = (tc.function and tc.function.name) or name
                    args += (tc.function and tc.function.arguments) or ""
        else:
            first = await client.chat.completions.create(model="gpt-4o-mini", messages=msgs, tools=WEATHER_TOOL_OPENAI)  # type: ignore[arg-type]
            tc = first.choices[0].message.tool_calls[0]  # type: ignore[index]
            name, args = tc.function.name, tc.function.arguments  # type: ignore[union-attr]
        msgs += [
            {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": name, "arguments": args}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny, 21C"},
        ]
        if stream:
            text = "".join([c.choices[0].delta.content or "" async for c in await client.chat.completions.create(model="gpt-4o-mini", messages=msgs, stream=True) if c.choices])  # type: ignore[arg-type]
        else:
            text = (await client.chat.completions.create(model="gpt-4o-mini", messages=msgs)).choices[0].message.content or ""  # type: ignore[arg-type]
        await client.close()
        return {"tool": name, "args": json.loads(args), "text": text}

    return lambda m: asyncio.run(run(m))


def _responses(stream: bool) -> Agent:
    def agent(m: MockModels) -> dict[str, Any]:
        client = openai.OpenAI(base_url=m.openai_url, api_key="sk-test-secret", http_client=tracefork.http_client())
        if stream:
            with client.responses.stream(model="gpt-4.1-mini", input="weather in Paris?", tools=WEATHER_TOOL_RESPONSES) as s:  # type: ignore[arg-type]
                first = s.get_final_response()
        else:
            first = client.responses.create(model="gpt-4.1-mini", input="weather in Paris?", tools=WEATHER_TOOL_RESPONSES)  # type: ignore[arg-type]
        fc = first.output[0]
        assert fc.type == "function_call"
        second = client.responses.create(
            model="gpt-4.1-mini",
            input=[
                {"role": "user", "content": "weather in Paris?"},
                {"type": "function_call", "call_id": fc.call_id, "name": fc.name, "arguments": fc.arguments},
                {"type": "function_call_output", "call_id": fc.call_id, "output": "sunny, 21C"},
            ],
        )  # type: ignore[arg-type]
        return {"tool": fc.name, "args": json.loads(fc.arguments), "text": second.output_text}

    return agent


def _anthropic(asynchronous: bool, stream: bool) -> Agent:
    async def run(m: MockModels) -> dict[str, Any]:
        kw: dict[str, Any] = {"base_url": m.base_url, "api_key": "sk-ant-test-secret"}
        client: Any = anthropic.AsyncAnthropic(**kw, http_client=tracefork.async_http_client()) if asynchronous else tracefork.wrap_anthropic(anthropic.Anthropic(**kw))
        msgs: list[Any] = [{"role": "user", "content": "weather in Paris?"}]

        async def call(**more: Any) -> Any:
            if stream:
                if asynchronous:
                    async with client.messages.stream(model="claude-haiku-4-5", max_tokens=100, system="be brief", messages=msgs, **more) as s:
                        return await s.get_final_message()
                with client.messages.stream(model="claude-haiku-4-5", max_tokens=100, system="be brief", messages=msgs, **more) as s:
                    return s.get_final_message()
            r = client.messages.create(model="claude-haiku-4-5", max_tokens=100, system="be brief", messages=msgs, **more)
            return await r if asynchronous else r

        first = await call(tools=WEATHER_TOOL_ANTHROPIC)
        use = first.content[0]
        assert use.type == "tool_use"
        msgs += [
            {"role": "assistant", "content": [{"type": "tool_use", "id": use.id, "name": use.name, "input": use.input}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "sunny, 21C"}]},
        ]
        second = await call()
        return {"tool": use.name, "args": use.input, "text": second.content[0].text}

    return lambda m: asyncio.run(run(m))


CASES: dict[str, tuple[Agent, str, str]] = {
    "openai-sync-json": (_openai_sync(False), "openai", "gpt-4o-mini"),
    "openai-sync-stream": (_openai_sync(True), "openai", "gpt-4o-mini"),
    "openai-async-json": (_openai_async(False), "openai", "gpt-4o-mini"),
    "openai-async-stream": (_openai_async(True), "openai", "gpt-4o-mini"),
    "openai-responses-json": (_responses(False), "openai-responses", "gpt-4.1-mini"),
    "openai-responses-stream": (_responses(True), "openai-responses", "gpt-4.1-mini"),
    "anthropic-sync-json": (_anthropic(False, False), "anthropic", "claude-haiku-4-5"),
    "anthropic-sync-stream": (_anthropic(False, True), "anthropic", "claude-haiku-4-5"),
    "anthropic-async-json": (_anthropic(True, False), "anthropic", "claude-haiku-4-5"),
    "anthropic-async-stream": (_anthropic(True, True), "anthropic", "claude-haiku-4-5"),
}


def _llm_spans(mem: InMemorySpanExporter, trace_id: int) -> list[ReadableSpan]:
    return [s for s in mem.get_finished_spans() if s.context and s.context.trace_id == trace_id and (s.attributes or {}).get(ATTR.op) == "llm"]


@pytest.mark.parametrize("case", list(CASES))
def test_record_plan_replay_fork(case: str, recorded: tuple[tracefork.Registration, InMemorySpanExporter], serve: Serve, models: MockModels, tmp_path: Path) -> None:
    agent, adapter, model = CASES[case]
    reg, mem = recorded

    def run_once() -> tuple[dict[str, Any], int]:
        with tracefork.step(case) as s:
            out = agent(models)
        return out, s.trace_id

    # Record.
    reset_runtime()
    before = models.calls()
    out, trace_id = run_once()
    assert out == {"tool": "get_weather", "args": {"city": "Paris"}, "text": "The weather is: sunny, 21C"}
    assert models.calls() - before == 2
    spans = _llm_spans(mem, trace_id)
    assert [(s.attributes or {})[ATTR.key] for s in spans] == [f"/step:{case}#0/llm:{model}#0", f"/step:{case}#0/llm:{model}#1"]
    for s in spans:
        a = s.attributes or {}
        assert a[ATTR.adapter] == adapter
        assert a["code.file.path"] == HERE, "the call site is this file, not the client library"
        recorded_out = json.loads(str(a[ATTR.output]))
        assert recorded_out["status"] == 200
        streamed = "stream" in case and (s is spans[0] or adapter != "openai-responses")  # the Responses case streams its first call
        assert ("data:" in recorded_out["body"]) == streamed
        assert "sk-test-secret" not in json.dumps(dict(a)) and "sk-ant-test-secret" not in json.dumps(dict(a)), "no API key on the span"
        assert json.loads(str(a["gen_ai.input.messages"]))[-1]["role"] in ("user", "tool")
    if "stream" not in case:
        assert (spans[0].attributes or {})["gen_ai.usage.output_tokens"] in (7, 9, 12)
    reg.provider.force_flush()
    tid = format(trace_id, "032x")
    steps = serve.wait_steps(tid, lambda st: sum(1 for x in st if x["kind"] == "llm") == 2)
    assert all(x["code"]["file"] == HERE for x in steps), "every step links to this file in the store"

    # A no-edit replay: both calls served from the recording, no model call.
    plan_file = tmp_path / "plan.json"
    cli("plan", tid, "--db", serve.db, "--out", str(plan_file))
    reports: list[str] = []
    replayer = Replayer(read_plan(str(plan_file)), report=reports.append)
    reset_runtime(replayer)
    before = models.calls()
    again, replay_trace = run_once()
    assert again == out
    assert models.calls() == before, "a no-edit replay calls no model"
    assert reports == []
    assert replayer.counts == {"recording": 2, "fork": 0, "live": 1}  # the enclosing step runs through
    sources = [(s.attributes or {}).get(ATTR.source) for s in _llm_spans(mem, replay_trace)]
    assert sources == ["recording", "recording"]

    # A fork at the second call with an edited request: the edit reaches the model.
    second = next(x for x in steps if x["kind"] == "llm" and x["attributes"][ATTR.key].endswith("#1"))
    body = json.loads(second["attributes"][ATTR.input])
    body["max_tokens" if adapter == "anthropic" else "temperature"] = 0.5 if adapter != "anthropic" else 55
    edit = tmp_path / "edit.json"
    edit.write_text(json.dumps(body))
    cli("plan", tid, "--db", serve.db, "--fork", second["spanId"], "--input", str(edit), "--out", str(plan_file))
    replayer = Replayer(read_plan(str(plan_file)), report=reports.append)
    reset_runtime(replayer)
    before = models.calls()
    forked, _ = run_once()
    assert forked == out
    assert models.calls() - before == 1, "only the fork step reaches the model"
    sent = models.requests[-1][1]
    assert sent.get("max_tokens" if adapter == "anthropic" else "temperature") == (55 if adapter == "anthropic" else 0.5)
    assert replayer.counts["recording"] == 1 and replayer.counts["fork"] == 1
    assert reports == []
