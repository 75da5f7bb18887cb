"""The record → replay → compare loop the framework tests share: an agent script run as a
subprocess against the session's receiver and model mocks, its run read back, then re-run by
`tracefork replay` (the extension's planner and comparison) and compared with `tracefork compare`."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from mock_models import MockModels
from support import AGENTS, Serve, run_agent, run_cli, wait_for


def env(serve: Serve, models: MockModels) -> dict[str, str]:
    return {"OTEL_EXPORTER_OTLP_ENDPOINT": serve.url, "MOCK_OPENAI_URL": models.openai_url, "PYTHONWARNINGS": "ignore"}


def recorded(steps: list[dict[str, Any]], op: str) -> list[dict[str, Any]]:
    """The steps the SDK recorded as `op` (llm, tool, step)."""
    return [s for s in steps if s["attributes"].get("tracefork.step.op") == op]


def record(serve: Serve, models: MockModels, script: str, calls: int = 3) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """Runs the agent once: (its one new run's trace id, the run's steps once `calls` model and
    tool calls are in, the agent's JSON line). Fails unless the agent called the model twice."""
    seen = {r["traceId"] for r in serve.runs()}
    before = models.calls()
    started = datetime.now(timezone.utc) - timedelta(milliseconds=50)  # spans carry this machine's clock
    out = run_agent(script, env(serve, models)).result
    assert models.calls() - before == 2, "the agent called the model twice"

    def one_new_run() -> str:
        # Runs that started before this agent (a previous test's run indexed late) are not its own.
        runs = [r for r in serve.runs() if r["traceId"] not in seen and datetime.fromisoformat(r["startTime"].replace("Z", "+00:00")) >= started]
        assert len(runs) == 1, f"one invocation is one run, got {len(runs)}: {[(r['name'], r['startTime'], r['spanCount']) for r in runs]}"
        return str(runs[0]["traceId"])

    trace_id = wait_for(one_new_run, what="the recorded run")
    steps = serve.wait_steps(trace_id, lambda st: len(recorded(st, "llm")) + len(recorded(st, "tool")) == calls)
    return trace_id, steps, out


def replay(serve: Serve, models: MockModels, trace_id: str, script: str, *flags: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """`tracefork replay TRACE --json FLAGS -- python SCRIPT`: (its result, the agent's JSON line, its stderr)."""
    r = run_cli("replay", trace_id, "--db", serve.db, "--json", *flags, "--", sys.executable, str(AGENTS / script), env=env(serve, models))
    assert r.returncode == 0, r.stderr
    res: dict[str, Any] = json.loads(r.stdout.strip().splitlines()[-1])
    agent = next(json.loads(x) for x in reversed(r.stderr.splitlines()) if x.startswith("{"))
    return res, agent, r.stderr


def compare(serve: Serve, a: str, b: str) -> tuple[int, dict[str, Any]]:
    """`tracefork compare A B --json`: (exit code, comparison)."""
    r = run_cli("compare", a, b, "--db", serve.db, "--json")
    out: dict[str, Any] = json.loads(r.stdout)
    return r.returncode, out


def sources(serve: Serve, trace_id: str) -> list[str | None]:
    """`tracefork.replay.source` of a replayed run's llm and tool steps, in order."""
    return [s["attributes"].get("tracefork.replay.source") for s in serve.steps(trace_id) if s["attributes"].get("tracefork.step.op") in ("llm", "tool")]


def assert_no_edit_and_fork(serve: Serve, models: MockModels, trace_id: str, script: str, out: dict[str, Any], tool_span: str, tmp_path: Path) -> None:
    """The fidelity every weather agent of these tests shows through `tracefork replay`: a no-edit
    replay calls neither model nor tool and compares identical; a fork at the tool with "Lyon" runs
    exactly the tool and the model call after it, and differs first at the tool."""
    before = models.calls()
    res, replayed, stderr = replay(serve, models, trace_id, script)
    assert models.calls() == before, "a no-edit replay calls no model"
    assert replayed == out | {"toolCalls": []}, "and runs no tool"
    assert "[tracefork] replay:" not in stderr, stderr
    code, compared = compare(serve, trace_id, res["traceId"])
    assert (code, compared["firstDivergence"]) == (0, -1), json.dumps([p for p in compared["pairs"] if p["status"] != "same"], indent=1)
    assert sources(serve, res["traceId"]) == ["recording"] * 3

    edit = tmp_path / "city.json"
    edit.write_text(json.dumps("Lyon"))
    before = models.calls()
    res, forked, stderr = replay(serve, models, trace_id, script, "--fork", tool_span, "--input", str(edit))
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
