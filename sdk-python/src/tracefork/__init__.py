"""The Tracefork SDK for Python agents: `register()` sends runs to Tracefork with the call site of
every step; `http_client()`, `@tool` and `step` record model and tool calls so a run can be forked
and replayed (the contract: sdk/REPLAY.md). Importing this package has no side effects."""

from ._format import ATTR, PLAN_ENV, PlannedStep, ReplayPlan
from ._generic import step, tool
from ._httpx import AsyncTraceforkTransport, TraceforkTransport, async_http_client, http_client, wrap_anthropic, wrap_openai
from ._json import ReplayedError, canonical, decode, encode, input_hash
from ._processors import CallSiteProcessor, ReplayLinkProcessor
from ._register import Registration, register
from ._replayer import Replayer, read_plan
from ._runtime import reset_runtime, runtime
from ._spans import FrameworkSpans

__all__ = [
    "ATTR",
    "PLAN_ENV",
    "AsyncTraceforkTransport",
    "CallSiteProcessor",
    "FrameworkSpans",
    "PlannedStep",
    "Registration",
    "ReplayLinkProcessor",
    "ReplayPlan",
    "ReplayedError",
    "Replayer",
    "TraceforkTransport",
    "async_http_client",
    "canonical",
    "decode",
    "encode",
    "http_client",
    "input_hash",
    "read_plan",
    "register",
    "reset_runtime",
    "runtime",
    "step",
    "tool",
    "wrap_anthropic",
    "wrap_openai",
]
