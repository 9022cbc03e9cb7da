"""Benchmark: a status UPDATE through the generic state machine trigger against a hand-written one.

    python bench/state_machine_bench.py [DATABASE_URL] [--quick] [--rows N] [--rounds N] [--singles N]

Uses the given URL, else ``DATABASE_URL``, else the embedded server (``make db``). Creates its own
scratch database (``chaindb_bench_state_machine``), migrates it, and drops it at the end.

Three tables of the same shape (an id, a ``cocopay.deployment_status`` status, a payload) differ
only in their trigger:

- ``generic``: ``CALL common.define_state_machine(...)``, the declaration every schema uses: the
  allowed moves compiled into the trigger's WHEN clause, ``common.tg__forbid_transition()``;
- ``hand_written``: the per-table PL/pgSQL trigger it replaces (cocopay's before migration 0025:
  ``WHEN (old.status IS DISTINCT FROM new.status)``, a CASE over the moves, then
  ``common.forbid_transition``);
- ``no_trigger``: the floor.

Every UPDATE is an allowed move (pending -> deploying -> failed -> pending, a cycle of
stores.deployment_status's machine), which is what applications do. Rounds are interleaved (each
round runs every variant, in a rotating order) and the medians are reported:

- bulk: one ``UPDATE`` moving every row of the table a step, in microseconds per row (the
  trigger's share of a set-based write);
- single: one prepared single-row ``UPDATE`` per round trip (a round's statements in one
  transaction), in microseconds per statement: what an application's call sees.

The ratio generic / hand-written is the figure of issue 7 (aim: <= 1.10).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))

import psycopg

from chaindb import admin

SCRATCH = "chaindb_bench_state_machine"
VARIANTS = ("generic", "hand_written", "no_trigger")
MOVES = "{pending>deploying, deploying>deployed|failed, failed>pending}"
NEXT_STATE = (
    "CASE status WHEN 'pending' THEN 'deploying' WHEN 'deploying' THEN 'failed' ELSE 'pending' END"
    "::cocopay.deployment_status"
)

HAND_WRITTEN = """
CREATE FUNCTION bench.tg_hand_written__status_transition()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT (CASE OLD.status
        WHEN 'pending' THEN NEW.status = 'deploying'
        WHEN 'deploying' THEN NEW.status IN ('deployed', 'failed')
        WHEN 'failed' THEN NEW.status = 'pending'
        ELSE false
    END) THEN
        PERFORM common.forbid_transition(TG_TABLE_NAME, OLD.status::text, NEW.status::text);
    END IF;
    RETURN NEW;
END
$fn$;

CREATE TRIGGER hand_written_status_transition
BEFORE UPDATE ON bench.hand_written
FOR EACH ROW
WHEN (old.status IS DISTINCT FROM new.status)
EXECUTE FUNCTION bench.tg_hand_written__status_transition();
"""


def setup(conn: psycopg.Connection[Any], rows: int) -> None:
    conn.execute("CREATE SCHEMA bench")
    for name in VARIANTS:
        conn.execute(
            f"CREATE TABLE bench.{name} (id integer PRIMARY KEY, "
            "status cocopay.deployment_status NOT NULL DEFAULT 'pending', payload text NOT NULL)"
        )
        conn.execute(
            f"INSERT INTO bench.{name} (id, payload) SELECT g, repeat('x', 40) FROM generate_series(1, %s) AS g",
            (rows,),
        )
    conn.execute(f"CALL common.define_state_machine('bench.generic', 'status', '{MOVES}')")
    conn.execute(HAND_WRITTEN)
    for name in VARIANTS:
        conn.execute(f"VACUUM ANALYZE bench.{name}")


def check_equivalent(conn: psycopg.Connection[Any]) -> None:
    """Both triggers refuse the same forbidden move with the same error (else the comparison is moot)."""
    for name in ("generic", "hand_written"):
        conn.execute(f"UPDATE bench.{name} SET status = 'pending' WHERE id = 1")
        try:
            conn.execute(f"UPDATE bench.{name} SET status = 'deployed' WHERE id = 1")
        except psycopg.Error as exc:
            assert exc.sqlstate == "CD001", exc
        else:
            raise AssertionError(f"{name}: pending -> deployed was allowed")


def bulk_round(conn: psycopg.Connection[Any], name: str, rows: int) -> float:
    """Microseconds per row of one UPDATE moving every row one step (committed)."""
    started = time.perf_counter()
    conn.execute(f"UPDATE bench.{name} SET status = {NEXT_STATE}")
    elapsed = time.perf_counter() - started
    conn.execute(f"VACUUM bench.{name}")
    return elapsed / rows * 1e6


def single_round(conn: psycopg.Connection[Any], name: str, ids: list[int]) -> float:
    """Median microseconds of one prepared single-row UPDATE, in one transaction per round (so that the
    commit's fsync does not drown the trigger)."""
    query = f"UPDATE bench.{name} SET status = {NEXT_STATE} WHERE id = %s"
    latencies = []
    with conn.transaction(), conn.cursor() as cur:
        for row_id in ids:
            started = time.perf_counter()
            cur.execute(query, (row_id,), prepare=True)
            latencies.append(time.perf_counter() - started)
    conn.execute(f"VACUUM bench.{name}")
    return statistics.median(latencies) * 1e6


def run(url: str, *, rows: int, rounds: int, singles: int) -> dict[str, dict[str, float]]:
    """Migrates a scratch database on the server of ``url``, runs the rounds, returns the medians."""
    url = admin.libpq_url(url)
    scratch_url = admin.create_database(url, SCRATCH)
    try:
        admin.migrate(scratch_url)
        with psycopg.connect(scratch_url, autocommit=True) as conn:
            setup(conn, rows)
            check_equivalent(conn)
            rng = random.Random(7)
            bulk: dict[str, list[float]] = {name: [] for name in VARIANTS}
            single: dict[str, list[float]] = {name: [] for name in VARIANTS}
            for name in VARIANTS:  # warm-up, not counted
                bulk_round(conn, name, rows)
                single_round(conn, name, rng.sample(range(1, rows + 1), min(singles, rows)))
            for number in range(rounds):
                order = VARIANTS[number % len(VARIANTS):] + VARIANTS[: number % len(VARIANTS)]
                for name in order:
                    bulk[name].append(bulk_round(conn, name, rows))
                    single[name].append(single_round(conn, name, rng.sample(range(1, rows + 1), min(singles, rows))))
                print(
                    f"  round {number + 1}/{rounds}: "
                    + ", ".join(f"{n} {bulk[n][-1]:.2f} us/row {single[n][-1]:.0f} us/stmt" for n in VARIANTS),
                    flush=True,
                )
        return {
            "bulk": {name: statistics.median(values) for name, values in bulk.items()},
            "single": {name: statistics.median(values) for name, values in single.items()},
        }
    finally:
        admin.drop_database(url, SCRATCH)


def report(medians: dict[str, dict[str, float]]) -> None:
    bulk, single = medians["bulk"], medians["single"]
    print()
    print(f"{'status UPDATE (medians)':<28}{'bulk, us/row':>14}{'single, us/stmt':>18}")
    for name in VARIANTS:
        print(f"{name.replace('_', '-'):<28}{bulk[name]:>14.2f}{single[name]:>18.1f}")
    bulk_ratio = bulk["generic"] / bulk["hand_written"]
    single_ratio = single["generic"] / single["hand_written"]
    print(f"{'generic / hand-written':<28}{bulk_ratio:>13.2f}x{single_ratio:>17.2f}x")
    verdict = "within" if max(bulk_ratio, single_ratio) <= 1.10 else "ABOVE"
    print(f"generic trigger cost {verdict} the 1.10x aim of issue 7")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", help="server URL (default: $DATABASE_URL, else the embedded server)")
    parser.add_argument("--quick", action="store_true", help="a short run: 20,000 rows, 5 rounds, 300 singles")
    parser.add_argument("--rows", type=int, help="rows per table (default 100,000)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 11)")
    parser.add_argument("--singles", type=int, help="single-row UPDATEs per variant and round (default 1,000)")
    args = parser.parse_args(argv)
    rows = args.rows or (20_000 if args.quick else 100_000)
    rounds = args.rounds or (5 if args.quick else 11)
    singles = args.singles or (300 if args.quick else 1_000)

    url = args.url or os.environ.get("DATABASE_URL")
    if not url:
        from chaindb.embedded import Embedded

        url = Embedded().start()
    print(f"scratch database {SCRATCH}: {rows:,} rows per table, {rounds} interleaved rounds", flush=True)
    report(run(url, rows=rows, rounds=rounds, singles=singles))
    return 0


if __name__ == "__main__":
    sys.exit(main())
