"""Synthetic data for the benchmarks, loaded set-based as the superuser (not timed)."""

from __future__ import annotations

from collections.abc import Callable

import psycopg

#: Days over which the CocoPay transactions are spread, ending at STATS_END.
DAYS = 365
STATS_END = "2025-06-30 00:00:00+00"


def seed_cocopay(
    url: str,
    *,
    transactions: int,
    stores: int = 200,
    users: int = 20_000,
    progress: Callable[[int], None] | None = None,
    chunk: int = 100_000,
) -> None:
    """Users, stores and ``transactions`` transactions spread over stores, users and ``DAYS`` days.

    Nine in ten are payments to a store; nine in ten of those are confirmed. Consecutive rows go
    to different stores, as a store's payments come between other stores' (so a store's newest
    rows lie on as many pages at 10^4 rows as at 10^6). Deterministic: row ``g`` always gets the
    same store, user, day and amount.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO cocopay.users (phone) "
            "SELECT '+5511' || lpad(g::text, 9, '0') FROM generate_series(1, %s) AS g",
            (users,),
        )
        conn.execute(
            """
            INSERT INTO cocopay.stores (name, symbol, short_code)
            SELECT 'Store ' || g, 'S' || g, 'ST' || lpad(g::text, 6, '0') FROM generate_series(1, %s) AS g
            """,
            (stores,),
        )
        conn.execute("CREATE TEMP TABLE u AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM cocopay.users")
        conn.execute("CREATE TEMP TABLE s AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM cocopay.stores")
        conn.execute("CREATE UNIQUE INDEX ON u (n)")
        conn.execute("CREATE UNIQUE INDEX ON s (n)")
        done = 0
        while done < transactions:
            size = min(chunk, transactions - done)
            conn.execute(
                """
                INSERT INTO cocopay.transactions (
                    type, status, amount_usd, chain_id, from_user_id, store_id, confirmation_code,
                    created_at, confirmed_at
                )
                SELECT
                    CASE WHEN g %% 10 = 0 THEN 'received' ELSE 'payment' END::cocopay.transaction_type,
                    (CASE WHEN g %% 10 = 0 OR g %% 9 <> 0 THEN 'confirmed' ELSE 'pending' END)
                        ::cocopay.transaction_status,
                    1 + (g * 7919 %% 10000) / 100.0,
                    '8453',
                    u.id,
                    CASE WHEN g %% 10 = 0 THEN NULL ELSE s.id END,
                    'ABCDEF',
                    x.at,
                    CASE WHEN g %% 10 = 0 OR g %% 9 <> 0 THEN x.at END
                FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
                CROSS JOIN LATERAL (
                    SELECT %(end)s::timestamptz - (g * 104729 %% (%(days)s::bigint * 86400)) * interval '1 second' AS at
                ) AS x
                INNER JOIN u ON u.n = 1 + (g * 31 %% %(users)s::bigint)
                INNER JOIN s ON s.n = 1 + ((g / 10 + g %% 10 * 37) %% %(stores)s::bigint)
                """,
                {
                    "first": done + 1,
                    "last": done + size,
                    "end": STATS_END,
                    "days": DAYS,
                    "users": users,
                    "stores": stores,
                },
            )
            done += size
            if progress is not None:
                progress(done)
        conn.execute("VACUUM (ANALYZE) cocopay.transactions")
        conn.execute("ANALYZE cocopay.users")
        conn.execute("ANALYZE cocopay.stores")
