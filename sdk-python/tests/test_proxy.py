"""The model-API proxy with Python agents that have no tracing and no Tracefork code: the openai
and anthropic clients (a tool loop each, the answers streamed), started by the built CLI
(`tracefork run`, `tracefork replay`) against the local mocks. A no-edit replay makes no model call
and gives the same answer; a fork of the last call with an edited request makes exactly that call;
keys are never stored; an unreachable upstream reaches the agent as a 502 that says why."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_models import MockModels
from support import AGENTS, Serve, cli, free_port, run_cli, start_serve

OPENAI_KEY = "sk-proj-PYPROXYKEY0123456789abcdefghij"
ANTHROPIC_KEY = "sk-ant-api03-PYPROXYKEY0123456789abcdefghij"
AGENT = [sys.executable, str(AGENTS / "proxy_clients.py")]


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory, models: MockModels) -> Iterator[Serve]:
    s = start_serve(str(tmp_path_factory.mktemp("proxy") / "traces.db"), extra=("--upstream-openai", models.openai_url, "--upstream-anthropic", models.base_url))
    yield s
    s.stop()


def port(s: Serve) -> str:
    return s.url.rsplit(":", 1)[1]


def tf(*args: str, answer: Path, **env: str) -> dict[str, Any]:
    r = run_cli(*args, env={"OPENAI_API_KEY": OPENAI_KEY, "ANTHROPIC_API_KEY": ANTHROPIC_KEY, "ANSWER_FILE": str(answer), **env})
    assert r.returncode == 0, f"tracefork {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}"
    out: dict[str, Any] = json.loads(r.stdout.strip().splitlines()[-1])
    return out


@pytest.fixture(scope="module")
def recorded(proxied: Serve, models: MockModels, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    answer = tmp_path_factory.mktemp("answers") / "recorded.json"
    before = models.calls()
    out = tf("run", "--port", port(proxied), "--json", "--", *AGENT, answer=answer)
    assert models.calls() - before == 4
    return {"traceId": out["traceId"], "answer": json.loads(answer.read_text())}


def test_both_clients_recorded_as_one_run(proxied: Serve, recorded: dict[str, Any]) -> None:
    assert recorded["answer"]["openai"] == "The weather is: sunny, 21C"
    assert recorded["answer"]["anthropic"] == "The weather is: sunny, 21C"
    assert recorded["answer"]["openai_chunks"] > 3 and recorded["answer"]["anthropic_events"] > 3
    steps = proxied.steps(recorded["traceId"])
    llm = [s for s in steps if s["kind"] == "llm"]
    assert [s["provider"] for s in llm] == ["openai", "openai", "anthropic", "anthropic"]
    assert all(s["parentSpanId"] == steps[0]["spanId"] for s in llm)
    assert llm[2]["inputTokens"] is not None and llm[3]["outputTokens"] == 7
    assert "tool_use" in json.dumps(llm[2]["output"]) or "get_weather" in json.dumps(llm[2]["output"])
    assert "sunny, 21C" in json.dumps(llm[3]["output"]), "the streamed Anthropic answer is folded back into its message"


def test_keys_never_stored(proxied: Serve, recorded: dict[str, Any]) -> None:
    for f in Path(proxied.db).parent.glob("traces.db*"):
        data = f.read_bytes()
        assert OPENAI_KEY.encode() not in data and ANTHROPIC_KEY.encode() not in data, f.name
    exported = cli("export", recorded["traceId"], "--db", proxied.db, "--unmasked")
    assert OPENAI_KEY not in exported and ANTHROPIC_KEY not in exported


def test_no_edit_replay_makes_no_model_call(proxied: Serve, models: MockModels, recorded: dict[str, Any], tmp_path: Path) -> None:
    before = models.calls()
    out = tf("replay", recorded["traceId"], "--db", proxied.db, "--port", port(proxied), "--json", answer=tmp_path / "a.json")
    assert models.calls() == before
    assert json.loads((tmp_path / "a.json").read_text()) == recorded["answer"], "the same answers, the streams as many chunks"
    assert out["calls"] == {"recording": 4, "fork": 0, "live": 0}
    assert out["firstDivergence"] == -1


def test_fork_of_the_last_call_makes_exactly_that_call(proxied: Serve, models: MockModels, recorded: dict[str, Any], tmp_path: Path) -> None:
    last = [s for s in proxied.steps(recorded["traceId"]) if s["kind"] == "llm"][3]
    plan = json.loads(cli("plan", recorded["traceId"], "--db", proxied.db, "--fork", last["spanId"]))
    edited = plan["fork"]["input"]
    edited["messages"][-1]["content"][0]["content"] = "snowing, -2C"
    (tmp_path / "edit.json").write_text(json.dumps(edited))
    before = models.calls()
    out = tf("replay", recorded["traceId"], "--db", proxied.db, "--port", port(proxied), "--fork", last["spanId"], "--input", str(tmp_path / "edit.json"), "--json", answer=tmp_path / "a.json")
    assert models.calls() - before == 1
    path, body = models.requests[-1]
    assert path == "/v1/messages" and body["messages"][-1]["content"][0]["content"] == "snowing, -2C" and body["stream"] is True
    answer = json.loads((tmp_path / "a.json").read_text())
    assert answer["anthropic"] == "The weather is: snowing, -2C"
    assert answer["openai"] == recorded["answer"]["openai"], "the calls before the fork were served as recorded"
    assert out["calls"] == {"recording": 3, "fork": 1, "live": 0}


def test_unreachable_upstream_reaches_the_agent_as_a_502(tmp_path: Path) -> None:
    closed = free_port()
    upstream = f"http://127.0.0.1:{closed}"
    out = tf("run", "--port", "0", "--db", str(tmp_path / "t.db"), "--upstream-anthropic", upstream, "--json", "--", *AGENT, answer=tmp_path / "a.json", AGENT_MODE="anthropic-once")
    answer = json.loads((tmp_path / "a.json").read_text())
    assert answer["status"] == 502
    assert f"127.0.0.1:{closed} could not be reached" in answer["message"]
    steps = json.loads(cli("show", out["traceId"], "--db", str(tmp_path / "t.db"), "--json"))["steps"]
    assert [s["status"] for s in steps if s["kind"] == "llm"] == ["error"]


@pytest.mark.parametrize(("mode", "status"), [("openai-once", 503), ("anthropic-once", 529)])
def test_upstream_error_reaches_the_agent_as_given(proxied: Serve, models: MockModels, tmp_path: Path, mode: str, status: int) -> None:
    models.fail_next = {"status": status}
    out = tf("run", "--port", port(proxied), "--json", "--", *AGENT, answer=tmp_path / "a.json", AGENT_MODE=mode)
    answer = json.loads((tmp_path / "a.json").read_text())
    assert answer["status"] == status, answer
    assert f"mock upstream failure {status}" in answer["message"], "the upstream's own body"
    assert [s["status"] for s in proxied.steps(out["traceId"]) if s["kind"] == "llm"] == ["error"]


@pytest.mark.parametrize("mode", ["openai-stream-once", "anthropic-stream-once"])
def test_dropped_stream_is_dropped_for_the_agent_after_what_arrived(proxied: Serve, models: MockModels, tmp_path: Path, mode: str) -> None:
    models.fail_next = {"drop": True}
    out = tf("run", "--port", port(proxied), "--json", "--", *AGENT, answer=tmp_path / "a.json", AGENT_MODE=mode)
    answer = json.loads((tmp_path / "a.json").read_text())
    assert "broken" in answer and "ok" not in answer, f"the client saw the stream break: {answer}"
    assert answer["events"] >= 1, "the events before the drop reached the client first"
    llm = [s for s in proxied.steps(out["traceId"]) if s["kind"] == "llm"]
    assert [s["status"] for s in llm] == ["error"]
    assert "broke off" in json.dumps(llm[0]["attributes"])
