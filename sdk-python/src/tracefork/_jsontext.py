"""JSON text exactly as JavaScript's JSON.stringify writes it, so hashes match the Node SDK byte
for byte: shortest round-trip numbers in ECMAScript's Number::toString form (1.0 is `1`, 1e-7 is
`1e-7`, 1e21 is `1e+21`), no spaces, non-ASCII kept as UTF-8, and only `"`, `\\`, control
characters and lone surrogates escaped."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

_ESCAPE = re.compile('[\x00-\x1f"\\\\\ud800-\udfff]')
_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _esc(m: re.Match[str]) -> str:
    c = m.group(0)
    return _SHORT.get(c) or f"\\u{ord(c):04x}"


def js_string(s: str) -> str:
    """A JSON string literal as JSON.stringify writes it."""
    return '"' + _ESCAPE.sub(_esc, s) + '"'


def js_number(x: float) -> str:
    """A finite float as ECMAScript Number::toString writes it (callers map NaN/Infinity to null)."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return "null"
    sign, digits, exp = Decimal(repr(abs(x))).as_tuple()
    ds = list(digits)
    while len(ds) > 1 and ds[-1] == 0:
        ds.pop()
        exp = int(exp) + 1
    s = "".join(map(str, ds))
    k = len(s)
    n = int(exp) + k
    neg = "-" if x < 0 else ""
    if k <= n <= 21:
        return neg + s + "0" * (n - k)
    if 0 < n <= 21:
        return neg + s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return neg + "0." + "0" * (-n) + s
    e = n - 1
    mant = s if k == 1 else s[0] + "." + s[1:]
    return f"{neg}{mant}e{'+' if e >= 0 else '-'}{abs(e)}"


def dumps(v: Any) -> str:
    """JSON text of a plain JSON tree (dict with str keys, list, str, int, float, bool, None), keys in their order."""
    out: list[str] = []
    _write(v, out)
    return "".join(out)


def _write(v: Any, out: list[str]) -> None:
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, str):
        out.append(js_string(v))
    elif isinstance(v, int):
        out.append(str(v))
    elif isinstance(v, float):
        out.append(js_number(v))
    elif isinstance(v, dict):
        out.append("{")
        first = True
        for k, x in v.items():
            if not first:
                out.append(",")
            first = False
            out.append(js_string(str(k)))
            out.append(":")
            _write(x, out)
        out.append("}")
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, x in enumerate(v):
            if i:
                out.append(",")
            _write(x, out)
        out.append("]")
    else:
        out.append(js_string(str(v)))


_INDEX = re.compile(r"(0|[1-9][0-9]*)")


def utf16_key(s: str) -> tuple[int, int, bytes]:
    """Sort key giving the order JSON.stringify writes sorted keys in: array-index keys first by value (JavaScript objects keep them so), then UTF-16 code-unit order."""
    if _INDEX.fullmatch(s) and int(s) < 2**32 - 1:
        return (0, int(s), b"")
    return (1, 0, s.encode("utf-16-be", "surrogatepass"))
