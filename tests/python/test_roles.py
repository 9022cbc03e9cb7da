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
    ("game_market", "purchases", "guest_receipt_code"),
    ("game_market", "entitlements", "guest_receipt_code"),
    ("game_market", "ip_hash_salt", "salt"),
    *(("bloxtr8", "accounts", c) for c in ("access_token", "refresh_token", "id_token", "password")),
    ("bloxtr8", "sessions", "token"),
    ("bloxtr8", "contract_sign_tokens", "token"),
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
    secrets = [c for s, t, c in SECRET_COLUMNS if (s, t) == (schema, table)]
    other = conn.execute(
        "select string_agg(column_name, ', ') from information_schema.columns"
        " where table_schema = %s and table_name = %s and column_name <> all(%s)",
        (schema, table, secrets),
    ).fetchone()
    assert other is not None
    conn.execute(f"select {other[0]} from {schema}.{table}")


def test_readonly_role_reads_every_other_table(conn: psycopg.Connection) -> None:
    """Every table but the secret ones; a partition through its partitioned table (it has no grants of its own)."""
    tables = conn.execute(
        "select c.oid::regclass::text from pg_class c where c.relnamespace::regnamespace::text = any(%s)"
        " and c.relkind in ('r', 'p') and not c.relispartition",
        (admin.available_schemas(),),
    ).fetchall()
    assert conn.execute(
        "select c.oid::regclass::text, c.relacl::text from pg_class c"
        " where c.relnamespace::regnamespace::text = any(%s) and c.relispartition and c.relacl is not null",
        (admin.available_schemas(),),
    ).fetchall() == [], "partitions have no grants: the roles read and write through the partitioned table"
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


#: Every schema the project owns: the shared ones and the registry's (pyproject.toml [tool.chaindb]).
ALL_SCHEMAS = ["common", "extensions", *admin.available_schemas()]


@pytest.mark.parametrize("schema", ALL_SCHEMAS)
def test_nothing_is_granted_to_public(conn: psycopg.Connection, schema: str) -> None:
    """PUBLIC has no privilege on the schema, its relations, columns, functions and types; no function or type keeps
    the default PUBLIC EXECUTE/USAGE (a NULL ACL). Extension members are the extensions' business."""
    granted = conn.execute(
        """
        select 'schema', nspname from pg_namespace n, aclexplode(n.nspacl) a
         where n.nspname = %(s)s and a.grantee = 0
        union all
        select 'relation', c.oid::regclass::text from pg_class c, aclexplode(c.relacl) a
         where c.relnamespace = %(s)s::regnamespace and a.grantee = 0
        union all
        select 'column', c.oid::regclass::text || '.' || t.attname from pg_class c
          join pg_attribute t on t.attrelid = c.oid, aclexplode(t.attacl) a
         where c.relnamespace = %(s)s::regnamespace and a.grantee = 0
        union all
        select 'function', p.oid::regprocedure::text from pg_proc p
          left join pg_depend d on d.objid = p.oid and d.deptype = 'e'
         where p.pronamespace = %(s)s::regnamespace and d.objid is null
           and has_function_privilege('public', p.oid, 'execute')
        union all
        select 'type', t.oid::regtype::text from pg_type t
          left join pg_depend d on d.objid = t.oid and d.deptype = 'e'
         where t.typnamespace = %(s)s::regnamespace and d.objid is null and t.typtype in ('e', 'd', 'c')
           and t.typrelid = 0 and has_type_privilege('public', t.oid, 'usage')
        """,
        {"s": schema},
    ).fetchall()
    assert granted == []


@pytest.mark.parametrize("schema", ALL_SCHEMAS)
def test_roles_use_every_schema_and_type_but_create_nothing(conn: psycopg.Connection, schema: str) -> None:
    for role in (admin.APP_ROLE, admin.READONLY_ROLE):
        usage, create = conn.execute(
            "select has_schema_privilege(%s, %s, 'USAGE'), has_schema_privilege(%s, %s, 'CREATE')",
            (role, schema, role, schema),
        ).fetchone() or (None, None)
        assert (usage, create) == (True, False), role
        unusable = conn.execute(
            "select t.oid::regtype::text from pg_type t where t.typnamespace = %s::regnamespace"
            " and t.typtype in ('e', 'd') and not has_type_privilege(%s, t.oid, 'USAGE')",
            (schema, role),
        ).fetchall()
        assert unusable == [], role


@pytest.mark.parametrize("schema", admin.available_schemas())
def test_roles_hold_no_truncate_references_or_trigger(conn: psycopg.Connection, schema: str) -> None:
    granted = conn.execute(
        """
        select c.relname, r.rolname, a.privilege_type from pg_class c, aclexplode(c.relacl) a
          join pg_roles r on r.oid = a.grantee
         where c.relnamespace = %s::regnamespace and r.rolname in (%s, %s)
           and a.privilege_type in ('TRUNCATE', 'REFERENCES', 'TRIGGER')
        """,
        (schema, admin.APP_ROLE, admin.READONLY_ROLE),
    ).fetchall()
    assert granted == []


@pytest.mark.parametrize("schema", admin.available_schemas())
def test_append_only_tables_refuse_everyone(conn: psycopg.Connection, schema: str) -> None:
    """Every table declared append-only (common.append_only_tables) refuses UPDATE and DELETE to the app (no grant)
    and to every role, the owner included (its triggers, enabled); TRUNCATE too (tried here as the owner). A
    partitioned one: each of its partitions too, TRUNCATE of the partition alone included."""
    tables = [t for (t,) in conn.execute(
        "select format('%%I.%%I', schema_name, table_name) from common.append_only_tables where schema_name = %s",
        (schema,),
    )]
    assert tables, f"{schema} declares no append-only table"
    for table in tables:
        privileges = conn.execute(
            "select has_table_privilege(%s, %s, 'UPDATE'), has_table_privilege(%s, %s, 'DELETE')",
            (admin.APP_ROLE, table, admin.APP_ROLE, table),
        ).fetchone()
        assert privileges == (False, False), table
        name = table.split(".")[1]
        tree = conn.execute("select relid::text from pg_partition_tree(%s) order by level, relid::text", (table,))
        relations = [r for (r,) in tree]
        for relation in relations:
            triggers = conn.execute(
                "select t.tgname::text, t.tgtype::int, t.tgenabled from pg_trigger t where t.tgrelid = %s::regclass"
                " and t.tgfoid = 'common.tg__append_only()'::regprocedure order by 1",
                (relation,),
            ).fetchall()
            # 27 = ROW (1) + BEFORE (2) + DELETE (8) + UPDATE (16); 34 = BEFORE (2) + TRUNCATE (32), per statement
            assert triggers == [(f"{name}_append_only", 27, "O"), (f"{name}_append_only_truncate", 34, "O")], relation
            with conn.transaction(force_rollback=True):
                conn.execute(f"set local role {admin.OWNER_ROLE}")
                with pytest.raises(psycopg.Error) as refused:
                    conn.execute(f"truncate {relation} cascade")  # cascade: tables that others reference too
                assert (refused.value.sqlstate, refused.value.diag.constraint_name) == ("CD003", f"{name}_append_only")
