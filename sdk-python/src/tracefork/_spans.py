"""The spans other instrumentations have started and not yet ended in this process. Some do not
make their spans current (OpenInference's LangChain tracer), so a call the SDK records inside
them would otherwise start a run of its own; with this, it finds the framework's span for the call
(and records on it) or the framework's innermost open span on its thread (and nests under it)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import Span as ApiSpan

SDK_TRACER = "tracefork-sdk"


class FrameworkSpans(SpanProcessor):
    """A span processor that tracks open spans (not the SDK's own), most recent last."""

    def __init__(self) -> None:
        self._open: dict[int, tuple[Span, int]] = {}
        self._lock = threading.Lock()

    def on_start(self, span: Span, parent_context: otel_context.Context | None = None) -> None:
        scope = span.instrumentation_scope
        if scope is not None and scope.name == SDK_TRACER:
            return
        with self._lock:
            self._open[span.get_span_context().span_id] = (span, threading.get_ident())

    def on_end(self, span: ReadableSpan) -> None:
        ctx = span.get_span_context()
        if ctx is not None:
            with self._lock:
                self._open.pop(ctx.span_id, None)

    def _newest_first(self) -> list[tuple[Span, int]]:
        with self._lock:
            return list(reversed(self._open.values()))

    def find(self, fits: Callable[[ApiSpan], bool], trace_id: int | None) -> ApiSpan | None:
        """The newest open span that fits: on this thread first, then on any thread of the same
        trace (`trace_id`), or of any trace when the caller is in none (None)."""
        me = threading.get_ident()
        spans = self._newest_first()
        for span, thread in spans:
            if thread == me and fits(span):
                return span
        for span, _ in spans:
            if (trace_id is None or span.get_span_context().trace_id == trace_id) and fits(span):
                return span
        return None

    def innermost(self) -> ApiSpan | None:
        """The newest open span started on this thread."""
        me = threading.get_ident()
        return next((span for span, thread in self._newest_first() if thread == me), None)

    def shutdown(self) -> None:
        with self._lock:
            self._open.clear()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True
