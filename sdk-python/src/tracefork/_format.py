"""The language-neutral replay contract (sdk/REPLAY.md): span attribute names and the plan file."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

Op = Literal["llm", "tool", "step"]


class ATTR:
    """Span attributes of a recorded call (the same names as sdk/src/replay/format.ts)."""

    key = "tracefork.step.key"
    input_hash = "tracefork.step.input_hash"
    op = "tracefork.step.op"
    name = "tracefork.step.name"
    adapter = "tracefork.step.adapter"
    input = "tracefork.step.input"
    output = "tracefork.step.output"
    error = "tracefork.step.error"
    lossy = "tracefork.step.lossy"
    source = "tracefork.replay.source"
    divergence = "tracefork.replay.divergence"
    original_trace = "tracefork.replay.original_trace_id"
    fork_span = "tracefork.replay.fork_span_id"
    plan_id = "tracefork.replay.plan_id"


PLAN_ENV = "TRACEFORK_REPLAY_PLAN"


class PlannedStep(TypedDict, total=False):
    """One recorded call the replay may serve."""

    key: str
    op: Op
    name: str
    inputHash: str
    input: Any
    output: Any
    error: dict[str, Any]
    through: bool


class ReplayPlan(TypedDict, total=False):
    """The plan file (version 1)."""

    version: int
    planId: str
    original: dict[str, Any]
    steps: list[PlannedStep]
    fork: dict[str, Any] | None
    tools: dict[str, str]
