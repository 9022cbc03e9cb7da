"""The property harness has teeth: each of its three checks fails on a function that breaks it."""

from __future__ import annotations

import datetime
from typing import Any

import psycopg
import pytest

from chaindb import errors

NO_OFFSET = datetime.timedelta(0)


def test_a_rejected_call_that_wrote_is_caught(harness_for: Any) -> None:
    """Like a generated function whose row is committed before pydantic refuses it (issue 8, NaN)."""

    def writes_then_raises(conn: psycopg.Connection[Any]) -> None:
        conn.execute("INSERT INTO cocopay.feature_flags (name) VALUES ('written-then-refused')")
        raise errors.NoRowReturned("refused after the write")

    harness = harness_for("cocopay")
    with pytest.raises(AssertionError, match="changed the schema's rows"):
        harness.one(writes_then_raises, NO_OFFSET, {}, harness.fresh_counts())


def test_an_exception_outside_chaindb_errors_fails(harness_for: Any) -> None:
    def raises_value_error(conn: psycopg.Connection[Any]) -> None:
        raise ValueError("not a chaindb error")

    harness = harness_for("cocopay")
    with pytest.raises(ValueError, match="not a chaindb error"):
        harness.one(raises_value_error, NO_OFFSET, {}, harness.fresh_counts())


def test_an_accepted_call_that_breaks_an_invariant_is_caught(harness_for: Any) -> None:
    def orphans_a_store(conn: psycopg.Connection[Any]) -> None:
        conn.execute("RESET ROLE")  # what no app call can do: remove a store's owner
        conn.execute("DELETE FROM cocopay.store_members WHERE role = 'owner'")

    harness = harness_for("cocopay")
    with pytest.raises(AssertionError, match="a store without exactly one accepted owner"):
        harness.one(orphans_a_store, NO_OFFSET, {}, harness.fresh_counts())
    assert harness.checksum() == harness.baseline, "every example is rolled back"
