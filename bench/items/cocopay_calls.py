"""The generated layer against what it wraps: point reads and an idempotent write (CocoPay).

The generated functions are called only through ``chaindb.cocopay.queries`` (as applications
do); the raw side runs the same SQL text, read from queries/cocopay/ with aiosql, on the same
kind of connection, prepared too. Both connect
as the application role. Values are microseconds per call (client and server together, one
connection, autocommit).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import psycopg

from bench import datasets
from bench.harness import ROOT, Context, Pair, at_least, at_most, item


def named_sql(name: str) -> str:
    """The SQL text of a named query of queries/cocopay (as aiosql reads it: psycopg placeholders)."""
    import aiosql

    return str(getattr(aiosql.from_path(ROOT / "queries" / "cocopay", "psycopg"), name).sql)


@contextmanager
def _read_setup(ctx: Context, label: str) -> Iterator[tuple[str, list[uuid.UUID]]]:
    url = ctx.database(label)
    rows = 2_000 if ctx.quick else 20_000
    datasets.seed_cocopay(url, transactions=rows, stores=20, users=1_000)
    with psycopg.connect(url) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM cocopay.transactions ORDER BY id")]
    try:
        yield ctx.as_app(url), ids
    finally:
        ctx.drop(url)


def _per_call(calls: int, fn: Any, args: list[Any]) -> float:
    n = len(args)
    started = time.perf_counter()
    for i in range(calls):
        fn(args[i % n])
    return (time.perf_counter() - started) / calls * 1e6


@item(
    "point_read",
    "point read: generated transaction_get / raw psycopg tuple, same prepared SQL",
    a="q.transaction_get (pydantic row)",
    b="conn.execute(same SQL, prepare=True).fetchone() (tuple)",
    unit="us/call",
    goal=at_most(1.05),
    rounds=7,
    quick_rounds=2,
    note="row building is issue 9's work (the generated layer); this suite only measures it.",
)
@contextmanager
def point_read(ctx: Context) -> Iterator[Pair]:
    from chaindb.cocopay import queries as q

    calls = 300 if ctx.quick else 5_000
    with _read_setup(ctx, "point_read") as (url, ids), psycopg.connect(url, autocommit=True) as conn:

        def generated(i: uuid.UUID) -> Any:
            return q.transaction_get(conn, id=i)

        sql = named_sql("transaction_get")

        def raw(i: uuid.UUID) -> Any:
            return conn.execute(sql, {"id": i}, prepare=True).fetchone()

        assert generated(ids[0]).id == raw(ids[0])[0]  # type: ignore[union-attr,index]
        _per_call(200, generated, ids)
        _per_call(200, raw, ids)
        yield Pair(a=lambda: _per_call(calls, generated, ids), b=lambda: _per_call(calls, raw, ids))


@item(
    "orm_point_read",
    "point read: SQLAlchemy 2 ORM Session.get / generated transaction_get",
    a="Session.get(Transaction, id, populate_existing=True)",
    b="q.transaction_get",
    unit="us/call",
    goal=at_least(3.0),
    rounds=5,
    quick_rounds=2,
)
@contextmanager
def orm_point_read(ctx: Context) -> Iterator[Pair]:
    from sqlalchemy import MetaData, Table, create_engine
    from sqlalchemy.orm import Session, registry

    from chaindb.cocopay import queries as q

    calls = 200 if ctx.quick else 3_000
    with _read_setup(ctx, "orm_point_read") as (url, ids):

        class Transaction:
            """Mapped imperatively on the reflected table."""

        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        metadata = MetaData()
        table = Table("transactions", metadata, schema="cocopay", autoload_with=engine)
        registry().map_imperatively(Transaction, table)
        try:
            with Session(engine) as session, psycopg.connect(url, autocommit=True) as conn:

                def orm(i: uuid.UUID) -> Any:
                    return session.get(Transaction, i, populate_existing=True)

                def generated(i: uuid.UUID) -> Any:
                    return q.transaction_get(conn, id=i)

                assert orm(ids[0]).id == generated(ids[0]).id  # type: ignore[union-attr]
                _per_call(100, orm, ids)
                _per_call(100, generated, ids)
                yield Pair(a=lambda: _per_call(calls, orm, ids), b=lambda: _per_call(calls, generated, ids))
        finally:
            engine.dispose()


@item(
    "write",
    "write: generated transaction_create / raw call of the same SQL function",
    a="q.transaction_create (pydantic row)",
    b="conn.execute(same SQL, prepare=True).fetchone() (tuple)",
    unit="us/call",
    goal=at_most(1.05),
    rounds=7,
    quick_rounds=2,
    note="row building is issue 9's work (the generated layer); this suite only measures it.",
)
@contextmanager
def write(ctx: Context) -> Iterator[Pair]:
    from chaindb.cocopay import queries as q

    calls = 200 if ctx.quick else 2_000
    url = ctx.database("write")
    datasets.seed_cocopay(url, transactions=0, stores=1, users=10)
    with psycopg.connect(url) as conn:
        user_id, store_id = conn.execute(
            "SELECT (SELECT id FROM cocopay.users LIMIT 1), (SELECT id FROM cocopay.stores LIMIT 1)"
        ).fetchone()  # type: ignore[misc]
    counter = iter(range(10**9))
    payload: dict[str, Any] = {
        "type": q.TransactionType.PAYMENT,
        "amount_usd": Decimal("12.50"),
        "chain_id": q.ChainId.V_8453,
        "from_user_id": user_id,
        "to_user_id": None,
        "store_id": store_id,
        "tokens_used": None,
        "rewards_earned": None,
        "bundle_id": None,
    }
    sql = named_sql("transaction_create")
    try:
        with psycopg.connect(ctx.as_app(url), autocommit=True) as conn:

            def generated(_: object) -> Any:
                return q.transaction_create(conn, idempotency_key=f"bench-g-{next(counter)}", **payload)

            def raw(_: object) -> Any:
                params = {**payload, "idempotency_key": f"bench-r-{next(counter)}"}
                return conn.execute(sql, params, prepare=True).fetchone()

            _per_call(100, generated, [None])
            _per_call(100, raw, [None])
            yield Pair(a=lambda: _per_call(calls, generated, [None]), b=lambda: _per_call(calls, raw, [None]))
    finally:
        ctx.drop(url)
