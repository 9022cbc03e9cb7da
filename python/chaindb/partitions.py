"""``make partitions`` and ``make retention``: the monthly partitions of the append-only tables.

The tables and their rules are declared in the migrations (``common.define_monthly_partitions``,
listed in ``common.partitioned_tables``); these two commands only run the database's own functions,
as the owner role (``SET ROLE chaindb_owner``: the connecting user must be a member of it):

- ``partitions``: ``common.create_partitions()`` makes the missing months up to each table's
  ``premake_months`` ahead of the database's clock, and moves any row of the default partition into
  its month. Run it daily (cron, pg_cron); it is idempotent.
- ``retention``: ``common.apply_retention()`` detaches and drops every month whose rows are all older
  than the table's retention (a table without one keeps every month). The only way a partition of an
  append-only table is detached or dropped (the event triggers of ``migrations/common/0009`` refuse
  any other, for every role).
"""

from __future__ import annotations

import psycopg

from chaindb.db import libpq_url

OWNER_ROLE = "chaindb_owner"


def _run(url: str, function: str) -> list[str]:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(f"SET ROLE {OWNER_ROLE}")
        with conn.transaction():
            return [name for (name,) in conn.execute(f"SELECT * FROM common.{function}()")]


def create(url: str) -> list[str]:
    """Create the missing monthly partitions (common.create_partitions); the ones made."""
    return _run(url, "create_partitions")


def retention(url: str) -> list[str]:
    """Detach and drop the expired months (common.apply_retention); the ones dropped."""
    return _run(url, "apply_retention")


def tables(url: str) -> list[tuple[str, int, str]]:
    """(table, months ahead, retention) of every declared table."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        return [
            (t, ahead, keep or "kept for ever")
            for t, ahead, keep in conn.execute(
                "SELECT format('%I.%I', schema_name, table_name), premake_months, retention::text"
                " FROM common.partitioned_tables ORDER BY 1"
            )
        ]
