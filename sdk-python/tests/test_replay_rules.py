"""The replay rules of sdk/REPLAY.md on an async Python agent (AsyncOpenAI, an async tool, `async
with tracefork.step`), through `tracefork replay`: a no-edit replay serves everything; a tool whose
policy is `live` runs while the model calls around it are still served; a call that no longer
matches the recording is reported (which call, where, recorded and now) on stderr and on its span,
and the run goes live from there."""

from __future__ import annotations

import json
import sys

from loop import compare, env, record, replay, sources
from mock_models import MockModels
from support import AGENTS, Serve, run_cli

SCRIPT = "async_openai.py"


def test_async_agent_replay_rules(serve: Serve, models: MockModels) -> None:
    trace_id, steps, out = record(serve, models, SCRIPT)
    assert out == {"answer": "The weather is: sunny in Paris, 21C", "toolCalls": ["Paris"]}
    assert all(s["code"]["file"] == str(AGENTS / SCRIPT) for s in steps)

    # No edit: the async model calls and the async tool are all served.
    before = models.calls()
    res, agent, stderr = replay(serve, models, trace_id, SCRIPT)
    assert (models.calls() - before, agent["toolCalls"], res["firstDivergence"]) == (0, [], -1), stderr
    assert sources(serve, res["traceId"]) == ["recording", "recording", "recording"]

    # The tool's policy is live: it runs (its side effect happens), the model calls stay served.
    before = models.calls()
    res, agent, stderr = replay(serve, models, trace_id, SCRIPT, "--tool", "get_weather=live")
    assert (models.calls() - before, agent["toolCalls"]) == (0, ["Paris"]), stderr
    assert sources(serve, res["traceId"]) == ["recording", "live", "recording"]
    assert compare(serve, trace_id, res["traceId"])[0] == 0, "the same answer, so the same run"

    # A different question: the first model call no longer matches; reported, then all live.
    before = models.calls()
    r = run_cli("replay", trace_id, "--db", serve.db, "--json", "--", sys.executable, str(AGENTS / SCRIPT), "What is the weather in Rome?", env=env(serve, models))
    assert r.returncode == 0, r.stderr
    report = next(line for line in r.stderr.splitlines() if line.startswith("[tracefork] replay:"))
    assert report.startswith("[tracefork] replay: call /step:async-agent#0/llm:gpt-4o-mini#0 differs from the recording at $.messages[0].content: ")
    assert '"What is the weather in Paris?"' in report and '"What is the weather in Rome?"' in report
    assert report.endswith("the replay runs live from this call on")
    assert models.calls() - before == 2, "both model calls went live"
    diverged = json.loads(r.stdout.strip().splitlines()[-1])
    replayed = serve.steps(diverged["traceId"])
    first_llm = next(s for s in replayed if s["attributes"].get("tracefork.step.op") == "llm")
    assert first_llm["attributes"]["tracefork.replay.divergence"].startswith("call /step:async-agent#0/llm:gpt-4o-mini#0 differs")
    assert sources(serve, diverged["traceId"]) == ["live", "live", "live"]
