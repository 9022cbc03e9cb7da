"""Read replicas, against a real streaming standby: a second server made with ``pg_basebackup -R`` from
a primary of its own (both throwaway, on 127.0.0.1), replaying each commit LAG late
(``recovery_min_apply_delay``), so that a read on the standby right after a write is stale unless it
waits. Proves the routing (writes and @primary reads never on a replica, reads there only when asked),
the standby's refusal of writes, and read-your-writes (wait for the token, else the primary)."""

from __future__ import annotations

import asyncio
import importlib
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from chaindb import admin, db, errors, replicas
from chaindb.cocopay import queries as q
from chaindb.cocopay.queries import feature_flags, transactions
from chaindb.codegen import runtime
from chaindb.embedded import throwaway
from chaindb.standby import Standby

#: How late the standby applies each commit.
LAG = 1.5


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str]]:
    """(primary URL, standby URL) of the database ``chaindb`` (common and cocopay migrated)."""
    primary = throwaway()
    standby = Standby(Path(primary.base_dir) / "standby")
    try:
        url = admin.create_database(primary.url(database="postgres"), "chaindb")
        admin.migrate(url, ["cocopay"])
        standby.create(url)
        standby.start(apply_delay=f"{int(LAG * 1000)}ms", fast=True)
        yield url, standby.url("chaindb")
    finally:
        standby.stop()
        primary.stop()


@pytest.fixture
def pools(servers: tuple[str, str]) -> Iterator[replicas.ReplicatedPool]:
    primary, standby = servers
    with db.pool(primary, replicas=[standby], role=admin.APP_ROLE, autocommit=True, min_size=1, max_size=2) as p:
        yield p


def on_standby(conn: psycopg.Connection[Any] | psycopg.AsyncConnection[Any]) -> bool:
    return conn.pgconn.parameter_status(b"in_hot_standby") == b"on"


def new_flag(conn: psycopg.Connection[Any]) -> str:
    name = f"flag_{uuid.uuid4().hex[:12]}"
    q.feature_flag_upsert(conn, name=name, description=None, enabled=True, rules=[])
    return name


def test_the_standby_refuses_writes(servers: tuple[str, str]) -> None:
    _, standby = servers
    with psycopg.connect(standby, autocommit=True) as conn:
        assert on_standby(conn)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction) as refused:
            conn.execute("INSERT INTO cocopay.feature_flags (name) VALUES ('x')")
        assert isinstance(errors.translate(refused.value), errors.PrimaryRequired)


def test_reads_go_to_a_replica_only_where_asked(pools: replicas.ReplicatedPool) -> None:
    with pools.connection() as conn:
        assert not on_standby(conn), "connection() is the primary"
        name = new_flag(conn)
        assert q.feature_flag_get(conn, name=name) is not None
    with pools.read() as conn:
        assert on_standby(conn), "read() is the replica"
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        assert q.feature_flag_get(conn, name=name) is None, f"the standby is {LAG}s behind: the flag is not there yet"


def test_writes_and_primary_reads_are_refused_on_a_replica_before_they_are_sent(
    pools: replicas.ReplicatedPool,
) -> None:
    assert feature_flags.FEATURE_FLAG_UPSERT.write and transactions.TRANSACTION_GET_BY_IDEMPOTENCY_KEY.primary
    assert not transactions.TRANSACTION_GET.primary
    with pools.read() as conn:
        with pytest.raises(errors.PrimaryRequired, match="feature_flag_upsert writes: run it on a primary"):
            q.feature_flag_upsert(conn, name="never", description=None, enabled=True, rules=[])
        with pytest.raises(errors.PrimaryRequired, match="transaction_get_by_idempotency_key must read the primary"):
            q.transaction_get_by_idempotency_key(conn, idempotency_key="k-1")
        with pytest.raises(errors.PrimaryRequired, match="session_get_by_token_hash"):
            q.session_get_by_token_hash(conn, token_hash="0" * 64)
        assert q.transaction_get(conn, id=uuid.uuid4()) is None, "a plain read runs on the replica"
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE, "nothing was sent"


def test_read_your_writes_waits_for_the_replica(pools: replicas.ReplicatedPool) -> None:
    with pools.connection() as conn:
        name = new_flag(conn)
        token = pools.token(conn)
    started = time.monotonic()
    with pools.read(after=token, wait=LAG * 10) as conn:
        waited = time.monotonic() - started
        assert on_standby(conn), "the replica caught up within the wait"
        assert q.feature_flag_get(conn, name=name) is not None, "and the write is there"
    assert waited > LAG / 3, "it had to wait for the replay"


def test_read_your_writes_falls_back_to_the_primary(pools: replicas.ReplicatedPool) -> None:
    with pools.connection() as conn:
        name = new_flag(conn)
    token = pools.token()
    started = time.monotonic()
    with pools.read(after=token, wait=0.05) as conn:
        assert time.monotonic() - started < LAG
        assert not on_standby(conn), "the replica is behind the token after the wait: the primary answers"
        assert q.feature_flag_get(conn, name=name) is not None


def test_read_your_writes_async(servers: tuple[str, str]) -> None:
    primary, standby = servers

    async def scenario() -> tuple[bool, bool, bool]:
        async with db.async_pool(primary, replicas=[standby], role=admin.APP_ROLE, autocommit=True) as pools:
            async with pools.connection() as conn:
                name = f"flag_{uuid.uuid4().hex[:12]}"
                await q.feature_flag_upsert_async(conn, name=name, description=None, enabled=True, rules=[])
                token = await pools.token(conn)
            async with pools.read() as conn:
                stale = on_standby(conn) and await q.feature_flag_get_async(conn, name=name) is None
            async with pools.read(after=token, wait=LAG * 10) as conn:
                fresh = on_standby(conn) and await q.feature_flag_get_async(conn, name=name) is not None
                with pytest.raises(errors.PrimaryRequired):
                    await q.feature_flag_upsert_async(conn, name=name, description=None, enabled=False, rules=[])
            async with pools.read(after=token, wait=0) as conn:
                caught_up_or_primary = await q.feature_flag_get_async(conn, name=name) is not None
            return stale, fresh, caught_up_or_primary

    assert asyncio.run(scenario()) == (True, True, True)


def test_the_primary_pool_never_lands_on_a_standby(servers: tuple[str, str]) -> None:
    _, standby = servers
    with pytest.raises(psycopg.OperationalError, match=r"read-write|hot standby|read-only"):
        psycopg.connect(standby, **replicas.primary_kwargs(standby, {})).close()
    with psycopg.connect(standby, **replicas.replica_kwargs(standby, {"options": "-c search_path=cocopay"})) as conn:
        assert conn.execute("SHOW search_path").fetchone() == ("cocopay",), "the caller's options are kept"


def test_a_token_is_taken_after_the_commit_and_checked(pools: replicas.ReplicatedPool) -> None:
    with pools.connection() as conn:
        conn.autocommit = False
        try:
            conn.execute("SELECT 1")
            with pytest.raises(errors.InvalidInput, match="after the transaction has committed"):
                pools.token(conn)
            conn.rollback()
        finally:
            conn.autocommit = True
    with pytest.raises(errors.InvalidInput, match="not a WAL position"), pools.read(after="yesterday"):
        pass


@pytest.mark.parametrize("schema", admin.available_schemas())
def test_idempotency_and_exactly_once_reads_are_primary_only(schema: str) -> None:
    """A read by an idempotency key, a webhook's or a payment's id, or a session token never runs on a
    replica (its answer decides whether something is done again); every write is primary only."""
    package = importlib.import_module(f"chaindb.{schema}.queries")
    statements = runtime.statements(package)
    assert statements
    keys = re.compile(r"idempotency_key|token_hash|payment_intent_id|tx_signature|invoice_id|deposit_addr")
    for name, stmt in statements.items():
        if stmt.write:
            assert stmt.primary, name
        elif keys.search(stmt.sql) and not re.search(r"_list_|_count_", name):
            assert stmt.primary, f"{schema}.{name} reads by a key that decides a write: mark it @primary"
