"""``make migrate`` from zero against the same files through one psql session.

Each round migrates two fresh empty databases: one with ``python -m chaindb.cli migrate`` (what
``make migrate`` runs: interpreter start, roles, yoyo), one with a single ``psql`` reading
sql/roles.sql and then every migration, in yoyo's order, each in its own transaction, as the
owner role. Values are seconds of wall time, process start included.
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


def migration_files() -> list[Path]:
    """Every migration, in the order yoyo applies them."""
    from yoyo import read_migrations
    from yoyo.migrations import topological_sort

    from chaindb import admin

    folders = [admin.migrations_dir() / "common", *(admin.migrations_dir() / s for s in admin.available_schemas())]
    return [Path(m.path) for m in topological_sort(read_migrations(*map(str, folders)))]


def psql_script(files: list[Path]) -> str:
    parts = ["\\set ON_ERROR_STOP on", "\\set QUIET on", f"\\i {ROOT / 'sql' / 'roles.sql'}", "SET ROLE chaindb_owner;"]
    for path in files:
        transactional = "-- transactional: false" not in path.read_text()
        parts += ["BEGIN;", f"\\i {path}", "COMMIT;"] if transactional else [f"\\i {path}"]
    return "\n".join(parts) + "\n"


@item(
    "migrate",
    "make migrate from zero / the same files through one psql session",
    a="python -m chaindb.cli migrate (what make migrate runs)",
    b="psql -f: roles.sql, then every migration in order, one transaction each",
    unit="s",
    goal=at_most(2.0),
    rounds=5,
    quick_rounds=1,
    note="make migrate's start-up and yoyo are issue 13's work; this suite only measures them.",
)
@contextmanager
def migrate(ctx: Context) -> Iterator[Pair]:
    serial = iter(range(1_000))
    with tempfile.NamedTemporaryFile("w", suffix=".psql", delete=False) as script:
        script.write(psql_script(migration_files()))
    try:

        def timed(argv: list[str], url: str) -> float:
            env = {**os.environ, "DATABASE_URL": url}
            started = time.perf_counter()
            subprocess.run(argv, env=env, check=True, capture_output=True, cwd=ROOT)
            seconds = time.perf_counter() - started
            ctx.drop(url)
            return seconds

        def cli() -> float:
            url = ctx.database(f"migrate_cli_{next(serial)}", migrated=False)
            return timed([sys.executable, "-m", "chaindb.cli", "migrate"], url)

        def psql() -> float:
            url = ctx.database(f"migrate_psql_{next(serial)}", migrated=False)
            return timed([ctx.tool("psql"), "-X", "-q", "-d", url, "-f", script.name], url)

        yield Pair(a=cli, b=psql)
    finally:
        os.unlink(script.name)
