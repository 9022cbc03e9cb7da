"""Database administration: roles, migrations (yoyo), schema snapshots.

Used by the Makefile (through ``python -m chaindb.cli``) and by the tests.
Migrations run as the NOLOGIN owner role: the connection's session user must be
a member of ``chaindb_owner`` (a superuser is), and yoyo connects with
``options=-c role=chaindb_owner`` so every object it creates is owned by it.
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from chaindb.db import libpq_url as libpq_url  # re-exported for the CLI and tests
from chaindb.embedded import bindir, project_root

OWNER_ROLE = "chaindb_owner"
APP_ROLE = "chaindb_app"
READONLY_ROLE = "chaindb_readonly"


def registered_schemas() -> tuple[str, ...]:
    """The schema registry: ``[tool.chaindb] schemas`` in pyproject.toml, in apply order."""
    with (project_root() / "pyproject.toml").open("rb") as f:
        return tuple(tomllib.load(f)["tool"]["chaindb"]["schemas"])


#: Product schemas in the order their migrations apply (the registry); each also needs migrations/common.
SCHEMAS: tuple[str, ...] = registered_schemas()


def migrations_dir() -> Path:
    return project_root() / "migrations"


def available_schemas() -> list[str]:
    """The product schemas that have a migrations folder, in SCHEMAS order."""
    return [s for s in SCHEMAS if (migrations_dir() / s).is_dir()]


def yoyo_url(url: str) -> str:
    """The yoyo URL for psycopg 3, connecting as the owner role."""
    parts = urlsplit(libpq_url(url))
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    # Every migration runs as the owner, and waits at most so long for a lock or a statement.
    query.append(("options", f"-c role={OWNER_ROLE} -c lock_timeout=10s -c statement_timeout=15min"))
    return urlunsplit(("postgresql+psycopg", parts.netloc, parts.path, urlencode(query), ""))


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(libpq_url(url))
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


def ensure_roles(url: str) -> None:
    """Create the project's roles if missing and grant the owner what it needs (idempotent)."""
    script = (project_root() / "sql" / "roles.sql").read_text()
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(script.encode())


def _sources(schemas: Sequence[str] | None) -> list[str]:
    chosen = list(schemas) if schemas else available_schemas()
    unknown = [s for s in chosen if not (migrations_dir() / s).is_dir()]
    if unknown:
        raise ValueError(f"no migrations folder for schema(s): {', '.join(unknown)}")
    return [str(migrations_dir() / "common"), *(str(migrations_dir() / s) for s in chosen)]


@contextmanager
def _backend(url: str) -> Iterator[Any]:
    from yoyo import get_backend

    backend = get_backend(yoyo_url(url))
    try:
        with backend.lock():
            yield backend
    finally:
        backend.connection.close()


def migrate(url: str, schemas: Sequence[str] | None = None) -> list[str]:
    """Apply every pending migration of common/ and the given schemas (all by default)."""
    from yoyo import read_migrations

    ensure_roles(url)
    migrations = read_migrations(*_sources(schemas))
    with _backend(url) as backend:
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
        return [m.id for m in pending]


def rollback(url: str, schemas: Sequence[str] | None = None, *, everything: bool = False) -> list[str]:
    """Roll back the last applied migration, or every one with ``everything``."""
    from yoyo import read_migrations

    migrations = read_migrations(*_sources(schemas))
    with _backend(url) as backend:
        applied = backend.to_rollback(migrations)
        chosen = applied if everything else applied[:1]
        backend.rollback_migrations(chosen)
        return [m.id for m in chosen]


def plan(schemas: Sequence[str] | None = None) -> list[Any]:
    """The yoyo migrations of common/ and the given schemas (all by default), in apply order."""
    from yoyo import read_migrations
    from yoyo.migrations import topological_sort

    return list(topological_sort(read_migrations(*_sources(schemas))))


def status(url: str, schemas: Sequence[str] | None = None) -> list[tuple[str, bool]]:
    """(migration id, applied?) for every migration, in apply order."""
    from yoyo import read_migrations
    from yoyo.migrations import topological_sort

    ensure_roles(url)
    migrations = read_migrations(*_sources(schemas))
    with _backend(url) as backend:
        applied = backend.get_applied_migration_hashes()
        return [(m.id, m.hash in applied) for m in topological_sort(migrations)]


def create_database(url: str, name: str, template: str | None = None) -> str:
    """(Re)create database ``name`` on the server of ``url``; returns its URL."""
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        if template:
            conn.execute(
                sql.SQL("create database {} template {}").format(sql.Identifier(name), sql.Identifier(template))
            )
        else:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    return with_database(url, name)


def drop_database(url: str, name: str) -> None:
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def pg_tool(name: str) -> str:
    """Path of a PostgreSQL client tool of the same version as the server binaries."""
    return str(bindir() / name)


_DUMP_NOISE = re.compile(r"^(\\restrict|\\unrestrict|-- Dumped (from|by) ).*$", re.M)


def normalize_dump(text: str) -> str:
    """Drop the lines of a pg_dump that change from run to run (``\\restrict`` keys, versions)."""
    text = _DUMP_NOISE.sub("", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def dump_schema(url: str, schemas: Sequence[str] = ()) -> str:
    """``pg_dump --schema-only`` of the given schemas (all when empty), normalized."""
    cmd = [pg_tool("pg_dump"), "--schema-only"]
    for schema in schemas:
        cmd += ["--schema", schema]
    cmd.append(libpq_url(url))
    result = subprocess.run(cmd, capture_output=True, text=True, check=True, env=_pg_env())
    return normalize_dump(result.stdout)


def _pg_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PGOPTIONS", None)
    return env


#: The snapshots ``sql/<name>.sql``: ``common`` holds the shared schemas, then one per product schema.
SHARED_SCHEMAS = ("extensions", "common")


def snapshot_names() -> list[str]:
    return ["common", *available_schemas()]


def snapshot_path(schema: str) -> Path:
    return project_root() / "sql" / f"{schema}.sql"


def snapshot_text(url: str, schema: str) -> str:
    """The committed form of ``sql/<schema>.sql``: a header and the normalized dump."""
    dumped = SHARED_SCHEMAS if schema == "common" else (schema,)
    source = "migrations/common" if schema == "common" else f"migrations/common and migrations/{schema}"
    header = (
        f"-- Generated by `make schema` from {source}: do not edit.\n"
        f"-- pg_dump --schema-only {' '.join('--schema ' + s for s in dumped)}, normalized "
        "(version and \\restrict lines removed).\n"
    )
    return header + dump_schema(url, dumped)
