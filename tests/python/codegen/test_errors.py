"""chaindb.errors: the SQLSTATE table, the classes, and translation of real server errors."""

from __future__ import annotations

import asyncio
import inspect
import re
from typing import Any

import psycopg
import pytest

from chaindb import errors


def project_classes() -> dict[str, type[errors.ChainDBError]]:
    found: dict[str, type[errors.ChainDBError]] = {}
    for _, cls in inspect.getmembers(errors, inspect.isclass):
        if issubclass(cls, errors.ProjectError) and cls.SQLSTATE is not None:
            assert cls.SQLSTATE not in found, f"two classes for {cls.SQLSTATE}"
            found[cls.SQLSTATE] = cls
    return found


def test_every_project_sqlstate_has_a_class_and_vice_versa() -> None:
    classes = project_classes()
    assert set(classes) == set(errors.PROJECT_SQLSTATES)
    for code, cls in classes.items():
        assert code.startswith("CD") and len(code) == 5
        assert errors.error_class(code) is cls
        # the class is named after the rule: forbidden_transition → ForbiddenTransition
        assert cls.__name__ == "".join(p.title() for p in errors.PROJECT_SQLSTATES[code].split("_"))


def test_docstring_table_lists_exactly_the_dict() -> None:
    doc = errors.__doc__ or ""
    rows = re.findall(r"^\|\s*(CD[0-9A-Z]{3})\s*\|\s*([a-z_]+)\s*\|", doc, flags=re.MULTILINE)
    assert rows, "the SQLSTATE table is missing from the module docstring"
    assert [code for code, _ in rows] == sorted(code for code, _ in rows)
    assert dict(rows) == errors.PROJECT_SQLSTATES
    assert len(rows) == len(errors.PROJECT_SQLSTATES)


def test_error_class_fallbacks() -> None:
    assert errors.error_class("23505") is errors.UniqueViolation
    assert errors.error_class("23999") is errors.IntegrityViolation
    assert errors.error_class("CD999") is errors.ProjectError
    assert errors.error_class("40001") is errors.SerializationFailure
    assert errors.error_class("40002") is errors.TransactionConflict
    assert errors.error_class("XX000") is errors.DatabaseError
    assert errors.error_class(None) is errors.DatabaseError


def raise_sql(conn: psycopg.Connection[Any], code: str, detail: str = "d") -> None:
    conn.execute(
        f"DO $$ BEGIN RAISE EXCEPTION 'boom' USING ERRCODE = '{code}', DETAIL = '{detail}', HINT = 'h'; END $$"
    )


def test_translating_project_codes(cg_conn: psycopg.Connection[Any]) -> None:
    for code, rule in errors.PROJECT_SQLSTATES.items():
        with pytest.raises(errors.ProjectError) as info, errors.translating():
            raise_sql(cg_conn, code, f"from=a to={code}")
        e = info.value
        assert type(e) is errors.error_class(code)
        assert (e.sqlstate, e.rule, e.detail, e.hint) == (code, rule, f"from=a to={code}", "h")
        assert isinstance(e.__cause__, psycopg.Error)
        assert "boom" in str(e)
    with pytest.raises(errors.ProjectError) as unknown, errors.translating():
        raise_sql(cg_conn, "CD999")
    assert type(unknown.value) is errors.ProjectError and unknown.value.rule is None


def test_translating_constraints_and_others(cg_conn: psycopg.Connection[Any]) -> None:
    store = "INSERT INTO cgshop.stores (name, phone) VALUES (%s, %s)"
    cg_conn.execute(store, ("a", "+9"))
    with pytest.raises(errors.UniqueViolation) as uv, errors.translating():
        cg_conn.execute(store, ("b", "+9"))
    assert (uv.value.constraint, uv.value.table, uv.value.schema) == ("stores_phone_key", "stores", "cgshop")
    with pytest.raises(errors.DataError), errors.translating():
        cg_conn.execute("SELECT 'x'::int")
    with pytest.raises(errors.ProgrammingError), errors.translating():
        cg_conn.execute("SELECT nope FROM cgshop.stores")
    with pytest.raises(errors.RaisedException), errors.translating():
        cg_conn.execute("DO $$ BEGIN RAISE EXCEPTION 'plain'; END $$")
    # other exceptions pass through untouched
    with pytest.raises(KeyError), errors.translating():
        raise KeyError("x")


def test_translated_decorator(cg_conn: psycopg.Connection[Any], fixture_db_url: str) -> None:
    @errors.translated
    def sync_fail() -> int:
        raise_sql(cg_conn, "CD005")
        return 1

    with pytest.raises(errors.NotFound):
        sync_fail()

    @errors.translated
    async def async_fail() -> int:
        async with await psycopg.AsyncConnection.connect(fixture_db_url) as conn:
            await conn.execute("SELECT 1/0")
        return 1

    with pytest.raises(errors.DataError) as info:
        asyncio.run(async_fail())
    assert info.value.sqlstate == "22012"


def test_connection_errors_are_operational() -> None:
    with pytest.raises(errors.OperationalError), errors.translating():
        psycopg.connect("postgresql://nobody@127.0.0.1:1/none", connect_timeout=2)
