"""What the Python tests share: the built CLI (`dist/cli.js`) run as a process, a `tracefork serve`
receiver on free ports, and reading runs back with `tracefork list/show --json`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(os.environ.get("TRACEFORK_ROOT", Path(__file__).resolve().parents[2]))
CLI = ROOT / "dist" / "cli.js"
AGENTS = Path(__file__).resolve().parent / "agents"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", str(CLI), *args], capture_output=True, text=True, timeout=timeout, check=False, env={**os.environ, **(env or {})})


def cli(*args: str) -> str:
    r = run_cli(*args)
    if r.returncode != 0:
        raise AssertionError(f"tracefork {' '.join(args)} exited {r.returncode}: {r.stderr}")
    return r.stdout


def wait_for(fn: Callable[[], T], timeout: float = 10, what: str = "condition") -> T:
    """fn() until it returns without raising (AssertionError) and not None."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        try:
            v = fn()
            if v is not None:
                return v
        except AssertionError as e:
            last = e
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {last}")
        time.sleep(0.05)


@dataclass
class Serve:
    """A running `tracefork serve`."""

    proc: subprocess.Popen[str]
    url: str
    db: str
    grpc_url: str | None = None

    def runs(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = json.loads(cli("list", "--db", self.db, "--json"))
        return out

    def steps(self, trace_id: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = json.loads(cli("show", trace_id, "--db", self.db, "--json"))["steps"]
        return out

    def wait_steps(self, trace_id: str, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 10) -> list[dict[str, Any]]:
        def ready() -> list[dict[str, Any]] | None:
            try:
                steps = self.steps(trace_id)
            except AssertionError:
                return None
            return steps if predicate(steps) else None

        return wait_for(ready, timeout, f"the steps of {trace_id}")

    def stop(self) -> None:
        self.proc.terminate()
        assert self.proc.wait(timeout=10) == 0


def start_serve(db: str, grpc_port: int = 0, extra: tuple[str, ...] = ()) -> Serve:
    proc = subprocess.Popen(["node", str(CLI), "serve", "--port", "0", "--grpc-port", str(grpc_port), "--db", db, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out = ""
    deadline = time.monotonic() + 20
    while "listening on http://" not in out:
        line = proc.stdout.readline()
        if not line or time.monotonic() > deadline:
            proc.kill()
            _, err = proc.communicate(timeout=10)
            raise AssertionError(f"serve did not start (exit {proc.returncode}): {out}{err}")
        out += line
    http = next(w for w in out.split() if w.startswith("http://"))
    grpc = next((w for w in out.split() if w.startswith("grpc://")), None)
    return Serve(proc, http.rstrip("/"), db, grpc and "http://" + grpc.removeprefix("grpc://"))


def start_serve_grpc(db: str, attempts: int = 5) -> tuple[Serve, int]:
    """`start_serve` with gRPC on a port free a moment before (0 would turn gRPC off). Another listener
    (even this serve's own HTTP one, on port 0) can take that port first; then it tries a new one."""
    for attempt in range(attempts):
        port = free_port()
        try:
            return start_serve(db, grpc_port=port), port
        except AssertionError as e:
            if "already in use" not in str(e) or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@dataclass
class AgentResult:
    stdout: str
    stderr: str

    @property
    def result(self) -> dict[str, Any]:
        """The agent's last JSON line on stdout."""
        line = next((x for x in reversed(self.stdout.strip().splitlines()) if x.startswith("{")), None)
        assert line, f"no JSON line from the agent:\n{self.stdout}\n{self.stderr}"
        out: dict[str, Any] = json.loads(line)
        return out


def run_agent(script: str, env: dict[str, str], *args: str) -> AgentResult:
    """Runs tests/agents/<script> with this interpreter; fails on a non-zero exit."""
    r = subprocess.run([sys.executable, str(AGENTS / script), *args], capture_output=True, text=True, timeout=120, check=False, env={**os.environ, **env})
    assert r.returncode == 0, f"{script} exited {r.returncode}:\n{r.stdout}\n{r.stderr}"
    return AgentResult(r.stdout, r.stderr)
