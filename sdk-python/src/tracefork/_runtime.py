"""The SDK's per-process state (step scopes and the replay plan named by TRACEFORK_REPLAY_PLAN) and
`Call`, the one core every adapter goes through, sync or async: it keys the call, asks the replayer
what to do, and records input, output or error on the call's span."""

from __future__ import annotations

import atexit
import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode
from opentelemetry.util.types import AttributeValue

from ._format import ATTR, PLAN_ENV, Op
from ._json import decode, encode_checked, error_record, input_hash, revive_error
from ._jsontext import dumps
from ._replayer import RECORD, Decision, Replayer, read_plan
from ._scope import StepScopes
from ._spans import FrameworkSpans

MAX_ATTR = 4 * 1024 * 1024
Attrs = dict[str, AttributeValue]


@dataclass
class Runtime:
    """Process-wide SDK state (one per process, like OpenTelemetry's own globals)."""

    scopes: StepScopes = field(default_factory=StepScopes)
    replayer: Replayer | None = None
    #: Open framework spans, when register() (or the user) installed the processor that tracks them.
    framework: FrameworkSpans | None = None


_current: list[Runtime] = []


def runtime() -> Runtime:
    """The runtime, created on first use; reads the plan named by TRACEFORK_REPLAY_PLAN once."""
    if not _current:
        path = os.environ.get(PLAN_ENV)
        replayer = Replayer(read_plan(path)) if path else None
        if replayer:
            atexit.register(replayer.report_unreached)
        _current.append(Runtime(replayer=replayer))
    return _current[0]


def reset_runtime(replayer: Replayer | None = None) -> Runtime:
    """Replaces the runtime (tests; a process that runs several agents in turn); keeps the framework-span tracker."""
    framework = _current[0].framework if _current else None
    _current[:] = [Runtime(replayer=replayer, framework=framework)]
    return _current[0]


@dataclass
class CallInfo:
    """What an adapter knows about one call."""

    op: Op
    name: str
    adapter: str
    input: Any
    span_name: str
    span_attributes: Attrs = field(default_factory=dict)
    describe_output: Callable[[Any], Attrs] | None = None
    #: (file, line, function) of the wrapped function, used when no user frame is on the stack.
    def_site: tuple[str, int, str] | None = None
    #: True for the current span when it already describes this very call (a client library that
    #: traces its own requests): the call is recorded on that span instead of a nested one, so one
    #: model call stays one step and its tokens count once.
    adopt: Callable[[Span], bool] | None = None


def _place(info: CallInfo, framework: FrameworkSpans | None) -> tuple[Span | None, Span | None]:
    """(owner, parent) of a call's span. The owner is a span that already describes this very call
    and that the call is recorded on: the current span, or an open framework span that was not made
    current (OpenInference's LangChain tracer starts its spans without attaching them). Else, when
    nothing is current, the parent is the innermost open framework span on this thread, so the
    call joins the framework's trace instead of starting a run of its own."""
    current = trace.get_current_span()

    def fits(span: Span) -> bool:
        return bool(info.adopt) and span.is_recording() and ATTR.key not in _attrs(span) and info.adopt(span)  # type: ignore[misc]

    if fits(current):
        return current, None
    if framework is None:
        return None, None
    ctx = current.get_span_context()
    owner = framework.find(fits, ctx.trace_id if ctx.is_valid else None)
    if owner is not None:
        return owner, None
    return None, (framework.innermost() if not ctx.is_valid else None)


def _attrs(span: Span) -> Mapping[str, Any]:
    """A span's attributes so far (empty for a non-SDK span)."""
    return getattr(span, "attributes", None) or {}


def _clip(s: str) -> str:
    return s[:MAX_ATTR] if len(s) > MAX_ATTR else s


class Call:
    """One call going through record/replay; the sync and async wrappers drive it the same way."""

    def __init__(self, info: CallInfo) -> None:
        rt = runtime()
        self.info = info
        self._scopes = rt.scopes
        owner, parent = _place(info, rt.framework)
        self._adopted = owner is not None
        anchor = owner or parent or trace.get_current_span()
        ctx = anchor.get_span_context()
        self.key = rt.scopes.next_key(info.op, info.name, ctx.trace_id if ctx.is_valid else 0)
        self.decision: Decision = rt.replayer.decide(info.op, info.name, self.key, info.input) if rt.replayer else RECORD
        self.input = self.decision.input if self.decision.kind == "fork" else info.input
        # A wrapped function's own line is where its step points (what ran is there); the call
        # site (CallSiteProcessor) is used for calls that have no definition of their own.
        site: Attrs = {"code.file.path": info.def_site[0], "code.line.number": info.def_site[1], "code.function.name": info.def_site[2]} if info.def_site else {}
        if owner is not None:
            self.span = owner
            have = _attrs(owner)
            # The site also replaces the call site CallSiteProcessor gave a framework's tool span
            # (on an event loop, the line that started the run, not the tool).
            self.span.set_attributes({**{k: v for k, v in info.span_attributes.items() if k not in have}, **site})
        else:
            context = trace.set_span_in_context(parent) if parent is not None else None
            self.span = trace.get_tracer("tracefork-sdk").start_span(info.span_name, context=context, attributes={**info.span_attributes, **site})
        text, lossy = encode_checked(self.input)
        self.span.set_attributes(
            {
                ATTR.key: self.key,
                ATTR.input_hash: input_hash(self.input, info.op),
                ATTR.op: info.op,
                ATTR.name: info.name,
                ATTR.adapter: info.adapter,
                ATTR.input: _clip(text),
            }
        )
        if lossy or len(text) > MAX_ATTR:
            self.span.set_attribute(ATTR.lossy, True)
        kind = self.decision.kind
        if kind != "record":
            self.span.set_attribute(ATTR.source, "recording" if kind == "recording" else "fork" if kind == "fork" else "live")
        if kind == "diverged":
            self.span.set_attribute(ATTR.divergence, self.decision.report)
        self._ended = False

    @property
    def served(self) -> bool:
        """True when the recording answers this call (the live function is not run)."""
        return self.decision.kind == "recording"

    def recorded_output(self) -> Any:
        """The recorded output, decoded; raises the recorded error when the call threw."""
        step = self.decision.step or {}
        if "error" in step:
            raise revive_error(step["error"])
        return decode(step.get("output"))

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """The call's span is current inside; a tool or step is also the parent key of the calls made inside."""
        with trace.use_span(self.span, end_on_exit=False, record_exception=False, set_status_on_exception=False):
            # A model call is not the parent of the tools its answer triggers: they are its siblings.
            if self.info.op == "llm":
                yield
            else:
                with self._scopes.within(self.key):
                    yield

    def finish(self, output: Any) -> None:
        """Records the output and ends the span."""
        if self._ended:
            return
        text, lossy = encode_checked(output)
        self.span.set_attribute(ATTR.output, _clip(text))
        if lossy or len(text) > MAX_ATTR:
            self.span.set_attribute(ATTR.lossy, True)
        if self.info.describe_output:
            try:
                described = self.info.describe_output(output)
                have = _attrs(self.span) if self._adopted else {}
                self.span.set_attributes({k: v for k, v in described.items() if k not in have})
            except Exception:  # noqa: BLE001 - describing is best effort; the output is recorded anyway
                pass
        self._end()

    def fail(self, err: BaseException) -> None:
        """Records the error and ends the span."""
        if self._ended:
            return
        self.span.set_attribute(ATTR.error, dumps(error_record(err)))
        if isinstance(err, Exception):
            self.span.record_exception(err)
        self.span.set_status(Status(StatusCode.ERROR, str(err)))
        self._end()

    def _end(self) -> None:
        self._ended = True
        if not self._adopted:  # an adopted span is ended by its owner
            self.span.end()


def run_sync(info: CallInfo, fn: Callable[[Any], Any]) -> Any:
    """Runs fn(input) as a recorded call (served from the recording in a replay)."""
    call = Call(info)
    with call.active():
        try:
            value = call.recorded_output() if call.served else fn(call.input)
        except BaseException as e:
            call.fail(e)
            raise
    call.finish(value)
    return value


async def run_async(info: CallInfo, fn: Callable[[Any], Any]) -> Any:
    """The async twin of run_sync: fn(input) returns an awaitable."""
    call = Call(info)
    with call.active():
        try:
            value = call.recorded_output() if call.served else await fn(call.input)
        except BaseException as e:
            call.fail(e)
            raise
    call.finish(value)
    return value
