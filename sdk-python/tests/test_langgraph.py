"""LangGraph agents in Python through the whole loop, as a user runs them: recorded with the SDK
into the built CLI's receiver, then `tracefork replay` (the extension's planner and comparison)
re-running the agent's script: a no-edit replay makes no model and no tool call and compares as
identical; a fork at the tool with an edited input makes exactly the live calls after the fork."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from mock_models import MockModels
from support import AGENTS, Serve, run_agent, run_cli, wait_for

AGENT_FILES = {"react": "langgraph_react.py", "graph": "langgraph_graph.py"}


def _env(serve: Serve, models: MockModels) -> dict[str, str]:
    return {"OTEL_EXPORTER_OTLP_ENDPOINT": serve.url, "MOCK_OPENAI_URL": models.openai_url, "PYTHONWARNINGS": "ignore"}


def _record(serve: Serve, models: MockModels, script: str) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    seen = {r["traceId"] for r in serve.runs()}
    before = models.calls()
    out = run_agent(script, _env(serve, models)).result
    assert models.calls() - before == 2, "the agent called the model twice"

    def one_new_run() -> str:
        fresh = [r["traceId"] for r in serve.runs() if r["traceId"] not in seen]
        assert len(fresh) == 1, f"one invocation is one run, got {len(fresh)}"
        return fresh[0]

    trace_id = wait_for(one_new_run, what="the recorded run")
    steps = serve.wait_steps(trace_id, lambda st: sum(1 for s in st if "tracefork.step.key" in s["attributes"] and s["attributes"].get("tracefork.step.op") != "step") == 3)
    return trace_id, steps, out


def _replay(serve: Serve, models: MockModels, trace_id: str, script: str, *flags: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    r = run_cli("replay", trace_id, "--db", serve.db, "--json", *flags, "--", sys.executable, str(AGENTS / script), env=_env(serve, models))
    assert r.returncode == 0, r.stderr
    res: dict[str, Any] = json.loads(r.stdout.strip().splitlines()[-1])
    agent = next(json.loads(x) for x in reversed(r.stderr.splitlines()) if x.startswith("{"))
    return res, agent, r.stderr


def _compare(serve: Serve, a: str, b: str) -> tuple[int, dict[str, Any]]:
    r = run_cli("compare", a, b, "--db", serve.db, "--json")
    out: dict[str, Any] = json.loads(r.stdout)
    return r.returncode, out


def _recorded(steps: list[dict[str, Any]], op: str) -> list[dict[str, Any]]:
    return [s for s in steps if s["attributes"].get("tracefork.step.op") == op]


@pytest.mark.parametrize("agent", list(AGENT_FILES))
def test_langgraph_record_replay_fork(agent: str, serve: Serve, models: MockModels, tmp_path: Path) -> None:
    script = AGENT_FILES[agent]
    trace_id, steps, out = _record(serve, models, script)
    assert out == {"answer": "The weather is: sunny in Paris, 21C", "toolCalls": ["Paris"]}

    # One run whose every step links to the agent's file.
    agent_file = str(AGENTS / script)
    for s in steps:
        assert (s["code"] or {}).get("file") == agent_file, f"{s['kind']} {s['name']} links to the agent's file, not {s['code']}"
    llm, tool = _recorded(steps, "llm"), _recorded(steps, "tool")
    assert [s["attributes"]["tracefork.step.key"].rsplit("/", 1)[-1] for s in llm] == ["llm:gpt-4o-mini#0", "llm:gpt-4o-mini#1"]
    assert len(tool) == 1 and tool[0]["kind"] == "tool"
    if agent == "graph":  # the OpenInference graph is the run's root: the recordings joined its trace
        assert steps[0]["name"] == "LangGraph"

    # A no-edit replay: everything served from the recording.
    before = models.calls()
    res, replayed, stderr = _replay(serve, models, trace_id, script)
    assert models.calls() == before, "a no-edit replay calls no model"
    assert replayed == out | {"toolCalls": []}, "and runs no tool"
    assert "[tracefork] replay:" not in stderr, stderr
    code, compared = _compare(serve, trace_id, res["traceId"])
    assert (code, compared["firstDivergence"]) == (0, -1), json.dumps([p for p in compared["pairs"] if p["status"] != "same"], indent=1)
    sources = [s["attributes"].get("tracefork.replay.source") for s in serve.steps(res["traceId"]) if s["attributes"].get("tracefork.step.op") in ("llm", "tool")]
    assert sources == ["recording"] * 3

    # A fork at the tool with an edited input: the tool and the model call after it run live.
    edit = tmp_path / "city.json"
    edit.write_text(json.dumps("Lyon"))
    before = models.calls()
    res, forked, stderr = _replay(serve, models, trace_id, script, "--fork", tool[0]["spanId"], "--input", str(edit))
    assert forked == {"answer": "The weather is: sunny in Lyon, 21C", "toolCalls": ["Lyon"]}
    assert models.calls() - before == 1, "only the model call after the fork is live"
    assert "[tracefork] replay:" not in stderr, stderr
    code, compared = _compare(serve, trace_id, res["traceId"])
    assert code == 1
    pairs = compared["pairs"]
    first = pairs[compared["firstDivergence"]]
    assert first["right"]["kind"] == "tool", f"the first difference is the fork step: {first}"
    # Before it, only the enclosing steps differ, by their output (a consequence, not a divergence).
    assert all(p["status"] == "same" or p["differs"] == ["output"] for p in pairs[: compared["firstDivergence"]]), json.dumps(pairs, indent=1)
    new_steps = serve.steps(res["traceId"])
    sources = [s["attributes"].get("tracefork.replay.source") for s in new_steps if s["attributes"].get("tracefork.step.op") in ("llm", "tool")]
    assert sources == ["recording", "fork", "live"]
