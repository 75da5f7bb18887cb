"""Encoded and canonical JSON for recordings (sdk/REPLAY.md, "Python values").

Values round-trip where JSON cannot carry them: datetimes and dates (`$date`), bytes (`$bytes`),
sets (`$set`), dicts with non-string keys (`$map`), exceptions (`$error`), dataclasses
(`$dataclass`) and Pydantic models (`$pydantic`). What cannot round-trip (other class instances,
functions, huge ints, NaN) is kept as near as JSON allows and the value is reported as lossy, so
a replay runs that call rather than serve it wrong. Canonical JSON sorts keys in JavaScript's
order and writes numbers and strings as JSON.stringify does, so Node and Python hash alike.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import hashlib
import sys
from collections.abc import Mapping
from typing import Any

from ._jsontext import dumps, utf16_key

MAX_SAFE_INT = 2**53 - 1
_SYSTEM_ROLES = {"system", "developer"}


class _Ctx:
    __slots__ = ("sorted", "lossy")

    def __init__(self, sorted_: bool) -> None:
        self.sorted = sorted_
        self.lossy = False


def encode(value: Any) -> str:
    """Encoded JSON text of a value (keys in their order)."""
    return dumps(_tag(value, 0, _Ctx(False)))


def encode_checked(value: Any) -> tuple[str, bool]:
    """encode() and whether the value could not be kept whole."""
    ctx = _Ctx(False)
    text = dumps(_tag(value, 0, ctx))
    return text, ctx.lossy


def canonical(value: Any) -> str:
    """Encoded JSON with object keys sorted: the form that is hashed."""
    return dumps(_tag(value, 0, _Ctx(True)))


def to_tagged(value: Any, sorted_: bool = False) -> Any:
    """The encoded value as a JSON tree (not text)."""
    return _tag(value, 0, _Ctx(sorted_))


def type_path(cls: type) -> str:
    """`module:QualName` of a class (how recordings name Python types)."""
    return f"{cls.__module__}:{cls.__qualname__}"


def _obj(items: list[tuple[str, Any]], ctx: _Ctx) -> dict[str, Any]:
    if ctx.sorted:
        items = sorted(items, key=lambda kv: utf16_key(kv[0]))
    return dict(items)


def _tag(v: Any, depth: int, ctx: _Ctx) -> Any:  # noqa: C901, PLR0911, PLR0912 - one flat type switch
    if depth > 64:
        ctx.lossy = True
        return "[too deep]"
    if v is None or v is True or v is False or isinstance(v, str):
        return v
    if isinstance(v, enum.Enum):
        ctx.lossy = True
        return _tag(v.value, depth + 1, ctx)
    if isinstance(v, int):
        if abs(v) > MAX_SAFE_INT:
            ctx.lossy = True
            return float(v)  # as a JavaScript number reads it
        return int(v)
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            ctx.lossy = True
            return None
        return float(v)

    def nxt(x: Any) -> Any:
        return _tag(x, depth + 1, ctx)

    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(bytes(v)).decode("ascii")}
    if isinstance(v, dt.datetime):
        if v.microsecond % 1000:
            ctx.lossy = True  # a JavaScript Date holds milliseconds
        if v.tzinfo is None or v.utcoffset() is None:
            return _obj([("$date", _iso(v.replace(tzinfo=dt.timezone.utc))), ("@@python", "naive")], ctx)
        return {"$date": _iso(v)}
    if isinstance(v, dt.date):
        return _obj([("$date", f"{v.isoformat()}T00:00:00.000Z"), ("@@python", "date")], ctx)
    if isinstance(v, (list, tuple)):
        return [nxt(x) for x in v]
    if isinstance(v, Mapping):
        if all(isinstance(k, str) for k in v):
            return _obj([(k, nxt(x)) for k, x in v.items() if not callable(x) or _plainish(x)], ctx)
        return {"$map": [[nxt(k), nxt(x)] for k, x in v.items()]}
    if isinstance(v, (set, frozenset)):
        elems = [nxt(x) for x in v]
        return {"$set": sorted(elems, key=lambda e: dumps(e).encode("utf-16-be", "surrogatepass"))}
    if isinstance(v, BaseException):
        return {"$error": error_record(v, ctx.sorted)}
    if _is_pydantic(v):
        _mark_if_local(type(v), ctx)
        return _obj([("$pydantic", type_path(type(v))), ("value", nxt(v.model_dump(mode="python")))], ctx)
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        _mark_if_local(type(v), ctx)
        fields = [(f.name, nxt(getattr(v, f.name))) for f in dataclasses.fields(v)]
        return _obj([("$dataclass", type_path(type(v))), ("fields", _obj(fields, ctx))], ctx)
    ctx.lossy = True
    if callable(v):
        return None
    attrs = getattr(v, "__dict__", None)
    if isinstance(attrs, dict):
        return _obj([(k, nxt(x)) for k, x in attrs.items() if not k.startswith("_") and not callable(x)], ctx)
    return str(v)


def _plainish(x: Any) -> bool:
    """Callables that are still data (a class instance with __call__ is recorded as an object)."""
    return not (isinstance(x, type) or hasattr(x, "__code__") or hasattr(x, "__func__") or type(x).__name__ == "builtin_function_or_method")


def _is_pydantic(v: Any) -> bool:
    return hasattr(type(v), "model_fields") and callable(getattr(v, "model_dump", None)) and not isinstance(v, type)


def _mark_if_local(cls: type, ctx: _Ctx) -> None:
    if "<locals>" in cls.__qualname__:
        ctx.lossy = True


def _iso(v: dt.datetime) -> str:
    """ISO 8601 as JavaScript's toISOString writes it (UTC, milliseconds, `Z`) for an aware time."""
    u = v.astimezone(dt.timezone.utc)
    return f"{u.strftime('%Y-%m-%dT%H:%M:%S')}.{u.microsecond // 1000:03d}Z"


def error_record(err: BaseException, sorted_: bool = False) -> dict[str, Any]:
    """What a raised exception is recorded as: name, message, its type and its plain-data attributes."""
    rest: list[tuple[str, Any]] = [("@@python:type", type_path(type(err)))]
    for k, x in vars(err).items() if hasattr(err, "__dict__") else []:
        if k.startswith("_") or k in ("name", "message") or callable(x):
            continue
        ctx = _Ctx(sorted_)
        t = _tag(x, 1, ctx)
        if not ctx.lossy:
            rest.append((k, t))
    if sorted_:
        rest.sort(key=lambda kv: utf16_key(kv[0]))
    return {"name": type(err).__name__, "message": str(err), **dict(rest)}


class ReplayedError(Exception):
    """A recorded exception whose class could not be found in this process."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def _lookup(path: Any) -> type | None:
    """A class named `module:QualName`, only from modules already imported (a plan never imports code)."""
    if not isinstance(path, str) or ":" not in path:
        return None
    mod_name, qual = path.split(":", 1)
    obj: Any = sys.modules.get(mod_name)
    for part in qual.split("."):
        obj = getattr(obj, part, None) if obj is not None else None
    return obj if isinstance(obj, type) else None


def revive_error(rec: Mapping[str, Any]) -> BaseException:
    """The exception back from its record: its own class when this process has it loaded."""
    message = str(rec.get("message", ""))
    cls = _lookup(rec.get("@@python:type"))
    if cls is None or not issubclass(cls, BaseException):
        return ReplayedError(str(rec.get("name", "Error")), message)
    exc = cls.__new__(cls)
    exc.args = (message,)
    for k, x in rec.items():
        if k in ("name", "message") or k.startswith("@@"):
            continue
        try:
            setattr(exc, k, _untag(x))
        except (AttributeError, TypeError):
            pass
    return exc


def decode(value: Any) -> Any:
    """The value back from a parsed encoded value (e.g. a plan's `output`)."""
    return _untag(value)


def _hashable(x: Any) -> Any:
    if isinstance(x, list):
        return tuple(_hashable(e) for e in x)
    return x


def _untag(v: Any) -> Any:  # noqa: C901, PLR0911 - one flat tag switch
    if isinstance(v, list):
        return [_untag(x) for x in v]
    if not isinstance(v, dict):
        return v
    keys = list(v)
    if keys == ["$date"] and isinstance(v["$date"], str):
        return _parse_date(v["$date"])
    if sorted(keys) == ["$date", "@@python"] and isinstance(v["$date"], str):
        when = _parse_date(v["$date"])
        if isinstance(when, dt.datetime) and v["@@python"] == "naive":
            return when.replace(tzinfo=None)
        if isinstance(when, dt.datetime) and v["@@python"] == "date":
            return when.date()
        return when
    if keys == ["$bytes"] and isinstance(v["$bytes"], str):
        return base64.b64decode(v["$bytes"])
    if keys == ["$map"] and isinstance(v["$map"], list):
        return {_hashable(_untag(k)): _untag(x) for k, x in v["$map"]}
    if keys == ["$set"] and isinstance(v["$set"], list):
        items = [_hashable(_untag(x)) for x in v["$set"]]
        try:
            return set(items)
        except TypeError:
            return items
    if keys == ["$error"] and isinstance(v["$error"], dict):
        return revive_error(v["$error"])
    if sorted(keys) == ["$typed", "values"] and isinstance(v["values"], list):
        return list(v["values"])
    if sorted(keys) == ["$pydantic", "value"]:
        cls = _lookup(v["$pydantic"])
        value = _untag(v["value"])
        validate = getattr(cls, "model_validate", None)
        return validate(value) if callable(validate) else value
    if sorted(keys) == ["$dataclass", "fields"] and isinstance(v["fields"], dict):
        cls = _lookup(v["$dataclass"])
        fields = {k: _untag(x) for k, x in v["fields"].items()}
        return _dataclass(cls, fields) if cls is not None and dataclasses.is_dataclass(cls) else fields
    return {k: _untag(x) for k, x in v.items()}


def _dataclass(cls: type, fields: dict[str, Any]) -> Any:
    init = {f.name for f in dataclasses.fields(cls) if f.init}
    obj = cls(**{k: x for k, x in fields.items() if k in init})
    for k, x in fields.items():
        if k not in init:
            object.__setattr__(obj, k, x)
    return obj


def _parse_date(s: str) -> dt.date | dt.datetime:
    if len(s) == 10:
        return dt.date.fromisoformat(s)
    if s.endswith("Z"):
        return dt.datetime.fromisoformat(s[:-1] + "+00:00")
    return dt.datetime.fromisoformat(s)


def without_system(value: Any) -> Any:
    """The input without its system prompt: top-level `system`/`instructions` go, and `prompt`/`messages` lose role system/developer."""
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for k, x in value.items():
        if k in ("system", "instructions"):
            continue
        if k in ("prompt", "messages") and isinstance(x, list):
            out[k] = [m for m in x if not (isinstance(m, Mapping) and str(m.get("role")) in _SYSTEM_ROLES)]
        else:
            out[k] = x
    return out


def input_hash(value: Any, op: str = "llm") -> str:
    """16 hex digits of sha256 over the canonical JSON of the input (LLM inputs without their system prompt)."""
    text = canonical(without_system(value) if op == "llm" else value)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def first_difference(a: Any, b: Any, at: str = "$") -> tuple[str, Any, Any] | None:
    """The first place two values differ, as (JSON path, recorded, actual), or None."""
    return _diff(to_tagged(a, True), to_tagged(b, True), at)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return type(a) in (int, float) and type(b) in (int, float) and a == b or (type(a) is type(b) is str and a == b) or (a is None and b is None)


def _diff(a: Any, b: Any, at: str) -> tuple[str, Any, Any] | None:
    if _same(a, b):
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i in range(max(len(a), len(b))):
            d = _diff(a[i] if i < len(a) else None, b[i] if i < len(b) else None, f"{at}[{i}]")
            if d:
                return d
        return None
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            d = _diff(a.get(k), b.get(k), f"{at}.{k}")
            if d:
                return d
        return None
    return (at, a, b)
