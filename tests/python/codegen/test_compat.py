"""make verify-compat: old queries prepared against new migrations (chaindb.codegen.compat).

The comparison is driven directly with two databases (an old and a new schema) and one set of old queries; the
git side runs on a small repository made here (two commits, a shallow clone of it, a one-commit history).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from chaindb import admin
from chaindb.codegen import compat

ROOT = Path(__file__).resolve().parents[3]

OLD = """
CREATE SCHEMA cgcompat;
CREATE TYPE cgcompat.kind AS ENUM ('a', 'b');
CREATE TABLE cgcompat.items (
    id integer PRIMARY KEY,
    name text NOT NULL,
    note text NOT NULL,
    price numeric NOT NULL,
    flag boolean NOT NULL,
    kind cgcompat.kind NOT NULL
);
CREATE FUNCTION cgcompat.price_of(p_id integer) RETURNS numeric LANGUAGE sql STABLE
AS $$ SELECT price FROM cgcompat.items WHERE id = p_id $$;
"""

# what a later release's migrations make of it
NEW = """
CREATE SCHEMA cgcompat;
CREATE TYPE cgcompat.kind AS ENUM ('a', 'b', 'c');
CREATE TABLE cgcompat.items (
    id integer PRIMARY KEY,
    title text NOT NULL,
    price bigint NOT NULL,
    flag boolean,
    kind cgcompat.kind NOT NULL,
    added text
);
CREATE FUNCTION cgcompat.price_of(p_id bigint) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT price FROM cgcompat.items WHERE id = p_id $$;
"""

QUERIES = """\
-- name: item_note(id)$
-- A column the new migrations drop.
SELECT i.note
FROM cgcompat.items AS i
WHERE i.id = :id::integer;

-- name: item_by_name(name)^
-- A column the new migrations rename.
SELECT i.id FROM cgcompat.items AS i
WHERE i.name = :name::text;

-- name: item_all()
SELECT i.* FROM cgcompat.items AS i ORDER BY i.id;

-- name: item_price(id)$
-- A result type that changed.
SELECT i.price FROM cgcompat.items AS i WHERE i.id = :id::integer;

-- name: item_flag(id)$
-- @one
SELECT i.flag FROM cgcompat.items AS i WHERE i.id = :id::integer;

-- name: item_kind(id)$
SELECT i.kind FROM cgcompat.items AS i WHERE i.id = :id::integer;

-- name: item_price_of(id)$
SELECT cgcompat.price_of(:id) AS price;

-- name: item_ids()
-- Unchanged: still fine.
SELECT i.id FROM cgcompat.items AS i ORDER BY i.id;
"""


@pytest.fixture
def two_databases(pg_url: str) -> Iterator[tuple[str, str]]:
    urls = []
    for name, script in (("codegen_compat_old", OLD), ("codegen_compat_new", NEW)):
        admin.create_database(pg_url, name)
        url = make_conninfo(pg_url, dbname=name)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(script)  # type: ignore[arg-type]
        urls.append(url)
    try:
        yield urls[0], urls[1]
    finally:
        for name in ("codegen_compat_old", "codegen_compat_new"):
            admin.drop_database(pg_url, name)


def test_breaks_are_reported_with_file_and_line(two_databases: tuple[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "queries" / "cgcompat"
    folder.mkdir(parents=True)
    (folder / "items.sql").write_text(QUERIES)
    old, new = two_databases
    report = compat.compare(old, new, tmp_path / "queries", ["cgcompat"], ref="v1",
                            accepted={"cgcompat.item_price": "prices are whole cents from v2 on"})
    assert report.text().splitlines() == [
        # a dropped column: the line of the SQL that names it
        "queries/cgcompat/items.sql:3: item_note: no longer prepares: column i.note does not exist",
        # a renamed column used by an old query
        "queries/cgcompat/items.sql:10: item_by_name: no longer prepares: column i.name does not exist",
        # ... and behind a star (the query's name line)
        "queries/cgcompat/items.sql:12: item_all: result column 2 was name, is now title",
        "queries/cgcompat/items.sql:12: item_all: result column 3 was note, is now price",
        "queries/cgcompat/items.sql:12: item_all: result column 4 was price, is now flag",
        "queries/cgcompat/items.sql:12: item_all: result column 5 was flag, is now kind",
        "queries/cgcompat/items.sql:12: item_all: result column 6 was kind, is now added",
        "queries/cgcompat/items.sql:12: item_all: enum cgcompat.kind gained c: the old code cannot read them",
        # a changed result type (accepted: reported, not failing)
        "queries/cgcompat/items.sql:15: item_price: result column price was numeric, is now int8"
        "  (accepted: prices are whole cents from v2 on)",
        "queries/cgcompat/items.sql:19: item_flag: result column flag may now be NULL (the old code's type says it"
        " never is)",
        "queries/cgcompat/items.sql:23: item_kind: enum cgcompat.kind gained c: the old code cannot read them",
        "queries/cgcompat/items.sql:26: item_price_of: parameter id was int4, is now int8",
        "queries/cgcompat/items.sql:26: item_price_of: result column price was numeric, is now int8",
        "verify-compat: 8 queries of v1 against the working tree's migrations: 12 break(s), 1 accepted",
    ]
    assert report.failed
    same = compat.compare(old, old, tmp_path / "queries", ["cgcompat"])
    assert same.breaks == [] and not same.failed and same.checked == 8


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        capture_output=True, text=True, check=True,
    )
    return result.stdout


def _project(repo: Path) -> None:
    """A tiny project: a registry, one schema, its migrations and one query file; committed."""
    (repo / "migrations" / "common").mkdir(parents=True)
    (repo / "migrations" / "cgx").mkdir()
    (repo / "queries" / "cgx").mkdir(parents=True)
    (repo / "pyproject.toml").write_text('[tool.chaindb]\nschemas = ["cgx"]\n')
    (repo / "migrations" / "common" / "0001_cgxcommon_schema.sql").write_text("CREATE SCHEMA cgx;\n")
    (repo / "migrations" / "cgx" / "0001_cgx_items.sql").write_text(
        "-- depends: 0001_cgxcommon_schema\n"
        "CREATE TABLE cgx.items (id integer PRIMARY KEY, label text NOT NULL);\n"
    )
    (repo / "queries" / "cgx" / "items.sql").write_text(
        "-- name: item_label(id)$\n-- The label.\nSELECT i.label\nFROM cgx.items AS i WHERE i.id = :id::integer;\n"
    )
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "one")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_ref_of_a_git_history_against_the_working_tree(pg_url: str, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _project(repo)
    assert compat.ref_unavailable(repo, "HEAD~1") == "no commit HEAD~1 (a single-commit history has no HEAD~1)"
    # the next release renames the column (a new migration) and its query follows
    (repo / "migrations" / "cgx" / "0002_cgx_rename.sql").write_text(
        "-- depends: 0001_cgx_items\nALTER TABLE cgx.items RENAME COLUMN label TO title;\n"
    )
    (repo / "queries" / "cgx" / "items.sql").write_text(
        "-- name: item_label(id)$\n-- The label.\nSELECT i.title\nFROM cgx.items AS i WHERE i.id = :id::integer;\n"
    )
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "two")
    # uncommitted, the working tree goes further: its migrations are what the check applies
    (repo / "migrations" / "cgx" / "0003_cgx_more.sql").write_text(
        "-- depends: 0002_cgx_rename\nALTER TABLE cgx.items ADD COLUMN extra text;\n"
    )
    before = _git(repo, "status", "--porcelain")
    sources = compat.migration_sources(repo)
    assert sources == [repo / "migrations" / "common", repo / "migrations" / "cgx"]
    report = compat.verify(repo, "HEAD~1", sources, pg_url, roles=admin.roles_script())
    assert [str(b) for b in report.breaks] == [
        "queries/cgx/items.sql:3: item_label: no longer prepares: column i.label does not exist"
    ]
    assert report.failed
    assert compat.verify(repo, "HEAD", sources, pg_url, roles=admin.roles_script()).breaks == []
    assert _git(repo, "status", "--porcelain") == before  # the working tree was not touched

    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True)
    why = compat.ref_unavailable(shallow, "HEAD~1")
    assert why is not None and "shallow clone" in why
    assert compat.ref_unavailable(tmp_path, "HEAD") == "not a git checkout"


def test_make_test_skips_what_is_not_there() -> None:
    """In `make test` (--if-available), a ref that is not there is a skip that says why, not a failure."""
    result = subprocess.run(
        [sys.executable, "-m", "chaindb.cli", "verify-compat", "--throwaway", "--if-available",
         "--ref", "no-such-ref-anywhere"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("verify-compat: skipped: no commit no-such-ref-anywhere")
