"""LangGraph agents in Python through the whole loop, as a user runs them: recorded with the SDK
into the built CLI's receiver, then `tracefork replay` (the extension's planner and comparison)
re-running the agent's script: a no-edit replay makes no model and no tool call and compares as
identical; a fork at the tool with an edited input makes exactly the live calls after the fork."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loop import compare, record, recorded, replay, sources
from mock_models import MockModels
from support import AGENTS, Serve

AGENT_FILES = {"react": "langgraph_react.py", "graph": "langgraph_graph.py"}


@pytest.mark.parametrize("agent", list(AGENT_FILES))
def test_langgraph_record_replay_fork(agent: str, serve: Serve, models: MockModels, tmp_path: Path) -> None:
    script = AGENT_FILES[agent]
    trace_id, steps, out = record(serve, models, script)
    assert out == {"answer": "The weather is: sunny in Paris, 21C", "toolCalls": ["Paris"]}

    # One run whose every step links to the agent's file.
    agent_file = str(AGENTS / script)
    for s in steps:
        assert (s["code"] or {}).get("file") == agent_file, f"{s['kind']} {s['name']} links to the agent's file, not {s['code']}"
    llm, tool = recorded(steps, "llm"), recorded(steps, "tool")
    assert [s["attributes"]["tracefork.step.key"].rsplit("/", 1)[-1] for s in llm] == ["llm:gpt-4o-mini#0", "llm:gpt-4o-mini#1"]
    assert len(tool) == 1 and tool[0]["kind"] == "tool"
    if agent == "graph":  # the OpenInference graph is the run's root: the recordings joined its trace
        assert steps[0]["name"] == "LangGraph"

    # A no-edit replay: everything served from the recording.
    before = models.calls()
    res, replayed, stderr = replay(serve, models, trace_id, script)
    assert models.calls() == before, "a no-edit replay calls no model"
    assert replayed == out | {"toolCalls": []}, "and runs no tool"
    assert "[tracefork] replay:" not in stderr, stderr
    code, compared = compare(serve, trace_id, res["traceId"])
    assert (code, compared["firstDivergence"]) == (0, -1), json.dumps([p for p in compared["pairs"] if p["status"] != "same"], indent=1)
    assert sources(serve, res["traceId"]) == ["recording"] * 3

    # A fork at the tool with an edited input: the tool and the model call after it run live.
    edit = tmp_path / "city.json"
    edit.write_text(json.dumps("Lyon"))
    before = models.calls()
    res, forked, stderr = replay(serve, models, trace_id, script, "--fork", tool[0]["spanId"], "--input", str(edit))
    assert forked == {"answer": "The weather is: sunny in Lyon, 21C", "toolCalls": ["Lyon"]}
    assert models.calls() - before == 1, "only the model call after the fork is live"
    assert "[tracefork] replay:" not in stderr, stderr
    code, compared = compare(serve, trace_id, res["traceId"])
    assert code == 1
    pairs = compared["pairs"]
    first = pairs[compared["firstDivergence"]]
    assert first["right"]["kind"] == "tool", f"the first difference is the fork step: {first}"
    # Before it, only the enclosing steps differ, by their output (a consequence, not a divergence).
    assert all(p["status"] == "same" or p["differs"] == ["output"] for p in pairs[: compared["firstDivergence"]]), json.dumps(pairs, indent=1)
    assert sources(serve, res["traceId"]) == ["recording", "fork", "live"]
