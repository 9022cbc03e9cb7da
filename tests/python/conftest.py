"""Session-wide throwaway PostgreSQL for the test suite.

- ``pg_url``: the server. ``DATABASE_URL`` when set (a server where the test
  user may create databases and roles), else a throwaway server started with
  testing.postgresql (``chaindb.embedded.throwaway``: initdb/postgres dropped to an
  unprivileged user under root).
- ``template_url``: a database migrated once per session (all schemas), used as
  the template of every test's database.
- ``db_url`` / ``conn``: a fresh copy of the template for each test; ``conn`` is the superuser, for
  set-up and checks.
- ``app`` / ``readonly``: the same database as ``chaindb_app`` (the role applications log in as, so
  every test through it also proves the app's grants suffice) and as ``chaindb_readonly``. The role
  names are ``chaindb.admin.APP_ROLE`` / ``READONLY_ROLE`` / ``OWNER_ROLE`` (test modules import them
  from there: with ``--import-mode=importlib`` they import nothing from a conftest).
- ``clock``: the database's clock (``common.now()``) of the test's database, moved as the
  superuser (``common.freeze_clock`` / ``common.set_clock_offset``); the app role cannot.
"""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from chaindb import admin, coverage, db
from chaindb.embedded import throwaway

TEMPLATE = "chaindb_test_template"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    url = os.environ.get("DATABASE_URL")
    if url:
        yield admin.libpq_url(url)
        return
    server = throwaway()
    collect = coverage.out_dir()  # make test / make coverage: count what the tests execute (chaindb.coverage)
    try:
        if collect:
            coverage.prepare_server(server.url(database="postgres"))
        yield server.url(database="postgres")
    finally:
        if collect:
            coverage.save_log(coverage.server_log(server.url(database="postgres")), collect, "pytest")
        server.stop()


@pytest.fixture(scope="session")
def template_url(pg_url: str) -> Iterator[str]:
    url = admin.create_database(pg_url, TEMPLATE)
    admin.migrate(url)
    yield url
    admin.drop_database(pg_url, TEMPLATE)


def fresh_database(pg_url: str, template: str | None = TEMPLATE) -> str:
    name = f"chaindb_test_{uuid.uuid4().hex[:12]}"
    return admin.create_database(pg_url, name, template=template)


@pytest.fixture(scope="session")
def coverage_probe(template_url: str) -> tuple[Path, str] | None:
    """make test / make coverage: where to record what each test executes, and the CHECK snapshot query."""
    if (collect := coverage.out_dir()) is None:
        return None
    coverage.save_catalog(template_url, collect, ["common", *admin.available_schemas()])
    with psycopg.connect(template_url) as conn:
        return collect, coverage.snapshot_sql(conn)


@pytest.fixture
def db_url(pg_url: str, template_url: str, coverage_probe: tuple[Path, str] | None) -> Iterator[str]:
    url = fresh_database(pg_url)
    yield url
    if coverage_probe is not None:
        calls, accepted = coverage.collect(url, snapshot=coverage_probe[1])
        coverage.save_functions(coverage_probe[0], "pytest", calls)
        coverage.save_accepted(coverage_probe[0], "pytest", accepted)
    admin.drop_database(pg_url, admin.database_name(url))


@pytest.fixture(scope="module")
def module_db_url(pg_url: str, template_url: str) -> Iterator[str]:
    """A fresh copy of the template shared by the tests of one module (read-mostly modules)."""
    url = fresh_database(pg_url)
    yield url
    admin.drop_database(pg_url, admin.database_name(url))


@pytest.fixture
def empty_db_url(pg_url: str) -> Iterator[str]:
    """A database with nothing migrated."""
    url = fresh_database(pg_url, template=None)
    yield url
    admin.drop_database(pg_url, admin.database_name(url))


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db_url, autocommit=True) as connection:
        yield connection


@pytest.fixture
def app(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    with db.connect(db_url, role=admin.APP_ROLE, autocommit=True) as connection:
        yield connection


@pytest.fixture
def readonly(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    with db.connect(db_url, role=admin.READONLY_ROLE, autocommit=True) as connection:
        yield connection


class Clock:
    """The database's clock of one database: ``freeze(at)`` stops ``common.now()`` at an instant,
    ``offset(by)`` runs it ahead (or behind) the server clock, ``now()`` reads it."""

    def __init__(self, connection: psycopg.Connection) -> None:
        self.connection = connection

    def freeze(self, at: datetime.datetime) -> datetime.datetime:
        return self._one("select common.freeze_clock(%s)", (at,))

    def offset(self, by: datetime.timedelta) -> datetime.datetime:
        return self._one("select common.set_clock_offset(%s)", (by,))

    def now(self) -> datetime.datetime:
        return self._one("select common.now()", ())

    def _one(self, query: str, params: tuple[object, ...]) -> datetime.datetime:
        row = self.connection.execute(query, params).fetchone()
        assert row is not None
        return row[0]


@pytest.fixture
def clock(db_url: str) -> Iterator[Clock]:
    with psycopg.connect(db_url, autocommit=True) as connection:
        yield Clock(connection)
