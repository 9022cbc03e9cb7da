"""Database administration: roles, migrations (yoyo), schema snapshots.

Used by the Makefile (through ``python -m chaindb.cli``) and by the tests.
Migrations (yoyo's files and bookkeeping, applied by :mod:`chaindb.migrator`) run as the
NOLOGIN owner role: the connection's session user must be a member of ``chaindb_owner`` (a
superuser is), and the runner connects with ``options=-c role=chaindb_owner`` so every object
it creates is owned by it. :func:`migrate` runs the preflight (:mod:`chaindb.checkdb`) first.
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from collections.abc import Collection, Sequence
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from chaindb import checkdb, migrator
from chaindb.db import libpq_url as libpq_url  # re-exported for the CLI and tests
from chaindb.embedded import bindir, project_root

OWNER_ROLE = migrator.OWNER_ROLE
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
    query.append(("options", migrator.SESSION_OPTIONS))
    return urlunsplit(("postgresql+psycopg", parts.netloc, parts.path, urlencode(query), ""))


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(libpq_url(url))
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


def database_name(url: str) -> str:
    """The database a URL names."""
    return str(psycopg.conninfo.conninfo_to_dict(libpq_url(url))["dbname"])


class PreflightError(RuntimeError):
    """The connecting user lacks rights to migrate; ``str()`` is check-db's report."""


def roles_script() -> bytes:
    return (project_root() / "sql" / "roles.sql").read_bytes()


def ensure_roles(url: str) -> None:
    """Create the project's roles if missing and grant the owner what it needs (idempotent)."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(roles_script())


def _sources(schemas: Sequence[str] | None) -> list[str]:
    chosen = list(schemas) if schemas else available_schemas()
    unknown = [s for s in chosen if not (migrations_dir() / s).is_dir()]
    if unknown:
        raise ValueError(f"no migrations folder for schema(s): {', '.join(unknown)}")
    return [str(migrations_dir() / "common"), *(str(migrations_dir() / s) for s in chosen)]


def migrate(url: str, schemas: Sequence[str] | None = None, *, accept_changed: bool = False,
            report: migrator.Reporter | None = None, only: Collection[str] | None = None) -> list[str]:
    """Apply every pending migration of common/ and the given schemas (all by default).

    First the preflight (``make check-db``): a missing right raises :class:`PreflightError`
    with the SQL that grants it. Then the roles set-up, when it has something to do.
    """
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        preflight = checkdb.check_connection(conn)
        if not preflight.ok:
            raise PreflightError(preflight.text())
        return migrator.migrate_on(conn, _sources(schemas), accept_changed=accept_changed, report=report, only=only,
                                   setup=roles_script() if preflight.roles_setup_needed else None)


def rollback(url: str, schemas: Sequence[str] | None = None, *, everything: bool = False,
             accept_changed: bool = False, report: migrator.Reporter | None = None) -> list[str]:
    """Roll back the last applied migration, or every one with ``everything``."""
    return migrator.rollback(url, _sources(schemas), count=None if everything else 1,
                             accept_changed=accept_changed, report=report)


def plan(schemas: Sequence[str] | None = None) -> list[migrator.Migration]:
    """The migrations of common/ and the given schemas (all by default), in apply order."""
    return migrator.read(_sources(schemas))


def status(url: str, schemas: Sequence[str] | None = None) -> list[tuple[str, bool]]:
    """(migration id, applied?) for every migration, in apply order. Reads only."""
    return [(s.id, s.applied) for s in migrator.status(url, _sources(schemas)) if s.path is not None]


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


#: The monthly partitions ``<table>_pYYYYMM`` (common.create_partitions): which months exist depends on
#: the day, not on the migrations, so schema dumps (snapshots, round trips) leave them out.
MONTHLY_PARTITIONS = "*.*_p[0-9][0-9][0-9][0-9][0-9][0-9]"


def dump_schema(url: str, schemas: Sequence[str] = ()) -> str:
    """``pg_dump --schema-only`` of the given schemas (all when empty), normalized; without the
    monthly partitions (:data:`MONTHLY_PARTITIONS`)."""
    cmd = [pg_tool("pg_dump"), "--schema-only", f"--exclude-table={MONTHLY_PARTITIONS}"]
    for schema in schemas:
        cmd += ["--schema", schema]
    cmd.append(libpq_url(url))
    result = subprocess.run(cmd, capture_output=True, text=True, check=True, env=_pg_env())
    return normalize_dump(result.stdout)


#: libpq's environment variable for each connection parameter (libpq-envars).
_LIBPQ_ENV = {
    "host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "dbname": "PGDATABASE", "user": "PGUSER",
    "password": "PGPASSWORD", "passfile": "PGPASSFILE", "options": "PGOPTIONS", "application_name": "PGAPPNAME",
    "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT", "target_session_attrs": "PGTARGETSESSIONATTRS",
}


def libpq_environment(url: str) -> dict[str, str]:
    """The process environment with the URL's connection parameters as libpq variables, for
    tools that take no URL with parameters (pg_prove splits its options on ``=``)."""
    env = {k: v for k, v in os.environ.items() if k not in _LIBPQ_ENV.values()}
    for key, value in psycopg.conninfo.conninfo_to_dict(libpq_url(url)).items():
        if key not in _LIBPQ_ENV:
            raise ValueError(f"connection parameter {key!r} has no libpq environment variable here")
        env[_LIBPQ_ENV[key]] = str(value)
    return env


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
