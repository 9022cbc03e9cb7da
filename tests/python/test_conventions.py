"""CONVENTIONS.md, checked once over every schema of the registry (pyproject.toml [tool.chaindb]) and
common: what a new schema gets tested for without writing a line."""

from __future__ import annotations

import psycopg
import pytest

from chaindb import admin

SCHEMAS = ["common", *admin.available_schemas()]


def rows(conn: psycopg.Connection, query: str, schema: str) -> list[tuple[object, ...]]:
    return conn.execute(query, {"s": schema}).fetchall()


@pytest.mark.parametrize("schema", admin.available_schemas())
def test_every_foreign_key_states_on_delete_and_is_indexed(conn: psycopg.Connection, schema: str) -> None:
    """ON DELETE is stated on every foreign key; a NO ACTION one (PostgreSQL's default, so the catalog cannot
    tell it was stated) says why in its comment: 'ON DELETE NO ACTION: ...'. Every foreign key is indexed."""
    unstated = rows(
        conn,
        """
        select c.conname from pg_constraint c
         where c.contype = 'f' and c.connamespace = %(s)s::regnamespace and c.confdeltype = 'a'
           and c.conparentid = 0  -- a partition's copy of its table's key says nothing of its own
           and coalesce(obj_description(c.oid, 'pg_constraint'), '') not like 'ON DELETE NO ACTION: %%'
        """,
        schema,
    )
    assert unstated == []
    unindexed = rows(
        conn,
        """
        select c.conname from pg_constraint c
         where c.contype = 'f' and c.connamespace = %(s)s::regnamespace
           and not exists (
               select from pg_index i where i.indrelid = c.conrelid
                  and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey
           )
        """,
        schema,
    )
    assert unindexed == []


@pytest.mark.parametrize("schema", SCHEMAS)
def test_everything_has_a_comment(conn: psycopg.Connection, schema: str) -> None:
    missing = rows(
        conn,
        """
        select 'schema', nspname::text from pg_namespace
         where nspname = %(s)s and obj_description(oid, 'pg_namespace') is null
        union all
        select 'relation', relname::text from pg_class
         where relnamespace = %(s)s::regnamespace and relkind in ('r', 'v', 'm', 'p')
           and obj_description(oid, 'pg_class') is null
        union all
        select 'routine', oid::regprocedure::text from pg_proc
         where pronamespace = %(s)s::regnamespace and obj_description(oid, 'pg_proc') is null
        union all
        select 'trigger', t.tgname::text from pg_trigger t join pg_class c on c.oid = t.tgrelid
         where c.relnamespace = %(s)s::regnamespace and not t.tgisinternal
           and obj_description(t.oid, 'pg_trigger') is null
        union all
        select 'type', typname::text from pg_type
         where typnamespace = %(s)s::regnamespace and typtype in ('e', 'd') and obj_description(oid, 'pg_type') is null
        """,
        schema,
    )
    assert missing == []


@pytest.mark.parametrize("schema", SCHEMAS)
def test_security_definer_pins_search_path_and_trigger_functions_are_named(
    conn: psycopg.Connection, schema: str
) -> None:
    unpinned = rows(
        conn,
        """
        select oid::regprocedure::text from pg_proc
         where pronamespace = %(s)s::regnamespace and prosecdef
           and not coalesce(proconfig @> array['search_path=pg_catalog, pg_temp'], false)
        """,
        schema,
    )
    assert unpinned == []
    misnamed = rows(
        conn,
        """
        select proname::text from pg_proc
         where pronamespace = %(s)s::regnamespace and prorettype = 'trigger'::regtype
           and proname !~ '^tg_([a-z0-9_]+_)?_[a-z0-9_]+$'
        """,
        schema,
    )
    assert misnamed == [], "trigger functions are tg_<table>__<task> or, shared, tg__<task>"


@pytest.mark.parametrize("schema", admin.available_schemas())
def test_no_hand_written_state_machine_immutable_or_append_only_trigger(conn: psycopg.Connection, schema: str) -> None:
    """Those rules are declared (common.define_*), never a trigger function per table."""
    hand_written = rows(
        conn,
        """
        select proname::text from pg_proc
         where pronamespace = %(s)s::regnamespace and prorettype = 'trigger'::regtype
           and proname ~ '(status_transition|immutable_columns|append_only|updated_at)'
        """,
        schema,
    )
    assert hand_written == []
