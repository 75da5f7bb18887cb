"""Span processors: the call site of every span (the first frame in the user's code) and the
`tracefork.replay.*` marks plus the `forked_from` link of a replayed run."""

from __future__ import annotations

import functools
import os
import sys
import sysconfig
from collections.abc import Callable
from types import FrameType

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import Link, SpanContext, TraceFlags

from ._format import ATTR
from ._replayer import Replayer

_PKG_DIR = os.path.dirname(os.path.abspath(__file__))


@functools.cache
def library_dirs() -> tuple[str, ...]:
    """The standard library's and site-packages' folders, and this SDK's: not the user's code."""
    paths = sysconfig.get_paths()
    dirs = {os.path.abspath(paths[k]) for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    dirs.add(_PKG_DIR)
    return tuple(d + os.sep for d in dirs)


def is_user_file(path: str, lib_dirs: tuple[str, ...]) -> bool:
    """True for a file of the user's code: not the stdlib, not site-packages, not this SDK."""
    if not path or path.startswith("<"):
        return False
    p = os.path.abspath(path)
    if f"{os.sep}site-packages{os.sep}" in p or f"{os.sep}dist-packages{os.sep}" in p:
        return False
    return not p.startswith(lib_dirs)


def call_site(frame: FrameType | None, lib_dirs: tuple[str, ...]) -> tuple[str, int, str] | None:
    """The first frame (innermost first) in the user's code, as (file, line, function)."""
    while frame is not None:
        code = frame.f_code
        if is_user_file(code.co_filename, lib_dirs):
            return os.path.abspath(code.co_filename), frame.f_lineno, getattr(code, "co_qualname", code.co_name)
        frame = frame.f_back
    return None


class CallSiteProcessor(SpanProcessor):
    """Adds `code.file.path`, `code.line.number`, `code.function.name` to every span without them.

    The site is the first stack frame in the user's code; on a thread with none (a framework's
    worker pool), the parent span's site, so a model call still points at the agent's line."""

    def __init__(self) -> None:
        self._lib = library_dirs()

    def on_start(self, span: Span, parent_context: otel_context.Context | None = None) -> None:
        attrs = span.attributes or {}
        if "code.file.path" in attrs or "code.filepath" in attrs:
            return
        site = call_site(sys._getframe(1), self._lib)
        if site is None:
            parent = trace.get_current_span(parent_context)
            pa = getattr(parent, "attributes", None) or {}
            if isinstance(pa.get("code.file.path"), str):
                for k in ("code.file.path", "code.line.number", "code.function.name"):
                    if k in pa:
                        span.set_attribute(k, pa[k])
            return
        span.set_attributes({"code.file.path": site[0], "code.line.number": site[1], "code.function.name": site[2]})

    def on_end(self, span: ReadableSpan) -> None:
        pass


class ReplayLinkProcessor(SpanProcessor):
    """Marks every span of a replayed run with its origin and links root spans to the fork span."""

    def __init__(self, replayer: Callable[[], Replayer | None]) -> None:
        self._replayer = replayer

    def on_start(self, span: Span, parent_context: otel_context.Context | None = None) -> None:
        r = self._replayer()
        if r is None:
            return
        original = r.plan.get("original") or {}
        span.set_attribute(ATTR.original_trace, str(original.get("traceId")))
        fork_span = original.get("forkSpanId")
        if fork_span:
            span.set_attribute(ATTR.fork_span, str(fork_span))
        span.set_attribute(ATTR.plan_id, str(r.plan.get("planId")))
        parent = trace.get_current_span(parent_context).get_span_context()
        if not parent.is_valid and fork_span:
            ctx = SpanContext(int(str(original.get("traceId")), 16), int(str(fork_span), 16), is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED))
            span.add_link(ctx, {"tracefork.link.type": "forked_from"})

    def on_end(self, span: ReadableSpan) -> None:
        pass


__all__ = ["CallSiteProcessor", "ReplayLinkProcessor", "Link", "call_site", "is_user_file"]
