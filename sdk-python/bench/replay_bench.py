"""What recording and replay cost a Python agent (`npm run bench:python`). The agent: the real
`openai` client against the local mock (which waits 20 ms per call to stand for a model) and a tool
that waits 5 ms: 26 model calls and 25 tool calls, 51 recorded steps under one step. In one process:
the live run without the SDK, the same run recorded by the SDK (exported to a real `tracefork
serve`), then replays from the plan `tracefork plan` makes of the recorded run. Medians of 5."""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import httpx2  # noqa: E402
import openai  # noqa: E402

import tracefork  # noqa: E402
from mock_models import start_mock  # noqa: E402
from support import cli, start_serve  # noqa: E402

ROUNDS = 5
MODEL_MS, TOOL_MS = 20, 5
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]


def agent(client: openai.OpenAI, tool: Callable[[str], str]) -> str:
    for i in range(25):
        r = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": f"weather in city {i}?"}], tools=TOOLS)  # type: ignore[list-item]
        tool(json.loads(r.choices[0].message.tool_calls[0].function.arguments)["city"])  # type: ignore[index, union-attr]
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "done"}]).choices[0].message.content or ""


def plain_tool(city: str) -> str:
    time.sleep(TOOL_MS / 1000)
    return f"sunny in {city}"


recorded_tool = tracefork.tool("get_weather")(plain_tool)


def timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="tracefork-pybench-")
    serve = start_serve(os.path.join(tmp, "traces.db"))
    mock = start_mock()
    mock.delay = MODEL_MS / 1000
    reg = tracefork.register(endpoint=serve.url, service_name="py-bench")
    plain = openai.OpenAI(base_url=mock.openai_url, api_key="sk-bench", http_client=httpx2.Client())
    traced = openai.OpenAI(base_url=mock.openai_url, api_key="sk-bench", http_client=tracefork.http_client())

    def recorded_run() -> int:
        tracefork.reset_runtime()
        with tracefork.step("bench-agent") as s:
            agent(traced, recorded_tool)
        return s.trace_id

    agent(plain, plain_tool)  # warm both paths
    trace_id = recorded_run()
    live, rec = [], []
    for _ in range(ROUNDS):
        live.append(timed(lambda: agent(plain, plain_tool)))
        rec.append(timed(recorded_run))
    reg.provider.force_flush()
    tid = format(trace_id, "032x")
    serve.wait_steps(tid, lambda st: len(st) == 52)
    plan_file = os.path.join(tmp, "plan.json")
    t = time.perf_counter()
    cli("plan", tid, "--db", serve.db, "--out", plan_file)
    plan_cli_ms = (time.perf_counter() - t) * 1000
    steps = serve.steps(tid)
    last_llm = [s for s in steps if s["kind"] == "llm"][-1]
    fork_file = os.path.join(tmp, "fork.json")
    fork_input = os.path.join(tmp, "input.json")
    Path(fork_input).write_text(last_llm["attributes"]["tracefork.step.input"])
    cli("plan", tid, "--db", serve.db, "--fork", last_llm["spanId"], "--input", fork_input, "--out", fork_file)

    def replay(path: str) -> Callable[[], None]:
        def run() -> None:
            tracefork.reset_runtime(tracefork.Replayer(tracefork.read_plan(path), report=lambda _: None))
            with tracefork.step("bench-agent"):
                agent(traced, recorded_tool)

        return run

    load = [timed(lambda: tracefork.read_plan(plan_file)) for _ in range(ROUNDS)]
    before = mock.calls()
    full = [timed(replay(plan_file)) for _ in range(ROUNDS)]
    assert mock.calls() == before, "a full replay calls no model"
    fork = [timed(replay(fork_file)) for _ in range(ROUNDS)]
    assert mock.calls() - before == ROUNDS, "a fork at the last call makes one model call"
    med = statistics.median
    latency = 26 * MODEL_MS + 25 * TOOL_MS
    one_call = med(live) / 26  # what one live model call (and its share of the run) takes here
    print(f"python {sys.version.split()[0]}, openai {openai.__version__}, tracefork-sdk (this checkout); medians of {ROUNDS}")
    print(f"| the live run (no SDK) | {med(live):.0f} ms (of which {latency} ms simulated model and tool latency) |")
    extra = med(rec) - med(live)
    print(f"| recording every call's full input, output and step key | +{extra:.1f} ms for the 51 steps ({extra / 51 * 1000:.0f} µs per call; {med(rec) / med(live):.3f}× the live run) |")
    print(f"| reading the plan (51 steps) | {med(load):.2f} ms (`tracefork plan`, Node start-up included: {plan_cli_ms:.0f} ms) |")
    print(f"| full replay, every call served from the recording | {med(full):.1f} ms ({med(full) / med(live):.3f}× the live run) |")
    print(f"| fork at the last model call: time beyond that one live call | {med(fork) - one_call:.1f} ms |")
    reg.shutdown()
    mock.close()
    serve.stop()


if __name__ == "__main__":
    main()
