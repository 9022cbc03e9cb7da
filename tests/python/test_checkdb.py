"""Bring your own database: `make check-db` names each missing right with the SQL that grants
it, the DBA runs exactly that SQL, and then a non-superuser migrates and rolls back, the
pre-installed extensions accepted and left in place."""

from __future__ import annotations

import re
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from chaindb import admin, checkdb, cli
from chaindb.embedded import throwaway


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A server of this module's own, so that it starts without the project's roles."""
    s = throwaway()
    try:
        yield s.url(database="postgres")
    finally:
        s.stop()


def login_role(server: str, name: str, *options: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"drop role if exists {name}")
        conn.execute(f"create role {name} login password 'secret-{name}' {' '.join(options)}")


def as_user(url: str, name: str) -> str:
    return make_conninfo(url, user=name, password=f"secret-{name}")


def migration_ids() -> list[str]:
    return sorted(p.stem for p in admin.migrations_dir().glob("*/*.sql") if not p.name.endswith(".rollback.sql"))


def test_extensions_sql_installs_what_the_extensions_migration_creates() -> None:
    text = (admin.migrations_dir() / "common" / "0001_common_extensions.sql").read_text()
    created = re.findall(r'^CREATE EXTENSION "?([\w-]+)"? WITH SCHEMA (\w+);', text, re.M)
    assert created and sorted(checkdb.required_extensions()) == sorted(created)


def test_a_superuser_is_ready(server: str) -> None:
    report = checkdb.check(admin.create_database(server, "checkdb_super"))
    assert report.ok and report.superuser and "ready to migrate (superuser)" in report.text()


def test_a_non_superuser_is_told_each_missing_right_then_migrates_once_granted(
    server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = admin.create_database(server, "checkdb_alice")
    login_role(server, "alice")
    alice = as_user(db, "alice")
    report = checkdb.check(alice)
    assert [m.right for m in report.missing] == [
        "the role(s) chaindb_owner, chaindb_app, chaindb_readonly",
        "CREATE on database checkdb_alice for chaindb_owner",
        "USAGE and CREATE on schema public for chaindb_owner",
        "membership in chaindb_owner",
        "the extension(s) earthdistance",
    ]
    assert "no CREATEDB" in report.text()

    # `make migrate` says the same (the SQL included), no traceback, and changes nothing.
    monkeypatch.setenv("DATABASE_URL", alice)
    assert cli.main(["migrate"]) == 1
    err = capsys.readouterr().err
    for line in ("CREATE ROLE chaindb_owner NOLOGIN;", "GRANT CREATE ON DATABASE \"checkdb_alice\" TO chaindb_owner;",
                 "GRANT USAGE, CREATE ON SCHEMA public TO chaindb_owner;", "GRANT chaindb_owner TO \"alice\";",
                 "CREATE EXTENSION IF NOT EXISTS earthdistance WITH SCHEMA extensions;"):
        assert line in err
    assert "Traceback" not in err and "yoyo_lock" not in err
    with psycopg.connect(db) as conn:
        assert conn.execute("select to_regclass('_yoyo_migration')").fetchone() == (None,)

    # A DBA runs exactly the printed SQL; then alice, no superuser, migrates everything.
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("\n".join(m.grant for m in report.missing))
    assert checkdb.check(alice).ok
    assert sorted(admin.migrate(alice)) == migration_ids()
    with psycopg.connect(db) as conn:
        kept = conn.execute(
            "select kept from _chaindb_migration where migration_id = '0001_common_extensions'"
        ).fetchone()
        assert kept is not None and sorted(kept[0]) == [
            "extension:cube", "extension:earthdistance", "extension:pgcrypto", "extension:uuid-ossp",
            "schema:extensions",
        ]
        owners = conn.execute(
            "select distinct pg_get_userbyid(c.relowner) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = any(%s)", (admin.available_schemas(),)
        ).fetchall()
        assert owners == [("chaindb_owner",)]

    # A full rollback leaves the DBA's extensions (and their schema) in place; migrating again works.
    assert len(admin.rollback(alice, everything=True)) == len(migration_ids())
    with psycopg.connect(db) as conn:
        assert conn.execute(
            "select count(*) from pg_extension e join pg_namespace n on n.oid = e.extnamespace"
            " where n.nspname = 'extensions'"
        ).fetchone() == (4,)
        assert conn.execute("select to_regnamespace('cocopay')").fetchone() == (None,)
    assert sorted(admin.migrate(alice)) == migration_ids()

    # Event triggers are a superuser's: alice's migrations leave them out and check-db says how to add them.
    with psycopg.connect(db, autocommit=True) as conn:
        assert conn.execute("select count(*) from pg_event_trigger").fetchone() == (0,)
        assert any("install_partition_guard()" in n for n in checkdb.check(alice).notes)
        assert conn.execute("select common.install_partition_guard()").fetchone() == (True,)
        assert conn.execute("select count(*) from pg_event_trigger").fetchone() == (2,)
    assert not any("install_partition_guard()" in n for n in checkdb.check(alice).notes)


def test_a_database_owner_with_createrole_needs_only_membership_and_the_extension(server: str) -> None:
    admin.ensure_roles(server)  # the roles exist on this server (another database's set-up made them)
    login_role(server, "bob", "CREATEROLE")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute("drop database if exists checkdb_bob")
        conn.execute("create database checkdb_bob owner bob")
    db = admin.with_database(server, "checkdb_bob")
    bob = as_user(db, "bob")
    report = checkdb.check(bob)
    assert [m.right for m in report.missing] == ["membership in chaindb_owner", "the extension(s) earthdistance"]
    assert report.roles_setup_needed, "bob can grant chaindb_owner its rights in his database himself"
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("\n".join(m.grant for m in report.missing))
    assert sorted(admin.migrate(bob)) == migration_ids()
    with psycopg.connect(db) as conn:
        assert conn.execute(
            "select has_database_privilege('chaindb_owner', current_database(), 'CREATE')"
        ).fetchone() == (True,)
