"""The generated layer against what it wraps: point reads and an idempotent write (CocoPay).

The generated functions are called only through ``chaindb.cocopay.queries`` (as applications
do); the raw side runs the same SQL text, read from queries/cocopay/ with aiosql, on the same
kind of connection, prepared too. Both connect as the application role. Values are microseconds
per call (client and server together, one connection, autocommit), measured call by call
(:func:`bench.harness.interleaved`: the sides take turns on the same arguments; a side's value is
the median of its calls), with the client's CPU time per call beside them.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import psycopg

from bench import datasets
from bench.harness import ROOT, Context, Pair, at_least, at_most, interleaved, item


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


def draws(population: Sequence[Any], calls: int) -> Callable[[int], list[Any]]:
    """Round ``k``'s arguments: ``calls`` random draws from ``population``, the same for every side."""
    return lambda k: random.Random(k).choices(population, k=calls)


def warm_up(functions: Sequence[Callable[[Any], object]], arguments: Sequence[Any]) -> None:
    """Prepare the statements and fill the caches before the first round."""
    for fn in functions:
        for argument in arguments:
            fn(argument)


@item(
    "point_read",
    "point read: generated transaction_get / raw psycopg tuple, same prepared SQL",
    a="q.transaction_get (pydantic row)",
    b="conn.execute(same SQL, prepare=True).fetchone() (tuple; a new cursor per call, as psycopg's conn.execute)",
    unit="us/call",
    goal=at_most(1.05),
    rounds=15,
    quick_rounds=3,
    extra={
        "one_cursor": "the raw call on one cursor made once (psycopg at its cheapest: no cursor and no loaders set up "
        "per call), as the generated layer runs its statements",
        "validated": "the same SQL with psycopg's class_row(q.Transaction): a pydantic-validated model per row, "
        "as the generated layer built rows before its compiled row makers",
    },
)
@contextmanager
def point_read(ctx: Context) -> Iterator[Pair]:
    from psycopg.rows import class_row

    from chaindb.cocopay import queries as q

    calls = 200 if ctx.quick else 2_000
    with _read_setup(ctx, "point_read") as (url, ids), psycopg.connect(url, autocommit=True) as conn:
        sql = named_sql("transaction_get")
        validating = class_row(q.Transaction)
        cursor = conn.cursor()

        def generated(i: uuid.UUID) -> Any:
            return q.transaction_get(conn, id=i)

        def raw(i: uuid.UUID) -> Any:
            return conn.execute(sql, {"id": i}, prepare=True).fetchone()

        def one_cursor(i: uuid.UUID) -> Any:
            return cursor.execute(sql, {"id": i}, prepare=True).fetchone()

        def validated(i: uuid.UUID) -> Any:
            return conn.cursor(row_factory=validating).execute(sql, {"id": i}, prepare=True).fetchone()

        model, row = generated(ids[0]), raw(ids[0])
        assert model is not None and row is not None and model.id == row[0]
        assert validated(ids[0]) == model and one_cursor(ids[0]) == row
        sides = {"a": generated, "b": raw, "one_cursor": one_cursor, "validated": validated}
        warm_up(list(sides.values()), ids[:200])
        yield interleaved(sides, draws(ids, calls))


@item(
    "orm_point_read",
    "point read: SQLAlchemy 2 ORM Session.get / generated transaction_get",
    a="Session.get(Transaction, id, populate_existing=True)",
    b="q.transaction_get",
    unit="us/call",
    goal=at_least(3.0),
    rounds=7,
    quick_rounds=2,
)
@contextmanager
def orm_point_read(ctx: Context) -> Iterator[Pair]:
    from sqlalchemy import MetaData, Table, create_engine
    from sqlalchemy.orm import Session, registry

    from chaindb.cocopay import queries as q

    calls = 100 if ctx.quick else 1_000
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
                warm_up([orm, generated], ids[:100])
                yield interleaved({"a": orm, "b": generated}, draws(ids, calls))
        finally:
            engine.dispose()


@item(
    "write",
    "write: generated transaction_create / raw call of the same SQL function",
    a="q.transaction_create (pydantic row)",
    b="conn.execute(same SQL, prepare=True).fetchone() (tuple)",
    unit="us/call",
    goal=at_most(1.05),
    rounds=11,
    quick_rounds=2,
)
@contextmanager
def write(ctx: Context) -> Iterator[Pair]:
    from chaindb.cocopay import queries as q

    calls = 50 if ctx.quick else 500
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

            warm_up([generated, raw], [None] * 50)
            yield interleaved({"a": generated, "b": raw}, lambda _: [None] * calls)
    finally:
        ctx.drop(url)
