"""Step keys: `<parent key>/<op>:<name>#<occurrence>`; the occurrence counts earlier calls with the
same op and name under the same parent (the enclosing step, else the run). Scopes follow
contextvars, so they cross `await` and the thread pools that copy the context (LangGraph's)."""

from __future__ import annotations

import collections
import contextlib
import contextvars
import threading
from collections.abc import Iterator

MAX_TRACES = 1000


class _Scope:
    __slots__ = ("key", "counts")

    def __init__(self, key: str) -> None:
        self.key = key
        self.counts: dict[str, int] = {}


class StepScopes:
    """Per-process step scopes (one root per run)."""

    def __init__(self) -> None:
        self._var: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("tracefork_scope", default=None)
        self._root = _Scope("")
        self._traces: collections.OrderedDict[int, _Scope] = collections.OrderedDict()
        self._lock = threading.Lock()

    def _top(self, trace_id: int) -> _Scope:
        if not trace_id:
            return self._root
        scope = self._traces.get(trace_id)
        if scope is None:
            scope = self._traces[trace_id] = _Scope("")
            if len(self._traces) > MAX_TRACES:  # a long-running server: forget the oldest runs
                self._traces.popitem(last=False)
        return scope

    def next_key(self, op: str, name: str, trace_id: int = 0) -> str:
        """The next key for a call of `op` named `name` in the current scope; at the top of a run,
        `trace_id` is the run the call joins (0: it starts one)."""
        with self._lock:
            scope = self._var.get() or self._top(trace_id)
            ident = f"{op}:{name}"
            n = scope.counts.get(ident, 0)
            scope.counts[ident] = n + 1
        return f"{scope.key}/{ident}#{n}"

    @contextlib.contextmanager
    def within(self, key: str) -> Iterator[None]:
        """Makes `key` the parent of the calls made inside the block."""
        token = self._var.set(_Scope(key))
        try:
            yield
        finally:
            self._var.reset(token)

    def reset(self) -> None:
        """Starts counting afresh (a new run in the same process)."""
        self._root = _Scope("")
        self._traces.clear()
