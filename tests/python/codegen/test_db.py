"""chaindb.db: URL handling, roles, pools (sync and async)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from urllib.parse import urlencode

import psycopg
import pytest
from psycopg import sql

from chaindb import db


@pytest.fixture
def role(codegen_db_url: str) -> Iterator[str]:
    name = f"codegen_role_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(codegen_db_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(codegen_db_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def test_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    assert db.libpq_url("postgresql+psycopg://u@h:1/d?x=1") == "postgresql://u@h:1/d?x=1"
    assert db.libpq_url("postgres+psycopg2://u@h/d") == "postgresql://u@h/d"
    assert db.libpq_url("postgresql://u@h/d") == "postgresql://u@h/d"
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://env@h/d")
    assert db.database_url() == "postgresql://env@h/d"
    assert db.database_url("postgresql://given@h/d") == "postgresql://given@h/d"
    monkeypatch.delenv("DATABASE_URL")
    assert db.database_url().startswith("postgresql://postgres@127.0.0.1:")


def test_connect_role_survives_rollback(fixture_db_url: str, role: str) -> None:
    url = psycopg.conninfo.conninfo_to_dict(fixture_db_url)
    secret = urlencode({k: v for k, v in url.items() if k in ("password", "passfile")})  # the server's password
    scheme_url = f"postgresql+psycopg://{url['user']}@{url['host']}:{url['port']}/{url['dbname']}?{secret}"
    with db.connect(scheme_url, role=role) as conn:
        assert conn.autocommit is False
        assert conn.execute("SELECT current_user").fetchone() == (role,)
        conn.rollback()
        assert conn.execute("SELECT current_user").fetchone() == (role,)
        assert conn.prepared_max == db.PREPARED_MAX
    with db.connect(fixture_db_url, autocommit=True) as conn:
        assert conn.autocommit is True
        assert conn.execute("SELECT current_user").fetchone() == ("postgres",)
    with pytest.raises(ValueError):
        db.connect(fixture_db_url, role="x; DROP TABLE y")


def test_async_connect(fixture_db_url: str, role: str) -> None:
    async def run() -> None:
        conn = await db.async_connect(fixture_db_url, role=role)
        try:
            cur = await conn.execute("SELECT current_user")
            assert await cur.fetchone() == (role,)
            await conn.rollback()
            cur = await conn.execute("SELECT current_user")
            assert await cur.fetchone() == (role,)
        finally:
            await conn.close()

    asyncio.run(run())


def test_pools(fixture_db_url: str, role: str) -> None:
    with db.pool(fixture_db_url, role=role, min_size=1, max_size=2) as p, p.connection() as conn:
        assert conn.execute("SELECT current_user").fetchone() == (role,)
        assert conn.prepared_max == db.PREPARED_MAX

    async def run() -> None:
        async with db.async_pool(fixture_db_url, role=role, min_size=1, max_size=2) as p, p.connection() as conn:
            cur = await conn.execute("SELECT current_user")
            assert await cur.fetchone() == (role,)

    asyncio.run(run())
