"""Every generated write function of every schema, under Hypothesis (the harness: conftest.py here)."""

from __future__ import annotations

from typing import Any


def test_write_function(write_query: Any, harness_for: Any) -> None:
    """Only chaindb.errors come out; a rejected call changes nothing; an accepted one keeps the invariants."""
    harness_for(write_query.schema).run(write_query)
