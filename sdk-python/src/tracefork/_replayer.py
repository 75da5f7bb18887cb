"""Decides, call by call, what a replay does: serve the recording (before the fork), run the fork
step with the edited input, or run live (after the fork, for tools whose policy is `live`, and from
the first call that no longer matches the recording, which is reported, never hidden)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ._format import PlannedStep, ReplayPlan
from ._json import decode, first_difference, input_hash
from ._jsontext import dumps


@dataclass(frozen=True)
class Decision:
    """What to do with one call: `record` (no plan), `recording`, `fork`, `live` or `diverged`."""

    kind: Literal["record", "recording", "fork", "live", "diverged"]
    step: PlannedStep | None = None
    input: Any = None
    report: str = ""


RECORD = Decision("record")


def read_plan(path: str) -> ReplayPlan:
    """Reads and checks a plan file; raises with the reason when it cannot be used."""
    with open(path, encoding="utf-8") as f:
        plan: Any = json.load(f)
    if not isinstance(plan, dict) or plan.get("version") != 1:
        version = plan.get("version") if isinstance(plan, dict) else None
        raise ValueError(f"replay plan {path}: unsupported version {version} (this SDK reads version 1)")
    if not isinstance(plan.get("steps"), list) or not (plan.get("original") or {}).get("traceId"):
        raise ValueError(f"replay plan {path}: missing steps or original trace")
    result: ReplayPlan = plan  # type: ignore[assignment]
    return result


def _stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


@dataclass
class Replayer:
    """The replay state of one run."""

    plan: ReplayPlan
    report: Callable[[str], None] = _stderr
    divergences: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"recording": 0, "fork": 0, "live": 0})

    def __post_init__(self) -> None:
        self._by_key = {s["key"]: s for s in self.plan.get("steps", [])}
        self._gone_live = False
        self._fork_reached = False

    def decide(self, op: str, name: str, key: str, value: Any) -> Decision:
        """The decision for a call with this key and (unedited) input."""
        d = self._choose(op, name, key, value)
        bucket = d.kind if d.kind in ("recording", "fork") else "live"
        self.counts[bucket] += 1
        return d

    def _choose(self, op: str, name: str, key: str, value: Any) -> Decision:
        # The fork is checked first: an earlier divergence makes the run live, but the user's edit
        # still applies when its step comes.
        fork = self.plan.get("fork")
        if fork and fork.get("key") == key and not self._fork_reached:
            self._gone_live = True
            self._fork_reached = True
            # Without "input" the fork runs with the code's own input (a regression case run again).
            return Decision("fork", input=decode(fork["input"]) if "input" in fork else value)
        if self._gone_live:
            return Decision("live")
        if op == "tool" and (self.plan.get("tools") or {}).get(name) == "live":
            return Decision("live")
        step = self._by_key.get(key)
        if step is None:
            return self._diverge(f"call {key} was not in the recording before the fork")
        h = input_hash(value, op)
        if step.get("inputHash") != h:
            d = None if "input" not in step else first_difference(decode(step["input"]), value)
            what = f"at {d[0]}: recorded {_short(d[1])}, now {_short(d[2])}" if d else f"input hash {h} ≠ recorded {step.get('inputHash')}"
            return self._diverge(f"call {key} differs from the recording {what}")
        return Decision("live") if step.get("through") else Decision("recording", step=step)

    def report_unreached(self) -> None:
        """Reports a fork step that the run never reached (call at exit)."""
        fork = self.plan.get("fork")
        if fork and not self._fork_reached:
            seen = " (the run had diverged before it; see above)" if self.divergences else ""
            report = f"the fork step {fork.get('key')} was never reached, so the edit was not applied{seen}"
            self.divergences.append(report)
            self.report(f"[tracefork] replay: {report}")

    def _diverge(self, what: str) -> Decision:
        self._gone_live = True
        report = f"{what}; the replay runs live from this call on"
        self.divergences.append(report)
        self.report(f"[tracefork] replay: {report}")
        return Decision("diverged", report=report)


def _short(v: Any) -> str:
    s = dumps(v)
    return s[:117] + "..." if len(s) > 120 else s
