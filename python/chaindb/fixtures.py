"""Deterministic fixtures: ``sql/fixtures/<schema>.sql``, loaded by ``make fixtures`` (and ``make demo``).

Each file holds one schema's fixtures with static ids, re-runnable (it leaves rows that exist alone).
They are loaded in registry order, each file in one transaction, as the owner role (as migrations
run): static ids and past timestamps are not something the application role may write, and the
rows still pass every rule of the schema (checks, initial states, declared moves, triggers).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import psycopg
from psycopg import sql

from chaindb import admin
from chaindb.embedded import project_root


def fixtures_dir() -> Path:
    return project_root() / "sql" / "fixtures"


def fixture_files(schemas: Sequence[str] | None = None) -> list[Path]:
    """The fixture files of the given schemas (default: every registry schema), in registry order."""
    wanted = admin.available_schemas() if schemas is None else [s for s in admin.SCHEMAS if s in schemas]
    return [path for s in wanted if (path := fixtures_dir() / f"{s}.sql").is_file()]


def load(url: str, schemas: Sequence[str] | None = None) -> list[Path]:
    """Loads the fixture files into the database at ``url``; returns the files loaded."""
    files = fixture_files(schemas)
    with psycopg.connect(admin.libpq_url(url), autocommit=True) as conn:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(admin.OWNER_ROLE)))
        for path in files:
            with conn.transaction():
                conn.execute(path.read_text(encoding="utf-8").encode())
    return files
