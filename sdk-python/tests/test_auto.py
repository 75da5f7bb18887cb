"""`python -m tracefork.auto script.py`: a script with no register() call is exported, as one run
enclosed by a step named after the script, its calls linked to the script's lines, and replays."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from mock_models import MockModels
from support import AGENTS, Serve, run_cli, wait_for


def test_auto_runs_a_script_as_one_run(serve: Serve, models: MockModels) -> None:
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": serve.url, "MOCK_OPENAI_URL": models.openai_url}
    script = str(AGENTS / "plain_openai.py")
    seen = {r["traceId"] for r in serve.runs()}
    before = models.calls()
    r = subprocess.run([sys.executable, "-m", "tracefork.auto", script], capture_output=True, text=True, timeout=60, check=False, env={**os.environ, **env})
    assert r.returncode == 0, r.stderr
    assert models.calls() - before == 2

    def fresh() -> list[str]:
        ids = [x["traceId"] for x in serve.runs() if x["traceId"] not in seen]
        assert len(ids) == 1, f"one run, got {len(ids)}"
        return ids

    trace_id = wait_for(fresh, what="the script's run")[0]
    steps = serve.wait_steps(trace_id, lambda st: len(st) == 3)
    assert [(s["kind"], s["name"]) for s in steps] == [("agent", "plain_openai"), ("llm", "chat gpt-4o-mini"), ("llm", "chat gpt-4o-mini")]
    lines = open(script, encoding="utf-8").read().splitlines()
    for s, marker in zip(steps[1:], ("first =", "second ="), strict=True):
        assert s["code"]["file"] == script
        assert lines[s["code"]["line"] - 1].startswith(marker), f"the call's own line: {s['code']}"

    # And it replays under `tracefork replay` with the same command: nothing reaches the model.
    before = models.calls()
    rr = run_cli("replay", trace_id, "--db", serve.db, "--json", "--", sys.executable, "-m", "tracefork.auto", script, env=env)
    assert rr.returncode == 0, rr.stderr
    assert models.calls() == before
    res = json.loads(rr.stdout.strip().splitlines()[-1])
    assert res["firstDivergence"] == -1
