"""LangGraph agents in Python through the whole loop, as a user runs them: recorded with the SDK
into the built CLI's receiver, then `tracefork replay` (the extension's planner and comparison)
re-running the agent's script: a no-edit replay makes no model and no tool call and compares as
identical; a fork at the tool with an edited input makes exactly the live calls after the fork."""

from __future__ import annotations

from pathlib import Path

import pytest

from loop import assert_no_edit_and_fork, record, recorded
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

    assert_no_edit_and_fork(serve, models, trace_id, script, out, tool[0]["spanId"], tmp_path)
