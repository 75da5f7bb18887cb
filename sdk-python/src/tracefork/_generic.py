"""`@tool` records a tool function, `step` any other unit of work (as a decorator or a sync/async
context manager). Both serve the recording in a replay; calls made inside are keyed under them.
A function's input is its one argument as itself, or its arguments by name (sdk/REPLAY.md)."""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar, overload

from opentelemetry.trace import Span

from ._format import Op
from ._json import to_tagged
from ._jsontext import dumps
from ._processors import is_user_file, library_dirs
from ._runtime import Attrs, Call, CallInfo, run_async, run_sync

F = TypeVar("F", bound=Callable[..., Any])


class _Binder:
    """Maps a call's arguments to the recorded input and an (edited) input back to arguments."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.sig = inspect.signature(fn)
        params = list(self.sig.parameters.values())
        self.bound_self = bool(params) and params[0].name in ("self", "cls")
        self.data = params[1:] if self.bound_self else params
        self.single = len(self.data) == 1 and self.data[0].kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)

    def to_input(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
        try:
            bound = self.sig.bind(*args, **kwargs)
        except TypeError:  # let the function raise its own error
            return None, (list(args), kwargs)
        bound.apply_defaults()
        owner = bound.arguments.pop(self.sig.parameters[next(iter(self.sig.parameters))].name) if self.bound_self else None
        if self.single:
            return owner, bound.arguments[self.data[0].name]
        return owner, dict(bound.arguments)

    def to_args(self, owner: Any, value: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], list):  # unbindable call
            return tuple(value[0]), value[1]
        arguments: dict[str, Any] = {self.data[0].name: value} if self.single else dict(value or {})
        if self.bound_self:
            arguments = {next(iter(self.sig.parameters)): owner, **arguments}
        ba = inspect.BoundArguments(self.sig, arguments)  # type: ignore[arg-type, unused-ignore]
        return ba.args, ba.kwargs


def _safe_json(v: Any) -> str:
    try:
        return dumps(to_tagged(v))
    except Exception:  # noqa: BLE001
        return str(v)


def _def_site(fn: Callable[..., Any]) -> tuple[str, int, str] | None:
    """Where a wrapped function is defined, when that is the user's code (not a library's)."""
    code = getattr(inspect.unwrap(fn), "__code__", None)
    if code is None or not is_user_file(code.co_filename, library_dirs()):
        return None
    return os.path.abspath(code.co_filename), code.co_firstlineno, getattr(code, "co_qualname", code.co_name)


def _wrap(op: Op, name: str, fn: F, info: Callable[[Any], CallInfo]) -> F:
    binder = _Binder(fn)
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def awrapper(*args: Any, **kwargs: Any) -> Any:
            owner, value = binder.to_input(args, kwargs)

            async def live(v: Any) -> Any:
                a, k = binder.to_args(owner, v)
                return await fn(*a, **k)

            return await run_async(info(value), live)

        return awrapper  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        owner, value = binder.to_input(args, kwargs)

        def live(v: Any) -> Any:
            a, k = binder.to_args(owner, v)
            return fn(*a, **k)

        return run_sync(info(value), live)

    return wrapper  # type: ignore[return-value]


def describes_tool(span: Any, name: str) -> bool:
    """True when a span (an instrumentation's tool span, e.g. OpenInference's for a LangChain tool)
    describes a call of the tool `name`."""
    a = getattr(span, "attributes", None) or {}
    if a.get("openinference.span.kind") == "TOOL":
        # OpenInference's OpenAI Agents processor sets tool.name only when the span ends; until
        # then its TOOL span is named after the tool.
        named = a.get("tool.name")
        return named == name if named is not None else getattr(span, "name", None) == name
    if a.get("gen_ai.operation.name") == "execute_tool":
        return a.get("gen_ai.tool.name") == name
    # OpenInference's LangChain tracer names a tool's span after the tool and sets its attributes
    # only when it ends: a span with no convention attributes yet, named after the tool, is its span.
    return getattr(span, "name", None) == name and not any(k.startswith(("openinference.", "gen_ai.", "traceloop.")) for k in a)


def _tool_info(name: str, fn: Callable[..., Any]) -> Callable[[Any], CallInfo]:
    site = _def_site(fn)

    def info(value: Any) -> CallInfo:
        attrs: Attrs = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name, "gen_ai.tool.call.arguments": _safe_json(value)}
        return CallInfo("tool", name, "generic", value, f"execute_tool {name}", attrs, lambda out: {"gen_ai.tool.call.result": _safe_json(out)}, site, adopt=lambda span: describes_tool(span, name))

    return info


@overload
def tool(name: str) -> Callable[[F], F]: ...
@overload
def tool(name: F) -> F: ...
def tool(name: str | F) -> Callable[[F], F] | F:
    """Records a tool function, sync or async (also methods): `@tool("name")` or bare `@tool`."""
    if callable(name):
        fn = name
        return _wrap("tool", fn.__name__, fn, _tool_info(fn.__name__, fn))

    def deco(fn: F) -> F:
        return _wrap("tool", name, fn, _tool_info(name, fn))

    return deco


class step:  # noqa: N801 - used like a function: tracefork.step("name")
    """A recorded group of calls: `@step("name")` on a function, or `with`/`async with step("name"):`."""

    def __init__(self, name: str, input: Any = None) -> None:  # noqa: A002
        self.name = name
        self.value = input
        self._stack: list[tuple[Call, contextlib.ExitStack]] = []
        self._last: Call | None = None

    def _info(self, value: Any, site: tuple[str, int, str] | None = None) -> CallInfo:
        return CallInfo("step", self.name, "generic", value, self.name, {"gen_ai.operation.name": "invoke_agent"}, None, site)

    def __call__(self, fn: F) -> F:
        site = _def_site(fn)
        return _wrap("step", self.name, fn, lambda v: self._info(v, site))

    @property
    def span(self) -> Span:
        """The span of the innermost open `with` of this step (also after it closed)."""
        if not self._last:
            raise RuntimeError("step.span is set by `with step(...)`")
        return self._last.span

    @property
    def trace_id(self) -> int:
        """The trace id of the step's span: the run's id when the step is the run's root."""
        return self.span.get_span_context().trace_id

    def __enter__(self) -> step:
        call = Call(self._info(self.value))
        stack = contextlib.ExitStack()
        stack.enter_context(call.active())
        self._stack.append((call, stack))
        self._last = call
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        call, stack = self._stack.pop()
        stack.close()
        if e is not None:
            call.fail(e)
        else:
            call.finish(None)

    async def __aenter__(self) -> step:
        return self.__enter__()

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.__exit__(et, e, tb)
