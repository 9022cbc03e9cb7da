"""Read replicas: a pool of primary connections, pools of replica connections, and reads sent to a
replica only where the caller asks for it, with read-your-writes through a WAL position.

Made by ``chaindb.db.pool(primary_url, replicas=[replica_url, ...])`` (``async_pool`` for asyncio)::

    with db.pool(primary_url, replicas=[replica_url], role="chaindb_app") as pools:
        with pools.connection() as conn:           # the primary: every write, and any read
            tx = q.transaction_create(conn, ...)    # (autocommit, or commit before the token)
        token = pools.token()                       # the primary's WAL position, after the commit
        ...
        with pools.read(after=token) as conn:       # opt in: a replica that has replayed the token
            q.transaction_get(conn, id=tx.id)       # (waited for up to `wait` s, else the primary)

- **Only where asked.** ``connection()`` is always the primary; ``read()`` is the opt-in. Without
  ``after`` it is any replica, as stale as its lag (lists, dashboards, reports).
- **Read-your-writes.** A token is the primary's ``pg_current_wal_insert_lsn()`` taken after the
  write committed (``token()``; a string, it can travel: a cookie, a job's payload). ``read(after=
  token)`` polls the replica's ``pg_last_wal_replay_lsn()`` with short queries (no snapshot held
  while waiting, which could hold back replay) until it has replayed the token, for at most
  ``wait`` seconds; then, or when no replica answers within ``replica_timeout``, it yields a
  primary connection instead. PostgreSQL 15 has no wait-for-LSN of its own. A replica receives
  only flushed WAL: after a commit with ``synchronous_commit = off`` the wait includes the WAL
  writer's next flush (``wal_writer_delay``, 200 ms by default); with the default (on) it is the
  replay lag alone (``make bench``: a few ms on one machine).
- **Never a write on a replica.** Replica connections are ``default_transaction_read_only``; the
  generated code refuses a write, or a read marked ``@primary`` (exactly-once and idempotency
  checks, a session's validity), on such a connection with ``errors.PrimaryRequired`` before it
  is sent (``chaindb.codegen.runtime``); the server would refuse a write anyway (25006).
- **Which server.** The primary pool connects with ``target_session_attrs=read-write`` and a
  replica pool with ``prefer-standby``, unless the URL says otherwise: one multi-host URL
  (``postgresql://h1,h2,h3/db``) can serve as both, libpq finding the primary and a standby. A
  replica URL that reaches a primary (a failed-over standby) still works, read-only.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool, ConnectionPool, PoolTimeout

from chaindb import errors

__all__ = ["AsyncReplicatedPool", "ReplicatedPool", "pools", "primary_kwargs", "replica_kwargs"]

#: Read-your-writes: the longest a read waits for a replica to replay the token, by default (s).
DEFAULT_WAIT = 1.0
#: How long a read waits for a replica connection before it goes to the primary (s).
DEFAULT_REPLICA_TIMEOUT = 1.0
#: Polling of the replay position: first interval, growth, longest interval (s).
_POLL_FIRST, _POLL_GROWTH, _POLL_MAX = 0.001, 2.0, 0.025

_TOKEN_SQL = "SELECT pg_catalog.pg_current_wal_insert_lsn()::text"
# On a standby: replayed as far as the token? On a primary (prefer-standby fell back to it): yes.
_REPLAYED_SQL = (
    "SELECT CASE WHEN pg_catalog.pg_is_in_recovery() "
    "THEN coalesce(pg_catalog.pg_last_wal_replay_lsn() >= %s::pg_lsn, false) ELSE true END"
)

SyncPool = ConnectionPool[psycopg.Connection[TupleRow]]
AsyncPool = AsyncConnectionPool[psycopg.AsyncConnection[TupleRow]]


def _conninfo_has(url: str, key: str) -> bool:
    return key in psycopg.conninfo.conninfo_to_dict(url)


def primary_kwargs(url: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Connection arguments of the primary pool: ``target_session_attrs=read-write`` unless set."""
    out = dict(kwargs)
    if "target_session_attrs" not in out and not _conninfo_has(url, "target_session_attrs"):
        out["target_session_attrs"] = "read-write"
    return out


def replica_kwargs(url: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Connection arguments of a replica pool: read-only by default, ``prefer-standby`` unless set."""
    out = dict(kwargs)
    if "target_session_attrs" not in out and not _conninfo_has(url, "target_session_attrs"):
        out["target_session_attrs"] = "prefer-standby"
    given = out.get("options") or psycopg.conninfo.conninfo_to_dict(url).get("options") or ""
    out["options"] = f"{given} -c default_transaction_read_only=on".strip()
    return out


P = TypeVar("P")


def pools(
    make: Callable[[str, dict[str, Any], str | None], P],
    primary: str,
    replicas: Sequence[str],
    kwargs: dict[str, Any],
    name: str | None,
) -> tuple[P, list[P]]:
    """The primary pool and the replica pools, made by ``make(url, connection arguments, pool name)``."""
    from chaindb.db import libpq_url

    return make(primary, primary_kwargs(primary, kwargs), name), [
        make(libpq_url(r), replica_kwargs(libpq_url(r), kwargs), name and f"{name}-replica{i}")
        for i, r in enumerate(replicas)
    ]


def _check_token(token: str) -> str:
    high, sep, low = token.partition("/")
    try:
        int(high, 16), int(low, 16)
    except ValueError:
        sep = ""
    if not sep:
        raise errors.InvalidInput(f"not a WAL position (token): {token!r}")
    return token


def _idle(conn: psycopg.Connection[Any] | psycopg.AsyncConnection[Any]) -> None:
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        raise errors.InvalidInput("take the token after the transaction has committed (the connection is in one)")


class ReplicatedPool:
    """A primary pool and replica pools (``chaindb.db.pool(url, replicas=[...])``); see the module."""

    def __init__(
        self,
        primary: SyncPool,
        replicas: Sequence[SyncPool],
        *,
        wait: float | None = None,
        replica_timeout: float | None = None,
    ) -> None:
        self.primary = primary
        self.replicas = list(replicas)
        self.wait = DEFAULT_WAIT if wait is None else wait
        self.replica_timeout = DEFAULT_REPLICA_TIMEOUT if replica_timeout is None else replica_timeout
        self._turn = itertools.count()

    # -- life cycle ------------------------------------------------------------------------------

    def open(self, wait: bool = False, timeout: float = 30.0) -> None:
        for p in (self.primary, *self.replicas):
            p.open(wait=wait, timeout=timeout)

    def close(self, timeout: float = 5.0) -> None:
        for p in (*self.replicas, self.primary):
            p.close(timeout=timeout)

    def __enter__(self) -> ReplicatedPool:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connections -----------------------------------------------------------------------------

    def connection(self, timeout: float | None = None) -> Any:
        """A primary connection (a context manager, like ``ConnectionPool.connection``)."""
        return self.primary.connection(timeout=timeout)

    def token(self, conn: psycopg.Connection[Any] | None = None) -> str:
        """The primary's WAL position now: once a write has committed, a read after this token sees it.
        On ``conn`` (a primary connection outside a transaction), else on a pooled one."""
        if conn is not None:
            _idle(conn)
            row = conn.execute(_TOKEN_SQL).fetchone()
        else:
            with self.primary.connection() as c:
                row = c.execute(_TOKEN_SQL).fetchone()
        assert row is not None
        return str(row[0])

    @contextmanager
    def read(self, *, after: str | None = None, wait: float | None = None) -> Iterator[psycopg.Connection[Any]]:
        """A connection for reads: a replica's (read-only) that has replayed ``after`` (waiting up to
        ``wait`` seconds, default ``self.wait``), else a primary one."""
        token = _check_token(after) if after is not None else None
        deadline = time.monotonic() + (self.wait if wait is None else wait)
        for replica in _in_turn(self.replicas, self._turn):
            try:
                conn = replica.getconn(timeout=self.replica_timeout)
            except PoolTimeout:
                continue  # this replica does not answer: the next one, or the primary
            try:
                caught_up = token is None or _caught_up(conn, token, deadline)
                if caught_up:
                    yield conn
            finally:
                replica.putconn(conn)
            if caught_up:
                return
            break  # the whole wait went by: the primary answers
        with self.primary.connection() as conn:
            yield conn


def _in_turn(replicas: list[Any], turn: itertools.count[int]) -> list[Any]:
    """The replicas, starting from the next one in turn (round robin)."""
    if not replicas:
        return []
    start = next(turn) % len(replicas)
    return replicas[start:] + replicas[:start]


def _caught_up(conn: psycopg.Connection[Any], token: str, deadline: float) -> bool:
    delay = _POLL_FIRST
    while True:
        row = conn.execute(_REPLAYED_SQL, (token,)).fetchone()
        if row is not None and row[0]:
            return True
        now = time.monotonic()
        if now >= deadline:
            return False
        time.sleep(min(delay, deadline - now))
        delay = min(delay * _POLL_GROWTH, _POLL_MAX)


class AsyncReplicatedPool:
    """``ReplicatedPool`` for asyncio (``chaindb.db.async_pool(url, replicas=[...])``): not yet open,
    ``async with`` it (or ``await p.open()``)."""

    def __init__(
        self,
        primary: AsyncPool,
        replicas: Sequence[AsyncPool],
        *,
        wait: float | None = None,
        replica_timeout: float | None = None,
    ) -> None:
        self.primary = primary
        self.replicas = list(replicas)
        self.wait = DEFAULT_WAIT if wait is None else wait
        self.replica_timeout = DEFAULT_REPLICA_TIMEOUT if replica_timeout is None else replica_timeout
        self._turn = itertools.count()

    async def open(self, wait: bool = False, timeout: float = 30.0) -> None:
        for p in (self.primary, *self.replicas):
            await p.open(wait=wait, timeout=timeout)

    async def close(self, timeout: float = 5.0) -> None:
        for p in (*self.replicas, self.primary):
            await p.close(timeout=timeout)

    async def __aenter__(self) -> AsyncReplicatedPool:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def connection(self, timeout: float | None = None) -> Any:
        """A primary connection (an async context manager)."""
        return self.primary.connection(timeout=timeout)

    async def token(self, conn: psycopg.AsyncConnection[Any] | None = None) -> str:
        """``ReplicatedPool.token`` for asyncio."""
        if conn is not None:
            _idle(conn)
            row = await (await conn.execute(_TOKEN_SQL)).fetchone()
        else:
            async with self.primary.connection() as c:
                row = await (await c.execute(_TOKEN_SQL)).fetchone()
        assert row is not None
        return str(row[0])

    @asynccontextmanager
    async def read(
        self, *, after: str | None = None, wait: float | None = None
    ) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """``ReplicatedPool.read`` for asyncio."""
        token = _check_token(after) if after is not None else None
        deadline = time.monotonic() + (self.wait if wait is None else wait)
        for replica in _in_turn(self.replicas, self._turn):
            try:
                conn = await replica.getconn(timeout=self.replica_timeout)
            except PoolTimeout:
                continue
            try:
                caught_up = token is None or await _caught_up_async(conn, token, deadline)
                if caught_up:
                    yield conn
            finally:
                await replica.putconn(conn)
            if caught_up:
                return
            break
        async with self.primary.connection() as conn:
            yield conn


async def _caught_up_async(conn: psycopg.AsyncConnection[Any], token: str, deadline: float) -> bool:
    delay = _POLL_FIRST
    while True:
        row = await (await conn.execute(_REPLAYED_SQL, (token,))).fetchone()
        if row is not None and row[0]:
            return True
        now = time.monotonic()
        if now >= deadline:
            return False
        await asyncio.sleep(min(delay, deadline - now))
        delay = min(delay * _POLL_GROWTH, _POLL_MAX)
