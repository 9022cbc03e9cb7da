"""Fixtures for the generator's tests: a server, a fixture-schema database, a generated module.

``codegen_db_url`` is the suite's server URL (``DATABASE_URL`` or the session's throwaway server). Every database
made here is named ``codegen_*`` and dropped at the end.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import ModuleType

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from chaindb import admin
from chaindb.codegen.generate import main as codegen_main

FIXTURES = Path(__file__).parent / "fixtures"
QUERIES = FIXTURES / "queries"
SCHEMA = "cgshop"


@pytest.fixture(scope="session")
def codegen_db_url(pg_url: str) -> str:
    """The suite's server (tests/python/conftest.py: DATABASE_URL or a throwaway one)."""
    return pg_url


def with_dbname(url: str, name: str) -> str:
    return make_conninfo(url, dbname=name)


def create_database(server_url: str, template: str | None = None) -> str:
    name = f"codegen_{uuid.uuid4().hex[:12]}"
    admin.create_database(server_url, name, template=template)
    return name


def drop_database(server_url: str, name: str) -> None:
    assert name.startswith("codegen_")
    admin.drop_database(server_url, name)


@pytest.fixture(scope="session")
def template_db(codegen_db_url: str) -> Iterator[str]:
    """A database holding the fixture schema (name), used as a template."""
    name = create_database(codegen_db_url)
    try:
        with psycopg.connect(with_dbname(codegen_db_url, name), autocommit=True) as conn:
            conn.execute((FIXTURES / "schema.sql").read_text(encoding="utf-8"))
        yield name
    finally:
        drop_database(codegen_db_url, name)


@pytest.fixture
def fixture_db_url(codegen_db_url: str, template_db: str) -> Iterator[str]:
    """A fresh copy of the fixture database for one test."""
    name = create_database(codegen_db_url, template=template_db)
    try:
        yield with_dbname(codegen_db_url, name)
    finally:
        drop_database(codegen_db_url, name)


@pytest.fixture(scope="session")
def generated_dir(codegen_db_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the generated ``cgshop`` package (``cgshop/queries/``)."""
    out = tmp_path_factory.mktemp("codegen_out")
    # the schema's hand-written types (@json), as python/chaindb/<schema>/types.py is to a product
    shutil.copytree(FIXTURES / "package" / SCHEMA, out / SCHEMA)
    rc = codegen_main(
        [
            "--database-url", with_dbname(codegen_db_url, template_db),
            "--schema", SCHEMA,
            "--queries-dir", str(QUERIES),
            "--out-dir", str(out),
        ]
    )
    assert rc == 0
    return out


@contextmanager
def importing(root: Path, name: str) -> Iterator[ModuleType]:
    """Import ``name`` from the folder ``root``; afterwards forget the folder and the package."""
    sys.path.insert(0, str(root))
    top = name.split(".")[0]
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(root))
        for module in [m for m in sys.modules if m == top or m.startswith(top + ".")]:
            del sys.modules[module]


@pytest.fixture(scope="session")
def import_from() -> Callable[[Path, str], AbstractContextManager[ModuleType]]:
    """``with import_from(folder, "pkg.queries") as q: ...`` (see ``importing``)."""
    return importing


@pytest.fixture(scope="session")
def q(generated_dir: Path) -> Iterator[ModuleType]:
    """The generated ``cgshop.queries`` package, imported."""
    with importing(generated_dir, f"{SCHEMA}.queries") as package:
        yield package


@pytest.fixture
def cg_conn(fixture_db_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(fixture_db_url, autocommit=True) as connection:
        yield connection
