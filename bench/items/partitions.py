"""Monthly partitions (issue 16): the insert cost of tuple routing, and what pruning saves a query bounded
in time, on cocopay.analytics_events (partitioned by month on created_at, migrations/cocopay/0040)."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from bench.harness import Context, Pair, at_least, at_most, item
from bench.items.cocopay_calls import named_sql

NAMES = [f"event_{k}" for k in range(10)]

#: The unpartitioned table as 0015-0035 made it (PRIMARY KEY (id)), for side B.
FLAT = """
CREATE TABLE public.analytics_events_flat (LIKE cocopay.analytics_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE public.analytics_events_flat ADD PRIMARY KEY (id),
    ADD FOREIGN KEY (user_id) REFERENCES cocopay.users (id);
CREATE INDEX ON public.analytics_events_flat (event_name);
CREATE INDEX ON public.analytics_events_flat (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX ON public.analytics_events_flat (created_at DESC);
CREATE INDEX ON public.analytics_events_flat (user_id, created_at DESC, id) WHERE user_id IS NOT NULL;
"""


def events(rng: random.Random, users: list[uuid.UUID], n: int) -> list[dict[str, Any]]:
    return [
        {
            "event_name": rng.choice(NAMES), "properties": Jsonb({"k": rng.randrange(100)}),
            "user_id": rng.choice(users) if rng.random() < 0.5 else None, "session_id": None,
            "device_id": f"device-{rng.randrange(10_000)}", "ip_address": None, "user_agent": "bench",
        }
        for _ in range(n)
    ]


def insert_rate(conn: psycopg.Connection[Any], sql: str, rows: list[dict[str, Any]]) -> float:
    """Rows per second of one executemany (pipelined) of ``rows``, committed."""
    started = time.perf_counter()
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(sql, rows)
    return len(rows) / (time.perf_counter() - started)


@item(
    "partition_insert",
    "analytics_events inserts: partitioned by month / the unpartitioned table (same columns, indexes, FK)",
    a="cocopay.analytics_events (monthly partitions, PRIMARY KEY (id, created_at))",
    b="the same table unpartitioned (PRIMARY KEY (id)), as before 0040",
    unit="rows/s",
    goal=at_least(0.9),
    higher_is_better=True,
    rounds=7,
    note="tuple routing picks the partition for every row; a batch whose rows go to one month pays it once "
    "per row in the executor",
)
@contextmanager
def partition_insert(ctx: Context) -> Iterator[Pair]:
    url = ctx.database("partition_insert")
    n = 2_000 if ctx.quick else 20_000
    rng = random.Random(16)
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO cocopay.users (phone) SELECT '+55119' || lpad(g::text, 8, '0')"
                     " FROM generate_series(1, 1000) AS g")
        conn.execute(FLAT)
        conn.commit()
        users = [r[0] for r in conn.execute("SELECT id FROM cocopay.users")]
        sql = named_sql("analytics_event_append_many")
        flat = sql.replace("cocopay.analytics_events", "public.analytics_events_flat")
        assert flat != sql
        insert_rate(conn, sql, events(rng, users, n // 4))  # warm both
        insert_rate(conn, flat, events(rng, users, n // 4))
        yield Pair(
            a=lambda: insert_rate(conn, sql, events(rng, users, n)),
            b=lambda: insert_rate(conn, flat, events(rng, users, n)),
        )


def last_day_events(ctx: Context) -> str:
    """A database whose analytics_events holds N rows spread evenly over the last 13 months."""
    rows = 100_000 if ctx.quick else 10_000_000
    chunk = min(rows, 1_000_000)

    def build(url: str) -> None:
        report = ctx.progress("analytics events", rows)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "SELECT common.create_partitions('cocopay.analytics_events', common.now() - interval '13 months')"
            )
            for start in range(0, rows, chunk):
                conn.execute(
                    "INSERT INTO cocopay.analytics_events (event_name, properties, device_id, created_at)"
                    " SELECT 'event_' || (g %% 10), '{}', 'device-' || (g %% 10000),"
                    "        common.now() - interval '395 days' * (g::float8 / %(rows)s)"
                    " FROM generate_series(%(lo)s, %(hi)s) AS g",
                    {"rows": rows, "lo": start + 1, "hi": min(start + chunk, rows)},
                )
                report(min(start + chunk, rows))
            conn.execute("ANALYZE cocopay.analytics_events")
            stray = conn.execute("SELECT count(*) FROM cocopay.analytics_events_default").fetchone()
            assert stray == (0,), "every row has its month"

    return ctx.shared("analytics_events_13_months", build)


def latency(conn: psycopg.Connection[Any], sql: str, calls: int) -> float:
    """Milliseconds per call of the last-day count, over the ten event names."""
    started = time.perf_counter()
    for k in range(calls):
        row = conn.execute(sql, {"event_name": NAMES[k % 10], "within": "1 day"}, prepare=True).fetchone()
        assert row is not None and row[0] > 0
    return (time.perf_counter() - started) / calls * 1e3


@item(
    "partition_pruning",
    "analytics_event_count_recent (one event's last day) at 10^7 rows over 13 months: pruned / not pruned",
    a="partition pruning on (the statement reads the current month's partition)",
    b="SET enable_partition_pruning = off (every month's partition is read)",
    unit="ms",
    goal=at_most(1.0),
)
@contextmanager
def partition_pruning(ctx: Context) -> Iterator[Pair]:
    url = last_day_events(ctx)
    calls = 20 if ctx.quick else 200
    sql = named_sql("analytics_event_count_recent")
    with psycopg.connect(ctx.as_app(url), autocommit=True) as pruned, psycopg.connect(
        ctx.as_app(url), autocommit=True
    ) as unpruned:
        unpruned.execute("SET enable_partition_pruning = off")
        for conn in (pruned, unpruned):
            latency(conn, sql, calls)  # prepared, cached
        yield Pair(a=lambda: latency(pruned, sql, calls), b=lambda: latency(unpruned, sql, calls))
