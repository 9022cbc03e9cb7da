"""Connections and pools for application code.

Every function takes an optional URL; without one it uses ``DATABASE_URL``, else the
embedded server's URL (``make db``; it is not started here). URLs may use the SQLAlchemy /
yoyo scheme ``postgresql+psycopg://``, which is turned into a plain libpq URL.

- ``connect(url=None, *, role=None, autocommit=False)`` → ``psycopg.Connection``
- ``await async_connect(...)`` → ``psycopg.AsyncConnection``
- ``pool(...)`` → an open ``psycopg_pool.ConnectionPool`` (use it as a context manager or
  call ``.close()``)
- ``async_pool(...)`` → an *unopened* ``psycopg_pool.AsyncConnectionPool``: use
  ``async with async_pool() as p:`` or ``await p.open()``.

With ``replicas=[url, ...]``, ``pool`` and ``async_pool`` return a
:class:`chaindb.replicas.ReplicatedPool` (``AsyncReplicatedPool``): ``connection()`` is the primary,
``read(after=token)`` a replica where the caller opts in, with read-your-writes (see that module).

``role`` runs ``SET ROLE <role>`` on every new connection (outside any transaction, so a
rollback does not undo it); it must be a plain identifier. Statements are prepared
server-side after ``prepare_threshold`` executions (the generated query functions ask for
``prepare=True`` and are prepared at once); each connection keeps up to ``PREPARED_MAX``
of them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, overload

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from chaindb import errors

if TYPE_CHECKING:
    from chaindb.replicas import AsyncReplicatedPool, ReplicatedPool

__all__ = [
    "PREPARED_MAX",
    "PREPARE_THRESHOLD",
    "async_connect",
    "async_pool",
    "connect",
    "database_url",
    "libpq_url",
    "pool",
]

#: Executions of a query before psycopg prepares it (psycopg's default).
PREPARE_THRESHOLD = 5
#: Prepared statements kept per connection (psycopg's default is 100; five schemas have more queries).
PREPARED_MAX = 512

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,62}")
_SCHEME = re.compile(r"^postgres(?:ql)?\+[A-Za-z0-9_]+://")


def libpq_url(url: str) -> str:
    """A plain libpq URL: ``postgresql+psycopg://...`` → ``postgresql://...``."""
    return _SCHEME.sub("postgresql://", url, count=1)


def database_url(url: str | None = None) -> str:
    """The URL to use: ``url``, else ``DATABASE_URL``, else the embedded server's."""
    if not url:
        url = os.environ.get("DATABASE_URL") or None
    if not url:
        from chaindb.embedded import Embedded

        url = Embedded().url()
    return libpq_url(url)


def _check_role(role: str | None) -> str | None:
    if role is not None and not _IDENTIFIER.fullmatch(role):
        raise errors.InvalidInput(f"invalid role name: {role!r}")
    return role


def _set_role_sql(role: str) -> sql.Composed:
    return sql.SQL("SET ROLE {}").format(sql.Identifier(role))


def _configure(conn: psycopg.Connection[Any], role: str | None) -> None:
    conn.prepared_max = PREPARED_MAX
    if role is not None:
        autocommit = conn.autocommit
        if not autocommit:
            conn.autocommit = True
        try:
            conn.execute(_set_role_sql(role))
        finally:
            if not autocommit:
                conn.autocommit = False


async def _configure_async(conn: psycopg.AsyncConnection[Any], role: str | None) -> None:
    conn.prepared_max = PREPARED_MAX
    if role is not None:
        autocommit = conn.autocommit
        if not autocommit:
            await conn.set_autocommit(True)
        try:
            await conn.execute(_set_role_sql(role))
        finally:
            if not autocommit:
                await conn.set_autocommit(False)


def connect(
    url: str | None = None,
    *,
    role: str | None = None,
    autocommit: bool = False,
    prepare_threshold: int | None = PREPARE_THRESHOLD,
    **kwargs: Any,
) -> psycopg.Connection[TupleRow]:
    """A new connection (close it, or use it as a context manager)."""
    role = _check_role(role)
    with errors.translating():
        conn = psycopg.Connection.connect(
            database_url(url), autocommit=autocommit, prepare_threshold=prepare_threshold, **kwargs
        )
        try:
            _configure(conn, role)
        except BaseException:
            conn.close()
            raise
    return conn


async def async_connect(
    url: str | None = None,
    *,
    role: str | None = None,
    autocommit: bool = False,
    prepare_threshold: int | None = PREPARE_THRESHOLD,
    **kwargs: Any,
) -> psycopg.AsyncConnection[TupleRow]:
    """A new async connection (close it, or use it as an async context manager)."""
    role = _check_role(role)
    with errors.translating():
        conn = await psycopg.AsyncConnection.connect(
            database_url(url), autocommit=autocommit, prepare_threshold=prepare_threshold, **kwargs
        )
        try:
            await _configure_async(conn, role)
        except BaseException:
            await conn.close()
            raise
    return conn


@overload
def pool(
    url: str | None = None, *, replicas: None = None, **kwargs: Any
) -> ConnectionPool[psycopg.Connection[TupleRow]]: ...


@overload
def pool(url: str | None = None, *, replicas: Sequence[str], **kwargs: Any) -> ReplicatedPool: ...


def pool(
    url: str | None = None,
    *,
    replicas: Sequence[str] | None = None,
    wait: float | None = None,
    replica_timeout: float | None = None,
    role: str | None = None,
    autocommit: bool = False,
    min_size: int = 1,
    max_size: int = 10,
    name: str | None = None,
    timeout: float = 30.0,
    max_idle: float = 300.0,
    max_lifetime: float = 3600.0,
    prepare_threshold: int | None = PREPARE_THRESHOLD,
    open: bool = True,
    **kwargs: Any,
) -> ConnectionPool[psycopg.Connection[TupleRow]] | ReplicatedPool:
    """A connection pool; connections are checked before they are handed out.

    ``with pool() as p, p.connection() as conn: ...`` — a connection returned with an open
    transaction is rolled back by the pool; one returned in a failed state is discarded.

    ``replicas``: URLs of read replicas; the result is then a ``ReplicatedPool`` (a primary pool
    and one pool per replica, each of ``min_size``..``max_size``), ``wait`` and ``replica_timeout``
    its read-your-writes defaults (``chaindb.replicas``).
    """
    from chaindb import replicas as routing

    role = _check_role(role)

    def configure(conn: psycopg.Connection[TupleRow]) -> None:
        _configure(conn, role)

    def make(target: str, connect: dict[str, Any], label: str | None) -> ConnectionPool[psycopg.Connection[TupleRow]]:
        return ConnectionPool(
            target,
            kwargs={"autocommit": autocommit, "prepare_threshold": prepare_threshold, **connect},
            min_size=min_size,
            max_size=max_size,
            name=label,
            timeout=timeout,
            max_idle=max_idle,
            max_lifetime=max_lifetime,
            configure=configure,
            check=ConnectionPool.check_connection,
            open=open,
        )

    primary = database_url(url)
    if replicas is None:
        return make(primary, kwargs, name)
    return routing.ReplicatedPool(*routing.pools(make, primary, replicas, kwargs, name), wait=wait,
                                  replica_timeout=replica_timeout)


@overload
def async_pool(
    url: str | None = None, *, replicas: None = None, **kwargs: Any
) -> AsyncConnectionPool[psycopg.AsyncConnection[TupleRow]]: ...


@overload
def async_pool(url: str | None = None, *, replicas: Sequence[str], **kwargs: Any) -> AsyncReplicatedPool: ...


def async_pool(
    url: str | None = None,
    *,
    replicas: Sequence[str] | None = None,
    wait: float | None = None,
    replica_timeout: float | None = None,
    role: str | None = None,
    autocommit: bool = False,
    min_size: int = 1,
    max_size: int = 10,
    name: str | None = None,
    timeout: float = 30.0,
    max_idle: float = 300.0,
    max_lifetime: float = 3600.0,
    prepare_threshold: int | None = PREPARE_THRESHOLD,
    **kwargs: Any,
) -> AsyncConnectionPool[psycopg.AsyncConnection[TupleRow]] | AsyncReplicatedPool:
    """An async pool, not yet open: ``async with async_pool() as p: ...`` (or ``await p.open()``).
    ``replicas``: as for ``pool``, giving an ``AsyncReplicatedPool``."""
    from chaindb import replicas as routing

    role = _check_role(role)

    async def configure(conn: psycopg.AsyncConnection[TupleRow]) -> None:
        await _configure_async(conn, role)

    def make(
        target: str, connect: dict[str, Any], label: str | None
    ) -> AsyncConnectionPool[psycopg.AsyncConnection[TupleRow]]:
        return AsyncConnectionPool(
            target,
            kwargs={"autocommit": autocommit, "prepare_threshold": prepare_threshold, **connect},
            min_size=min_size,
            max_size=max_size,
            name=label,
            timeout=timeout,
            max_idle=max_idle,
            max_lifetime=max_lifetime,
            configure=configure,
            check=AsyncConnectionPool.check_connection,
            open=False,
        )

    primary = database_url(url)
    if replicas is None:
        return make(primary, kwargs, name)
    return routing.AsyncReplicatedPool(*routing.pools(make, primary, replicas, kwargs, name), wait=wait,
                                       replica_timeout=replica_timeout)
