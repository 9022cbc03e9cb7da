"""The generated functions keep one idle cursor per statement and connection (chaindb.codegen.runtime).

A cursor is reused by the next call of its statement on its connection, never by two calls at
once: threads and tasks sharing a connection each get their own rows.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import uuid
import weakref
from types import ModuleType
from typing import Any

import psycopg
import pytest

from chaindb import errors
from chaindb.codegen import runtime

IDLE = "_chaindb_idle_cursors"


def new_store(q: ModuleType, conn: psycopg.Connection[Any], name: str) -> Any:
    return q.store_insert(conn, name=name, phone=None, settings=None, secret_hash=None, last_ip=None)


def idle(conn: psycopg.Connection[Any] | psycopg.AsyncConnection[Any]) -> dict[Any, Any]:
    return conn.__dict__.get(IDLE, {})


def test_a_statement_reuses_its_cursor_on_its_connection(q: ModuleType, cg_conn: psycopg.Connection[Any],
                                                         fixture_db_url: str) -> None:
    store = new_store(q, cg_conn, "Reused")
    assert q.store_get(cg_conn, id=store.id) == store
    cursor = idle(cg_conn)[q.stores.STORE_GET]
    assert q.store_get(cg_conn, id=store.id) == store
    assert q.store_get(cg_conn, id=uuid.uuid4()) is None
    assert idle(cg_conn)[q.stores.STORE_GET] is cursor
    assert q.store_count(cg_conn) == 1  # another statement, another cursor
    assert idle(cg_conn)[q.stores.STORE_COUNT] is not cursor
    with psycopg.connect(fixture_db_url, autocommit=True) as other:
        assert q.store_get(other, id=store.id) == store
        assert idle(other)[q.stores.STORE_GET] is not cursor
        assert idle(other)[q.stores.STORE_GET].connection is other


def test_a_failed_call_drops_its_cursor(q: ModuleType, cg_conn: psycopg.Connection[Any]) -> None:
    new_store(q, cg_conn, "First")
    cursor = idle(cg_conn)[q.stores.STORE_INSERT]
    with pytest.raises(errors.CheckViolation):
        new_store(q, cg_conn, "")
    assert q.stores.STORE_INSERT not in idle(cg_conn)
    second = new_store(q, cg_conn, "Second")
    assert second.name == "Second" and idle(cg_conn)[q.stores.STORE_INSERT] is not cursor


def test_a_large_result_is_not_kept(q: ModuleType, cg_conn: psycopg.Connection[Any],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "KEEP_ROWS", 1)
    new_store(q, cg_conn, "One")
    assert len(q.store_list(cg_conn, status=q.StoreStatus.PENDING)) == 1
    assert q.stores.STORE_LIST in idle(cg_conn)
    new_store(q, cg_conn, "Two")
    assert len(q.store_list(cg_conn, status=q.StoreStatus.PENDING)) == 2
    assert q.stores.STORE_LIST not in idle(cg_conn)  # it would hold both rows until its next call


def test_threads_sharing_a_connection_get_their_own_rows(q: ModuleType, cg_conn: psycopg.Connection[Any]) -> None:
    stores = [new_store(q, cg_conn, f"Store {i}") for i in range(8)]
    wrong: list[str] = []
    start = threading.Barrier(len(stores))

    def reader(store: Any) -> None:
        start.wait()
        for _ in range(150):
            try:
                got = q.store_get(cg_conn, id=store.id)
            except Exception as exc:  # any failure is reported by the assertion below
                got = exc
            if got != store:
                wrong.append(f"{store.name}: {got!r}")

    threads = [threading.Thread(target=reader, args=(s,)) for s in stores]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch between any two steps of a call: a shared cursor would show
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert wrong == []


def test_tasks_sharing_an_async_connection_get_their_own_rows(q: ModuleType, fixture_db_url: str) -> None:
    async def run() -> None:
        async with await psycopg.AsyncConnection.connect(fixture_db_url, autocommit=True) as conn:
            stores = [
                await q.store_insert_async(conn, name=f"Async {i}", phone=None, settings=None, secret_hash=None,
                                           last_ip=None)
                for i in range(16)
            ]

            async def reader(store: Any) -> list[Any]:
                return [await q.store_get_async(conn, id=store.id) for _ in range(20)]

            results = await asyncio.gather(*(reader(s) for s in stores))
            assert all(rows == [s] * 20 for s, rows in zip(stores, results, strict=True))
            assert isinstance(idle(conn)[q.stores.STORE_GET], psycopg.AsyncCursor)
            async with conn.pipeline():  # a task waits between its execute and its fetch: others run then
                results = await asyncio.gather(*(reader(s) for s in stores))
            assert all(rows == [s] * 20 for s, rows in zip(stores, results, strict=True))

    asyncio.run(run())


def test_a_closed_connection_fails_as_before(q: ModuleType, fixture_db_url: str) -> None:
    used = psycopg.connect(fixture_db_url, autocommit=True)
    store = new_store(q, used, "Closed")
    assert q.store_get(used, id=store.id) == store  # an idle cursor is kept
    fresh = psycopg.connect(fixture_db_url, autocommit=True)  # none
    used.close()
    fresh.close()
    failures = []
    for conn in (used, fresh):
        with pytest.raises(errors.ChainDBError) as failure:
            q.store_get(conn, id=store.id)
        failures.append((type(failure.value), str(failure.value)))
    assert failures[0] == failures[1]


def test_a_dropped_connection_is_freed_with_its_cursors(q: ModuleType, fixture_db_url: str) -> None:
    conn = psycopg.connect(fixture_db_url, autocommit=True)
    assert q.store_count(conn) == 0
    alive = weakref.ref(conn)
    conn.close()
    del conn
    gc.collect()
    assert alive() is None
