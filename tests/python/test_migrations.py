"""Migrations: from zero, full rollback and back, every migration's exact rollback, each schema on its
own, rollback files, backup/restore, snapshots. The schemas come from the registry (admin.SCHEMAS)."""

from __future__ import annotations

import difflib
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from chaindb import admin

MIGRATIONS = admin.migrations_dir()
PROJECT_SCHEMAS = ["common", "extensions", *admin.available_schemas()]
#: The declarations of common (data, which pg_dump --schema-only leaves out) are part of a migration's effect.
DECLARATIONS = [
    "common.state_machines",
    "common.state_transitions",
    "common.immutable_columns",
    "common.append_only_tables",
    "common.partitioned_tables",
]


def migration_files() -> list[Path]:
    return sorted(p for p in MIGRATIONS.glob("*/*.sql") if not p.name.endswith(".rollback.sql"))


def product_objects(url: str) -> list[tuple[str, str]]:
    """(schema, relation) of every relation, type and routine in the project's schemas."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """
            select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = any(%(s)s)
            union all
            select n.nspname, t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
             where n.nspname = any(%(s)s)
            union all
            select n.nspname, p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
             where n.nspname = any(%(s)s)
            union all
            select nspname, '' from pg_namespace where nspname = any(%(s)s)
            """,
            {"s": PROJECT_SCHEMAS},
        ).fetchall()
    return sorted(rows)


def test_every_migration_has_a_rollback_file() -> None:
    missing = [str(p.relative_to(MIGRATIONS)) for p in migration_files() if not p.with_suffix("").with_suffix(
        ".rollback.sql").exists()]
    assert migration_files(), "no migrations found"
    assert missing == []


def test_migration_ids_are_unique_and_prefixed_with_their_folder() -> None:
    stems = [p.stem for p in migration_files()]
    assert len(stems) == len(set(stems)), "yoyo ids (file stems) must be unique across folders"
    for path in migration_files():
        assert re.fullmatch(rf"\d{{4}}_{path.parent.name}_[a-z0-9_]+", path.stem), path


def test_migrate_from_zero_creates_every_schema(empty_db_url: str) -> None:
    applied = admin.migrate(empty_db_url)
    assert sorted(applied) == sorted(p.stem for p in migration_files())
    with psycopg.connect(empty_db_url) as conn:
        schemas = {r[0] for r in conn.execute("select nspname from pg_namespace")}
        owners = conn.execute(
            """
            select distinct pg_get_userbyid(c.relowner) from pg_class c
              join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = any(%s)
            """,
            (admin.available_schemas(),),
        ).fetchall()
    assert {"common", "extensions", *admin.available_schemas()} <= schemas
    assert owners == [("chaindb_owner",)], "every object is owned by the NOLOGIN owner role"
    assert admin.migrate(empty_db_url) == [], "a second migrate has nothing to do"


def test_rollback_everything_then_migrate_gives_the_same_schema(empty_db_url: str) -> None:
    admin.migrate(empty_db_url)
    before = admin.dump_schema(empty_db_url)
    undone = admin.rollback(empty_db_url, everything=True)
    assert len(undone) == len(migration_files())
    assert product_objects(empty_db_url) == [], "a full rollback leaves none of the project's objects"
    admin.migrate(empty_db_url)
    assert admin.dump_schema(empty_db_url) == before


def test_rollback_one_undoes_only_the_last_migration(empty_db_url: str) -> None:
    admin.migrate(empty_db_url)
    before = admin.dump_schema(empty_db_url)
    undone = admin.rollback(empty_db_url)
    assert len(undone) == 1
    assert [m for m, applied in admin.status(empty_db_url) if not applied] == undone
    assert admin.migrate(empty_db_url) == undone
    assert admin.dump_schema(empty_db_url) == before


def state(url: str) -> str:
    """What a migration changes: the schema (pg_dump -s) and the rows of common's declarations."""
    text = admin.dump_schema(url)
    with psycopg.connect(url) as conn:
        for table in DECLARATIONS:
            if conn.execute("select to_regclass(%s)", (table,)).fetchone() != (None,):
                rows = sorted(map(repr, conn.execute(f"select * from {table}").fetchall()))
                text += f"\n-- {table}\n" + "\n".join(rows)
    return text


@pytest.fixture(scope="module")
def round_trips(pg_url: str) -> Iterator[dict[str, str | None]]:
    """Walks every migration of every schema in apply order, on one database: apply it, roll it back
    (the state must be the one before it), apply it again (the state must be the one after it).
    Maps each migration id to None (exact) or what went wrong."""
    name = f"chaindb_test_{uuid.uuid4().hex[:12]}"
    url = admin.create_database(pg_url, name)
    outcome: dict[str, str | None] = {}
    try:
        admin.migrate(url, only=())  # the roles and the runner's own tables, which no rollback removes
        before = state(url)
        for migration in admin.plan():
            admin.migrate(url, only={migration.id})
            after = state(url)
            assert admin.rollback(url) == [migration.id]
            undone = state(url)
            if undone != before:
                diff = difflib.unified_diff(before.splitlines(), undone.splitlines(), "before", "rolled back", n=1)
                outcome[migration.id] = "its rollback does not restore the state before it:\n" + "\n".join(
                    list(diff)[:40]
                )
                admin.migrate(url, only={migration.id})
                before = state(url)
            else:
                admin.migrate(url, only={migration.id})
                before = state(url)  # the next migration starts from here
                outcome[migration.id] = None if before == after else "applied again, it gives another state"
        yield outcome
    finally:
        admin.drop_database(pg_url, name)


@pytest.mark.parametrize("migration_id", [m.id for m in admin.plan()])
def test_migration_rolls_back_exactly_and_reapplies(round_trips: dict[str, str | None], migration_id: str) -> None:
    assert round_trips[migration_id] is None, f"{migration_id}: {round_trips[migration_id]}"


@pytest.mark.parametrize("schema", admin.available_schemas())
def test_schema_applies_on_its_own_and_rolls_back_completely(empty_db_url: str, schema: str) -> None:
    """Each schema's folder applies with common/ alone, rolls back one migration at a time to
    nothing of its own (common stays while common's migrations remain), and applies again."""
    mine = [m.id for m in admin.plan([schema]) if m.id.split("_", 1)[1].startswith(f"{schema}_")]
    applied = admin.migrate(empty_db_url, [schema])
    assert [m for m in applied if m in mine] == mine
    for expected in reversed(mine):
        assert admin.rollback(empty_db_url, [schema]) == [expected]
    with psycopg.connect(empty_db_url) as conn:
        own = conn.execute(
            "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = %s",
            (schema,),
        ).fetchone()
        assert own == (0,)
        assert conn.execute("select count(*) from pg_namespace where nspname = %s", (schema,)).fetchone() == (0,)
        assert conn.execute("select count(*) from pg_namespace where nspname = 'common'").fetchone() == (1,)
        leftover = conn.execute(
            "select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
            "where n.nspname not in ('pg_catalog', 'information_schema', 'common', 'extensions')"
        ).fetchone()
        assert leftover == (0,)
    assert admin.migrate(empty_db_url, [schema]) == mine
    assert admin.rollback(empty_db_url, [schema], everything=True)
    assert len(admin.migrate(empty_db_url, [schema])) == len(admin.plan([schema]))


def indexes(url: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select schemaname, indexname, indexdef from pg_indexes"
            " where schemaname not in ('pg_catalog', 'information_schema') order by 1, 2"
        ).fetchall()


def test_backup_restores_with_every_index(db_url: str, pg_url: str, tmp_path: Path) -> None:
    dump = tmp_path / "chaindb.dump"
    subprocess.run([admin.pg_tool("pg_dump"), "-Fc", "-f", str(dump), db_url], check=True)
    restored = admin.create_database(pg_url, "chaindb_test_restored")
    try:
        result = subprocess.run(
            [admin.pg_tool("pg_restore"), "--exit-on-error", "--dbname", restored, str(dump)],
            capture_output=True, text=True, check=False,
        )
        assert result.returncode == 0, result.stderr
        assert indexes(restored) == indexes(db_url)
        assert any(name == "idx_stores_location" for _, name, _ in indexes(restored))
    finally:
        admin.drop_database(pg_url, "chaindb_test_restored")


@pytest.mark.parametrize("schema", admin.snapshot_names())
def test_schema_snapshot_matches_the_migrations(template_url: str, schema: str) -> None:
    path = admin.snapshot_path(schema)
    assert path.exists(), f"{path.name} missing: run `make schema`"
    assert path.read_text() == admin.snapshot_text(template_url, schema), f"{path.name} drifted: run `make schema`"


def test_migrations_run_as_the_owner_not_the_session_user() -> None:
    url = admin.yoyo_url("postgresql://u@h:1/db?sslmode=disable")
    assert url.startswith("postgresql+psycopg://u@h:1/db?")
    assert "sslmode=disable" in url
    assert "role%3Dchaindb_owner" in url
