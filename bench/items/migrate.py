"""``make migrate`` from zero against the same files through one psql session.

Each round migrates fresh empty databases: one with ``python -m chaindb.cli migrate`` (what
``make migrate`` runs: interpreter start, imports, check-db, roles, every migration with its
bookkeeping), one with a single ``psql`` reading sql/roles.sql and then every migration, in
yoyo's order, each in its own transaction, as the owner role. Two more sides split A's time:
the same runner called in this process (``admin.migrate``: A without the interpreter's start and
imports), and A again on a database with nothing pending (the tool's fixed cost). Values are
seconds of wall time, process start included.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.harness import ROOT, Context, Pair, at_most, item
from chaindb import admin


def migration_files() -> list[Path]:
    """Every migration, in the order yoyo applies them."""
    from yoyo import read_migrations
    from yoyo.migrations import topological_sort

    folders = [admin.migrations_dir() / "common", *(admin.migrations_dir() / s for s in admin.available_schemas())]
    return [Path(m.path) for m in topological_sort(read_migrations(*map(str, folders)))]


def psql_script(files: list[Path]) -> str:
    parts = ["\\set ON_ERROR_STOP on", "\\set QUIET on", f"\\i {ROOT / 'sql' / 'roles.sql'}", "SET ROLE chaindb_owner;"]
    for path in files:
        transactional = "-- transactional: false" not in path.read_text()
        parts += ["BEGIN;", f"\\i {path}", "COMMIT;"] if transactional else [f"\\i {path}"]
    return "\n".join(parts) + "\n"


NOTE = (
    "A is B plus a fixed cost: the interpreter's start and imports (nothing_pending: ~0.25 s on a quiet 2-core "
    "machine, of which importing psycopg ~0.17 s), while the runner's own work is about psql's (in_process); "
    "the more migrations, the nearer 1."
)


@item(
    "migrate",
    "make migrate from zero / the same files through one psql session",
    a="python -m chaindb.cli migrate (what make migrate runs)",
    b="psql -f: roles.sql, then every migration in order, one transaction each",
    unit="s",
    goal=at_most(2.0),
    rounds=7,
    quick_rounds=1,
    extra={
        "in_process": "chaindb.admin.migrate(url) in the bench's process: the same runner and server work, "
        "without the interpreter's start and imports",
        "nothing_pending": "python -m chaindb.cli migrate on a database already migrated: the tool's fixed cost",
    },
    note=NOTE,
)
@contextmanager
def migrate(ctx: Context) -> Iterator[Pair]:
    serial = iter(range(1_000))
    with tempfile.NamedTemporaryFile("w", suffix=".psql", delete=False) as script:
        script.write(psql_script(migration_files()))
    try:

        def timed(argv: list[str], url: str, *, drop: bool = True) -> float:
            env = {**os.environ, "DATABASE_URL": url}
            started = time.perf_counter()
            subprocess.run(argv, env=env, check=True, capture_output=True, cwd=ROOT)
            seconds = time.perf_counter() - started
            if drop:
                ctx.drop(url)
            return seconds

        def cli() -> float:
            url = ctx.database(f"migrate_cli_{next(serial)}", migrated=False)
            return timed([sys.executable, "-m", "chaindb.cli", "migrate"], url)

        def psql() -> float:
            url = ctx.database(f"migrate_psql_{next(serial)}", migrated=False)
            return timed([ctx.tool("psql"), "-X", "-q", "-d", url, "-f", script.name], url)

        def in_process() -> float:
            url = ctx.database(f"migrate_in_process_{next(serial)}", migrated=False)
            started = time.perf_counter()
            admin.migrate(url)
            seconds = time.perf_counter() - started
            ctx.drop(url)
            return seconds

        migrated = ctx.database("migrate_nothing_pending")

        def nothing_pending() -> float:
            return timed([sys.executable, "-m", "chaindb.cli", "migrate"], migrated, drop=False)

        yield Pair(a=cli, b=psql, extra={"in_process": in_process, "nothing_pending": nothing_pending})
    finally:
        os.unlink(script.name)
