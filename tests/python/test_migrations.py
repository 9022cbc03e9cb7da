"""Migrations: from zero, full rollback and back, rollback files, backup/restore, snapshots."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import psycopg
import pytest

from chaindb import admin

MIGRATIONS = admin.migrations_dir()


def migration_files() -> list[Path]:
    return sorted(p for p in MIGRATIONS.glob("*/*.sql") if not p.name.endswith(".rollback.sql"))


def product_objects(url: str) -> list[tuple[str, str]]:
    """(schema, relation) of every relation, type and routine in the project's schemas."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """
            select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where n.nspname in ('common', 'extensions', 'cocopay', 'authenticity')
            union all
            select n.nspname, t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
             where n.nspname in ('common', 'extensions', 'cocopay', 'authenticity')
            union all
            select n.nspname, p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
             where n.nspname in ('common', 'extensions', 'cocopay', 'authenticity')
            union all
            select nspname, '' from pg_namespace where nspname in ('common', 'extensions', 'cocopay', 'authenticity')
            """
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


@pytest.mark.parametrize("schema", admin.available_schemas())
def test_schema_snapshot_matches_the_migrations(template_url: str, schema: str) -> None:
    path = admin.snapshot_path(schema)
    assert path.exists(), f"{path.name} missing: run `make schema`"
    assert path.read_text() == admin.snapshot_text(template_url, schema), f"{path.name} drifted: run `make schema`"


def test_migrations_run_as_the_owner_not_the_session_user() -> None:
    url = admin.yoyo_url("postgresql://u@h:1/db?sslmode=disable")
    assert url.startswith("postgresql+psycopg://u@h:1/db?")
    assert "sslmode=disable" in url
    assert "role%3Dchaindb_owner" in url
