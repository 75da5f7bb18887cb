"""The shared vectors (test/vectors/replay-vectors.json), also asserted by sdk/src/replay/vectors.test.ts."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from python_values import PYTHON_VALUES, City, QuotaError
from tracefork import canonical, decode, encode, input_hash
from tracefork._scope import StepScopes

VECTORS = json.loads((pathlib.Path(__file__).resolve().parents[2] / "test" / "vectors" / "replay-vectors.json").read_text("utf-8"))


@pytest.mark.parametrize("v", VECTORS["values"], ids=lambda v: v["name"])
def test_value(v: dict[str, Any]) -> None:
    parsed = json.loads(v["inputJson"])
    value = decode(parsed) if v["encoded"] else parsed
    if v["encodedText"] is not None:
        assert encode(value) == v["encodedText"]
    assert canonical(value) == v["canonicalText"]
    assert input_hash(value, v["op"]) == v["hash"]


@pytest.mark.parametrize("s", VECTORS["keys"], ids=lambda s: s["name"])
def test_keys(s: dict[str, Any]) -> None:
    scopes = StepScopes()
    out: list[str] = []
    events = list(s["events"])

    def run() -> None:
        while events:
            e = events.pop(0)
            if e[0] == "exit":
                return
            k = scopes.next_key(e[1], e[2])
            out.append(k)
            if e[0] == "enter":
                with scopes.within(k):
                    run()

    run()
    assert out == s["keys"]


@pytest.mark.parametrize("v", VECTORS["python"], ids=lambda v: v["name"])
def test_python_value(v: dict[str, Any]) -> None:
    """Python's own types: encoded as the vector says (Node hashes that text alike), and decoded back to the same type and value."""
    op, make = PYTHON_VALUES[v["name"]]
    value = make()
    assert encode(value) == v["encodedText"]
    assert canonical(value) == v["canonicalText"]
    assert input_hash(value, op) == v["hash"]
    back = decode(json.loads(v["encodedText"]))
    if v["name"].startswith("int beyond"):
        assert float(back["n"]) == float(2**60) and back["n"] != 2**60  # lossy by design: what a JavaScript number holds
    elif v["name"] == "exception":
        assert type(back["error"]) is QuotaError and back["error"].retry_after == 30 and str(back["error"]) == "slow down"
    elif v["name"] == "tuple as array":
        assert back == ["Paris", 3, [1.5, None]]
    elif v["name"] == "dataclass":
        assert back == City("Lyon", [1, 2])  # type: ignore[arg-type]  # its tuple comes back a list, as every tuple does
    else:
        assert back == value and type(back) is type(value)
        if isinstance(value, dict):
            assert all(type(back[k]) is type(x) for k, x in value.items())


def test_fork_without_input_runs_with_the_codes_own_input() -> None:
    """sdk/REPLAY.md: a fork with no `input` (a regression case run again) keeps the call's input."""
    from tracefork import Replayer

    plan: Any = {
        "version": 1,
        "planId": "p",
        "original": {"traceId": "t" * 32, "forkSpanId": "s" * 16},
        "steps": [{"key": "/llm:m#0", "op": "llm", "name": "m", "inputHash": input_hash({"q": 1}, "llm"), "output": {"a": 1}}],
        "fork": {"key": "/tool:t#0", "op": "tool", "name": "t"},
    }
    r = Replayer(plan, report=lambda line: pytest.fail(line))
    assert r.decide("llm", "m", "/llm:m#0", {"q": 1}).kind == "recording"
    fork = r.decide("tool", "t", "/tool:t#0", {"city": "new code"})
    assert fork.kind == "fork" and fork.input == {"city": "new code"}
    assert r.decide("llm", "m", "/llm:m#1", {"q": 2}).kind == "live"
