"""Roles: the owner owns, the app gets what it needs, the read-only role never sees secrets."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors

from chaindb import admin

SECRET_COLUMNS = [
    ("cocopay", "signing_keys", "encrypted_private_key"),
    ("cocopay", "sessions", "token_hash"),
    ("authenticity", "codes", "code_plaintext"),
]


def test_roles_exist_and_cannot_log_in(conn: psycopg.Connection) -> None:
    rows = conn.execute(
        "select rolname, rolcanlogin, rolsuper from pg_roles where rolname like 'chaindb\\_%' order by 1"
    ).fetchall()
    assert rows == [
        ("chaindb_app", False, False),
        ("chaindb_owner", False, False),
        ("chaindb_readonly", False, False),
    ]


def test_roles_setup_is_idempotent(db_url: str) -> None:
    admin.ensure_roles(db_url)
    admin.ensure_roles(db_url)


@pytest.mark.parametrize(("schema", "table", "column"), SECRET_COLUMNS)
def test_readonly_role_cannot_read_secret_columns(conn: psycopg.Connection, schema: str, table: str,
                                                  column: str) -> None:
    if schema not in admin.available_schemas():
        pytest.skip(f"schema {schema} not migrated yet")
    conn.execute("set role chaindb_readonly")
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute(f"select {column} from {schema}.{table}")
    other = conn.execute(
        "select string_agg(column_name, ', ') from information_schema.columns"
        " where table_schema = %s and table_name = %s and column_name <> %s",
        (schema, table, column),
    ).fetchone()
    assert other is not None
    conn.execute(f"select {other[0]} from {schema}.{table}")


def test_readonly_role_reads_every_other_table(conn: psycopg.Connection) -> None:
    tables = conn.execute(
        "select format('%%I.%%I', schemaname, tablename) from pg_tables where schemaname = any(%s)",
        (admin.available_schemas(),),
    ).fetchall()
    secret_tables = {f"{s}.{t}" for s, t, _ in SECRET_COLUMNS}
    conn.execute("set role chaindb_readonly")
    for (table,) in tables:
        if table not in secret_tables:
            conn.execute(f"select * from {table} limit 1")


def test_readonly_role_cannot_write(conn: psycopg.Connection) -> None:
    conn.execute("set role chaindb_readonly")
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute("insert into cocopay.feature_flags (name) values ('ro')")


def test_app_role_cannot_change_the_audit_trail(conn: psycopg.Connection) -> None:
    conn.execute("set role chaindb_app")
    conn.execute("insert into cocopay.audit_logs (action) values ('login')")
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute("delete from cocopay.audit_logs")
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute("update cocopay.audit_logs set action = 'forged'")


def test_app_role_cannot_change_the_schema(conn: psycopg.Connection) -> None:
    conn.execute("set role chaindb_app")
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute("create table cocopay.intruder (id int)")
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute("drop table cocopay.feature_flags")


def test_nothing_is_granted_to_public(conn: psycopg.Connection) -> None:
    schemas = ["common", "extensions", *admin.available_schemas()]
    granted = conn.execute(
        """
        select 'relation', c.oid::regclass::text from pg_class c
          join pg_namespace n on n.oid = c.relnamespace, aclexplode(c.relacl) a
         where n.nspname = any(%(s)s) and a.grantee = 0
        union all
        select 'function', p.oid::regprocedure::text from pg_proc p
          join pg_namespace n on n.oid = p.pronamespace
          left join pg_depend d on d.objid = p.oid and d.deptype = 'e'
         where n.nspname = any(%(s)s) and d.objid is null
           and has_function_privilege('public', p.oid, 'execute')
        union all
        select 'schema', nspname from pg_namespace n, aclexplode(n.nspacl) a
         where n.nspname = any(%(s)s) and a.grantee = 0
        union all
        select 'type', t.oid::regtype::text from pg_type t
          join pg_namespace n on n.oid = t.typnamespace
          left join pg_depend d on d.objid = t.oid and d.deptype = 'e'
         where n.nspname = any(%(s)s) and d.objid is null and t.typtype in ('e', 'd')
           and has_type_privilege('public', t.oid, 'usage')
        """,
        {"s": schemas},
    ).fetchall()
    assert granted == []
