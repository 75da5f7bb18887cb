"""Python values that JSON cannot spell, for the shared vectors' `python` section: Python encodes
each (test_vectors.py), Node hashes Python's encoded text to the same hash (vectors.test.ts)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel


@dataclasses.dataclass
class City:
    name: str
    visits: tuple[int, ...]


class Forecast(BaseModel):
    city: str
    days: int


class QuotaError(Exception):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


PYTHON_VALUES: dict[str, tuple[str, Callable[[], Any]]] = {
    "tuple as array": ("tool", lambda: ("Paris", 3, (1.5, None))),
    "bytes": ("tool", lambda: {"blob": b"\x00\xffhi"}),
    "aware datetime in UTC milliseconds": ("tool", lambda: {"at": dt.datetime(2026, 12, 2, 15, 4, 5, 123000, tzinfo=dt.timezone(dt.timedelta(hours=2)))}),
    "naive datetime (as UTC, marked naive)": ("tool", lambda: {"at": dt.datetime(2026, 12, 2, 15, 4, 5, 123000)}),
    "date (midnight UTC, marked date)": ("tool", lambda: {"on": dt.date(2026, 12, 2)}),
    "set sorted": ("tool", lambda: {"tags": {"b", "a", "c"}}),
    "dict with int keys": ("tool", lambda: {1: "one", 2: "two"}),
    "dataclass": ("tool", lambda: City("Lyon", (1, 2))),
    "pydantic model": ("tool", lambda: Forecast(city="Paris", days=3)),
    "exception": ("tool", lambda: {"error": QuotaError("slow down", 30)}),
    "int beyond 2^53 as a JavaScript number": ("tool", lambda: {"n": 2**60}),
}
