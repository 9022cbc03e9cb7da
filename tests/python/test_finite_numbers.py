"""Every numeric and floating point column of every schema refuses NaN and +/-Infinity.

The columns are read from the catalog (tables of ``common`` and of every schema of the
registry), so a new schema is covered without new code. For each column, a scratch copy of
its table keeps the column's type (domains included) and only the CHECK constraints that name
the column, with every NOT NULL dropped; a row holding only the value under test must be
refused: 23514 by a constraint on that column (or the column's domain), or, for an infinity,
22003 by the column's precision. Without ``<table>_<column>_finite_check`` a sign CHECK lets
NaN in ('NaN'::numeric > 0 is true), and this test fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from chaindb import admin

SCHEMAS = ["common", *admin.available_schemas()]
VALUES = ["NaN", "Infinity", "-Infinity"]

COLUMNS = """
    SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
    FROM pg_attribute AS a
    JOIN pg_class AS c ON c.oid = a.attrelid
    JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
      AND (
          WITH RECURSIVE base (oid) AS (
              SELECT a.atttypid
              UNION ALL
              SELECT t.typbasetype FROM pg_type AS t JOIN base ON t.oid = base.oid WHERE t.typtype = 'd'
          )
          SELECT bool_or(base.oid IN ('numeric'::regtype, 'float4'::regtype, 'float8'::regtype)) FROM base
      )
    ORDER BY 1, 2, 3
"""


@pytest.fixture(scope="module")
def scratch(module_db_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(module_db_url, autocommit=True) as conn:
        yield conn


def refusal(conn: psycopg.Connection, schema: str, table: str, column: str, value: str) -> str | None:
    """How a row holding only ``value`` in ``column`` is refused ('<sqlstate> <constraint>'), None if accepted."""
    copy = sql.Identifier(f"finite_{table}_{column}")
    with conn.transaction(force_rollback=True):
        conn.execute(sql.SQL("CREATE TEMP TABLE {} (LIKE {}.{} INCLUDING CONSTRAINTS)").format(
            copy, sql.Identifier(schema), sql.Identifier(table)))
        others = conn.execute(
            """
            SELECT k.conname FROM pg_constraint AS k
            WHERE k.conrelid = %s::regclass AND k.contype = 'c' AND NOT EXISTS (
                SELECT FROM pg_attribute AS a
                WHERE a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey) AND a.attname = %s
            )
            """,
            (f"pg_temp.finite_{table}_{column}", column),
        ).fetchall()
        for (name,) in others:
            conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(copy, sql.Identifier(name)))
        for (name,) in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND attnotnull",
            (f"pg_temp.finite_{table}_{column}",),
        ).fetchall():
            conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL").format(copy, sql.Identifier(name)))
        try:
            with conn.transaction():
                conn.execute(sql.SQL("INSERT INTO {} ({}) VALUES (%s)").format(copy, sql.Identifier(column)), (value,))
        except psycopg.errors.CheckViolation as exc:
            return f"23514 {exc.diag.constraint_name}"
        except psycopg.errors.NumericValueOutOfRange:
            return "22003"
    return None


def test_every_numeric_column_refuses_nan_and_infinity(scratch: psycopg.Connection) -> None:
    columns = scratch.execute(COLUMNS, (SCHEMAS,)).fetchall()
    assert len(columns) >= 13, f"expected the numeric columns of cocopay and authenticity, found {columns}"
    accepted = []
    for schema, table, column, type_ in columns:
        for value in VALUES:
            how = refusal(scratch, schema, table, column, value)
            if how is None or (value == "NaN" and not how.startswith("23514")):
                accepted.append(f"{schema}.{table}.{column} ({type_}) accepts {value}: {how or 'no refusal'}")
    assert accepted == []


def test_a_sign_check_alone_lets_nan_in(scratch: psycopg.Connection) -> None:
    """Why the guard: the refusal above does not come from the sign CHECKs."""
    assert scratch.execute("SELECT 'NaN'::numeric > 0, 'NaN'::numeric >= 0").fetchone() == (True, True)
    scratch.execute("CREATE TEMP TABLE signed (amount numeric CONSTRAINT signed_amount_check CHECK (amount > 0))")
    scratch.execute("INSERT INTO signed VALUES ('NaN')")
    assert scratch.execute("SELECT count(*) FROM signed").fetchone() == (1,)
