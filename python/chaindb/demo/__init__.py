"""``python -m chaindb.demo`` (``make demo``): each product's main flow, through the generated functions.

A flow is a function ``run(conn, report) -> object``: it walks its product's main flow on
``conn`` (autocommit: every call is its own transaction) and calls ``report.step(action,
result)`` once per step. Flows must be re-runnable on the same database. They are listed in
``chaindb.demo.__main__.FLOWS``; adding a product's flow is one line there.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from typing import Any, TextIO

import psycopg

__all__ = ["Flow", "Reporter", "short_id"]


class Reporter:
    """Prints one line per step: ``cocopay  ✓ customer pays ... → transaction 3f2a… pending``."""

    def __init__(self, product: str, out: TextIO | None = None) -> None:
        self.product = product
        self.out = out if out is not None else sys.stdout
        self.steps = 0

    def step(self, action: str, result: str) -> None:
        self.steps += 1
        print(f"{self.product:<8} ✓ {action} → {result}", file=self.out, flush=True)

    def failed(self, action: str, error: BaseException) -> None:
        print(f"{self.product:<8} ✗ {action}: {type(error).__name__}: {error}", file=self.out, flush=True)


#: A product's demo flow.
Flow = Callable[[psycopg.Connection[Any], Reporter], object]


def short_id(value: uuid.UUID) -> str:
    """The first 4 hex digits of an id and an ellipsis, for display."""
    return value.hex[:4] + "…"
