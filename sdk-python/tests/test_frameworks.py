"""Python agent frameworks through the whole loop, each traced the way its users trace it and
exporting to the built CLI's receiver: the OpenAI Agents SDK with OpenInference's
OpenAIAgentsInstrumentor, and Pydantic AI with its own OpenTelemetry GenAI instrumentation. Each
invocation is one run whose model and tool steps link to the agent's file; `tracefork replay`
with no edit makes no model and no tool call and compares as identical; a fork at the tool with
an edited city runs that tool and makes exactly the one live model call after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from loop import assert_no_edit_and_fork, record, recorded
from mock_models import MockModels
from support import AGENTS, Serve

AGENT_FILES = {"openai-agents": "openai_agents.py", "pydantic-ai": "pydantic_ai_agent.py"}
#: The framework's own span kinds around the recorded calls (the step model of its convention).
FRAMEWORK_KINDS = {"openai-agents": ["agent", "chain", "agent", "chain", "llm", "tool", "chain", "llm"], "pydantic-ai": ["agent", "llm", "tool", "llm"]}


@pytest.mark.parametrize("framework", list(AGENT_FILES))
def test_framework_record_replay_fork(framework: str, serve: Serve, models: MockModels, tmp_path: Path) -> None:
    script = AGENT_FILES[framework]
    trace_id, steps, out = record(serve, models, script)
    assert out == {"answer": "The weather is: sunny in Paris, 21C", "toolCalls": ["Paris"]}

    # One run, the framework's spans as its steps; the SDK recorded on the framework's own model
    # and tool spans (no nested duplicate), and every step links to the agent's file.
    assert [s["kind"] for s in steps] == FRAMEWORK_KINDS[framework]
    agent_file = str(AGENTS / script)
    for s in steps:
        assert (s["code"] or {}).get("file") == agent_file, f"{s['kind']} {s['name']} links to the agent's file, not {s['code']}"
    llm, tool = recorded(steps, "llm"), recorded(steps, "tool")
    assert [s["attributes"]["tracefork.step.key"] for s in llm] == ["/llm:gpt-4o-mini#0", "/llm:gpt-4o-mini#1"]
    assert [s["model"] for s in llm] == ["gpt-4o-mini"] * 2 and all(s["inputTokens"] for s in llm)
    assert [(s["kind"], s["toolName"]) for s in tool] == [("tool", "get_weather")]
    # The tool step points at the tool's definition; a model call, made on the framework's event
    # loop with no user frame deeper, at the line that runs the agent.
    source = (AGENTS / script).read_text().splitlines()
    assert tool[0]["code"]["function"] == "get_weather" and source[tool[0]["code"]["line"] - 1].startswith(("@", "def get_weather"))
    assert all("run_sync(" in source[s["code"]["line"] - 1] for s in llm), [s["code"] for s in llm]

    assert_no_edit_and_fork(serve, models, trace_id, script, out, tool[0]["spanId"], tmp_path)
