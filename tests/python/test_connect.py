"""chaindb.connect / chaindb.pool at the package's top level, from DATABASE_URL."""

from __future__ import annotations

import asyncio

import pytest

import chaindb
from chaindb import admin


def test_connect_and_pool_use_database_url(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url.replace("postgresql://", "postgresql+psycopg://"))
    with chaindb.connect(role="chaindb_app") as conn:
        row = conn.execute("select current_database(), current_user").fetchone()
    assert row == (admin.database_name(db_url), "chaindb_app")
    with chaindb.pool(min_size=1, max_size=2) as pool, pool.connection() as conn:
        assert conn.execute("select 1").fetchone() == (1,)

    async def run() -> tuple[object, ...] | None:
        async with await chaindb.async_connect(role="chaindb_readonly") as aconn:
            cur = await aconn.execute("select current_user")
            return await cur.fetchone()

    assert asyncio.run(run()) == ("chaindb_readonly",)
