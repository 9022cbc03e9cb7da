"""CocoPay at scale: "newest N of a store" and the daily stats refresh, at 10^6 transactions.

The big database (10^6 transactions over 200 stores, 20,000 users and 365 days; 10^4 in the
quick profile) is built once and shared by these items; the small one has 10^4 (2,000).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from bench import datasets
from bench.harness import Context, Pair, a_at_most, at_most, interleaved, item, with_options
from bench.items.cocopay_calls import draws, named_sql, warm_up

#: The index that serves it (added by this issue); ``list_index`` measures without it too.
STORE_LIST_INDEX = "cocopay.transactions_store_id_created_at_id_idx"


def big(ctx: Context) -> str:
    rows = 10_000 if ctx.quick else 1_000_000

    def build(url: str) -> None:
        ctx.log(f"loading {rows:,} transactions")
        datasets.seed_cocopay(url, transactions=rows, progress=ctx.progress("transactions", rows))

    return ctx.shared("cocopay_big", build)


def small(ctx: Context) -> str:
    rows = 2_000 if ctx.quick else 10_000  # every one of the 200 stores gets rows
    return ctx.shared("cocopay_small", lambda url: datasets.seed_cocopay(url, transactions=rows))


def store_ids(conn: psycopg.Connection[Any]) -> list[uuid.UUID]:
    return [r[0] for r in conn.execute("SELECT id FROM cocopay.stores ORDER BY id")]


def list_latency(conn: psycopg.Connection[Any], stores: list[uuid.UUID], calls: int, seed: int) -> float:
    """Milliseconds per call of the store list (20 newest), over random stores."""
    rng = random.Random(seed)
    list_call = store_list(conn, stores)
    started = time.perf_counter()
    for _ in range(calls):
        list_call(rng.randrange(len(stores)))
    return (time.perf_counter() - started) / calls * 1e3


def store_list(conn: psycopg.Connection[Any], stores: list[uuid.UUID]) -> Callable[[int], object]:
    """One call of the store list (20 newest) for the store at an index of ``stores``."""
    sql = named_sql("transaction_list_by_store")

    def call(index: int) -> object:
        rows = conn.execute(sql, {"store_id": stores[index], "max_rows": 20}, prepare=True).fetchall()
        assert rows
        return rows

    return call


@item(
    "list_scaling",
    "transaction_list_by_store (20 newest of a store): latency at 10^6 rows / at 10^4",
    a="10^6 transactions (200 stores)",
    b="10^4 transactions (200 stores)",
    unit="us/call",
    goal=at_most(1.3),
    rounds=7,
    extra={
        "generic_plan": "10^6 transactions, the session set to plan_cache_mode = force_generic_plan: the prepared "
        "statement's one plan, never planned again",
    },
    note="at 10^6 PostgreSQL plans every call again: the prepared statement's generic plan costs LIMIT $2 at 10% "
    "of a store's ~5,000 rows and loses to the custom plans, while at 10^4 (45 rows a store) it wins and is "
    "reused. Executing the plan scales (the same index path and buffers at both sizes: list_scaling/generic_plan, "
    "the same calls planned once); planning every call adds about a quarter.",
)
@contextmanager
def list_scaling(ctx: Context) -> Iterator[Pair]:
    calls = 100 if ctx.quick else 1_000
    generic = with_options(ctx.as_app(big(ctx)), plan_cache_mode="force_generic_plan")
    with psycopg.connect(ctx.as_app(big(ctx)), autocommit=True) as large, psycopg.connect(
        ctx.as_app(small(ctx)), autocommit=True
    ) as little, psycopg.connect(generic, autocommit=True) as planned_once:
        large_stores, small_stores = store_ids(large), store_ids(little)
        sides = {
            "a": store_list(large, large_stores),
            "b": store_list(little, small_stores),
            "generic_plan": store_list(planned_once, large_stores),
        }
        stores = range(min(len(large_stores), len(small_stores)))  # an index: a store of each database
        warm_up(list(sides.values()), stores)
        yield interleaved(sides, draws(stores, calls))


@item(
    "list_index",
    "transaction_list_by_store at 10^6 rows: with the (store_id, created_at DESC, id) index / without it",
    a=f"with {STORE_LIST_INDEX}",
    b="the same query after DROP INDEX in a transaction rolled back after the round (main's indexes)",
    unit="ms",
    goal=at_most(0.5),
    rounds=5,
)
@contextmanager
def list_index(ctx: Context) -> Iterator[Pair]:
    calls = 50 if ctx.quick else 300
    with psycopg.connect(big(ctx), autocommit=True) as conn:
        stores = store_ids(conn)
        exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (STORE_LIST_INDEX,)).fetchone()
        if not (exists and exists[0]):
            ctx.log(f"{STORE_LIST_INDEX} does not exist: both sides measure the same plan")
        seeds = iter(range(1_000))

        def without() -> float:
            with conn.transaction(force_rollback=True):
                if exists and exists[0]:
                    conn.execute(f"DROP INDEX {STORE_LIST_INDEX}")
                return list_latency(conn, stores, calls, next(seeds))

        list_latency(conn, stores, calls, 0)
        yield Pair(a=lambda: list_latency(conn, stores, calls, next(seeds)), b=without)


def add_day(conn: psycopg.Connection[Any], day: int, per_day: int) -> None:
    """``per_day`` confirmed payments on day ``day`` after the data set's last day (not timed)."""
    conn.execute(
        """
        WITH u AS (SELECT array_agg(id) AS ids FROM (SELECT id FROM cocopay.users LIMIT 1000) AS x),
        s AS (SELECT array_agg(id) AS ids FROM cocopay.stores)
        INSERT INTO cocopay.transactions (
            type, status, amount_usd, chain_id, from_user_id, store_id, confirmation_code, created_at, confirmed_at
        )
        SELECT
            'payment', 'confirmed', 1 + g %% 50, '8453', u.ids[1 + g %% cardinality(u.ids)],
            s.ids[1 + g %% cardinality(s.ids)], 'ABCDEF', x.at, x.at
        FROM generate_series(1, %(n)s::integer) AS g
        CROSS JOIN u
        CROSS JOIN s
        CROSS JOIN LATERAL (
            SELECT %(end)s::timestamptz + (%(day)s::integer * 86400 + g %% 86400) * interval '1 second' AS at
        ) AS x
        """,
        {"n": per_day, "end": datasets.STATS_END, "day": day},
    )


def refresh_seconds(conn: psycopg.Connection[Any]) -> float:
    started = time.perf_counter()
    conn.execute("SELECT cocopay.refresh_store_daily_stats()")
    return time.perf_counter() - started


@item(
    "daily_stats_refresh",
    "store_daily_stats refresh after one new day of payments (2,500 over 200 stores): at 10^6 transactions / at 10^4",
    a="cocopay.refresh_store_daily_stats() at 10^6 transactions",
    b="the same at 10^4 transactions",
    unit="s",
    goal=a_at_most(1.0, "s"),
    rounds=5,
)
@contextmanager
def daily_stats_refresh(ctx: Context) -> Iterator[Pair]:
    with psycopg.connect(big(ctx), autocommit=True) as large, psycopg.connect(small(ctx), autocommit=True) as little:
        days = iter(range(1, 1_000))
        for conn in (large, little):
            refresh_seconds(conn)  # the first refresh computes everything: not what the daily job does
            conn.execute("VACUUM")  # as autovacuum would, after the bulk load and the first refresh

        def one_day(conn: psycopg.Connection[Any], per_day: int) -> float:
            add_day(conn, next(days), per_day)
            return refresh_seconds(conn)

        large_day = 30 if ctx.quick else 2_500
        # the same new day on both sides: an O(changed days) refresh costs the same at both sizes
        yield Pair(a=lambda: one_day(large, large_day), b=lambda: one_day(little, large_day))
