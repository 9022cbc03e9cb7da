"""Session-wide throwaway PostgreSQL for the test suite.

- ``pg_url``: the server. ``DATABASE_URL`` when set (a server where the test
  user may create databases and roles), else a throwaway server started with
  testing.postgresql (initdb/postgres dropped to an unprivileged user under root).
- ``template_url``: a database migrated once per session (all schemas), used as
  the template of every test's database.
- ``db_url`` / ``conn``: a fresh copy of the template for each test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import testing.postgresql

from chaindb import admin
from chaindb.embedded import as_server_user, bindir, hand_to_server_user, initdb, server_options

TEMPLATE = "chaindb_test_template"


class Postgresql(testing.postgresql.Postgresql):  # type: ignore[misc]
    """testing.postgresql with initdb and postgres run as an unprivileged user when we are root."""

    def initialize(self) -> None:
        self.settings["initdb"] = str(bindir() / "initdb")
        self.settings["postgres"] = str(bindir() / "postgres")
        super().initialize()

    def initialize_database(self) -> None:
        data = Path(self.base_dir) / "data"
        if not (data / "PG_VERSION").exists():
            hand_to_server_user(Path(self.base_dir))
            initdb(data)

    def get_server_commandline(self) -> list[str]:
        hand_to_server_user(Path(self.base_dir))
        opts = server_options(self.settings["port"], Path(self.base_dir) / "tmp", fast=True)
        return as_server_user([self.postgres, "-D", str(Path(self.base_dir) / "data"), *opts])

    def poststart(self) -> None:
        with psycopg.connect(self.url(database="postgres"), autocommit=True) as conn:
            if conn.execute("select 1 from pg_database where datname = 'test'").fetchone() is None:
                conn.execute("create database test")

    def is_server_available(self) -> bool:
        try:
            with psycopg.connect(self.url(database="template1"), connect_timeout=1):
                return True
        except psycopg.Error:
            return False


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    url = os.environ.get("DATABASE_URL")
    if url:
        yield admin.libpq_url(url)
        return
    server = Postgresql()
    try:
        yield server.url(database="postgres")
    finally:
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


@pytest.fixture
def db_url(pg_url: str, template_url: str) -> Iterator[str]:
    url = fresh_database(pg_url)
    yield url
    admin.drop_database(pg_url, url.rsplit("/", 1)[1].split("?")[0])


@pytest.fixture
def empty_db_url(pg_url: str) -> Iterator[str]:
    """A database with nothing migrated."""
    url = fresh_database(pg_url, template=None)
    yield url
    admin.drop_database(pg_url, url.rsplit("/", 1)[1].split("?")[0])


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db_url, autocommit=True) as connection:
        yield connection
