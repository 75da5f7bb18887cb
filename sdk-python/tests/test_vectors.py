"""The shared vectors (test/vectors/replay-vectors.json), also asserted by sdk/src/replay/vectors.test.ts."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

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
