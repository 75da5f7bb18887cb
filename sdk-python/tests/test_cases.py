"""Regression cases run again as tests (`tracefork test`) with a Python agent recorded with the SDK
(the openai client on Tracefork's httpx client, its tool a `@tracefork.tool`): the weather tool
raises for Paris; the failing step is saved as a case; the code is fixed and the case passes (exit 0),
the model call before it served from the recording; the bug comes back and it fails (exit 1) with
the evaluator's explanation."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from support import ROOT, Serve, run_cli, wait_for

AGENT = ROOT / "test" / "e2e" / "workspace" / "replay_agent.py"
BUG = 'raise RuntimeError(f"weather service unavailable for {city}")'


def test_a_python_case_fails_with_the_bug_and_passes_once_fixed(serve: Serve, tmp_path: Path) -> None:
    agent = tmp_path / "agent.py"
    shutil.copy(AGENT, agent)
    assert BUG in agent.read_text()
    before = {r["traceId"] for r in serve.runs()}
    rec = subprocess.run([sys.executable, str(agent)], capture_output=True, text=True, timeout=60, env={**os.environ, "OTEL_EXPORTER_OTLP_ENDPOINT": serve.url}, check=False)
    assert rec.returncode == 0, rec.stderr
    run = wait_for(lambda: next((r for r in serve.runs() if r["traceId"] not in before and r["errorCount"] > 0), None), what="the failing run")
    steps = serve.wait_steps(run["traceId"], lambda s: any(x["kind"] == "tool" for x in s))
    tool = next(s for s in steps if s["kind"] == "tool")
    failed = [sc for sc in tool["scores"] if sc["passed"] is False]
    assert any(sc["name"] == "tool-failure" for sc in failed)
    # The case as "Save as Regression Case" writes it (format 2; the key is found from the stored run).
    case: dict[str, Any] = {
        "format": "tracefork.case/2",
        "createdAt": "2026-12-02T00:00:00.000Z",
        "traceId": run["traceId"],
        "spanId": tool["spanId"],
        "step": {"name": tool["name"], "kind": "tool", "model": None, "provider": None},
        "input": [],
        "toolResults": [],
        "rejectedOutput": tool["output"],
        "failedEvaluators": [{k: sc.get(k) for k in ("name", "value", "label", "explanation", "source")} | {"evaluatorVersion": sc.get("evaluatorVersion")} for sc in failed],
        "key": None,
        "agent": None,
        "expect": {"passes": [sc["name"] for sc in failed], "noNewFailures": True},
    }
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "cases.jsonl").write_text(json.dumps(case) + "\n")
    port = serve.url.rsplit(":", 1)[1]

    def test() -> tuple[int, dict[str, Any]]:
        r = run_cli("test", "--cases", str(cases), "--db", serve.db, "--port", port, "--json", "--", sys.executable, str(agent))
        assert r.stdout.strip(), r.stderr
        out: dict[str, Any] = json.loads(r.stdout)
        return r.returncode, out

    code, out = test()
    assert code == 1 and out["cases"][0]["outcome"] == "failing", out
    assert "weather service unavailable for Paris" in out["cases"][0]["reason"]

    agent.write_text(agent.read_text().replace(BUG, "pass  # fixed: every city answers"))
    code, out = test()
    assert code == 0 and out["cases"][0]["outcome"] == "fixed", out
    fixed = serve.steps(out["cases"][0]["traceId"])
    sources = [(s["kind"], s["attributes"].get("tracefork.replay.source")) for s in fixed if s["kind"] in ("llm", "tool")]
    assert sources[:2] == [("llm", "recording"), ("tool", "fork")], sources

    agent.write_text(agent.read_text().replace("pass  # fixed: every city answers", BUG))
    code, out = test()
    assert code == 1 and out["cases"][0]["outcome"] == "failing"
