"""A status UPDATE through the declared state machine trigger against a hand-written one (issue 7).

Three tables of the same shape (an id, a ``cocopay.deployment_status`` status, a payload) differ
only in their trigger:

- ``generic``: ``CALL common.define_state_machine(...)``, the declaration every schema uses: the
  allowed moves compiled into the trigger's WHEN clause, ``common.tg__forbid_transition()``;
- ``hand_written``: the per-table PL/pgSQL trigger it replaced (a CASE over the moves, then
  ``common.forbid_transition``), fired when the status changes;
- ``no_trigger``: the floor.

Every UPDATE is an allowed move (pending -> deploying -> failed -> pending, a cycle of
``stores.deployment_status``'s machine), which is what applications do, and every table gets the
same moves, so the tables stay alike. Both triggers refuse the same forbidden move with the same
SQLSTATE (checked before measuring).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import psycopg

from bench.harness import Context, Pair, Sample, at_most, interleaved, item
from bench.items.cocopay_calls import draws, warm_up

TABLES = ("generic", "hand_written", "no_trigger")
SIDES = {"generic": "a", "hand_written": "b", "no_trigger": "no_trigger"}
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

EXTRA = {"no_trigger": "the same UPDATE on a table without any trigger (the floor)"}


@contextmanager
def _tables(ctx: Context, label: str, rows: int) -> Iterator[psycopg.Connection[Any]]:
    url = ctx.database(label)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA bench")
            for name in TABLES:
                conn.execute(
                    f"CREATE TABLE bench.{name} (id integer PRIMARY KEY, "
                    "status cocopay.deployment_status NOT NULL DEFAULT 'pending', payload text NOT NULL)"
                )
                conn.execute(
                    f"INSERT INTO bench.{name} (id, payload) "
                    "SELECT g, repeat('x', 40) FROM generate_series(1, %s) AS g",
                    (rows,),
                )
            conn.execute(f"CALL common.define_state_machine('bench.generic', 'status', '{MOVES}')")
            conn.execute(HAND_WRITTEN)
            for name in ("generic", "hand_written"):  # the same refusal, else the comparison is moot
                with conn.transaction(force_rollback=True):
                    try:
                        conn.execute(f"UPDATE bench.{name} SET status = 'deployed' WHERE id = 1")
                    except psycopg.Error as exc:
                        assert exc.sqlstate == "CD001", exc
                    else:
                        raise AssertionError(f"{name}: pending -> deployed was allowed")
            vacuum(conn)
            yield conn
    finally:
        ctx.drop(url)


def vacuum(conn: psycopg.Connection[Any]) -> None:
    for name in TABLES:
        conn.execute(f"VACUUM ANALYZE bench.{name}")


@item(
    "state_machine_bulk",
    "status UPDATE of every row: declared state machine trigger / hand-written PL/pgSQL trigger",
    a="common.define_state_machine: the moves in the trigger's WHEN clause (an allowed move never enters PL/pgSQL)",
    b="a PL/pgSQL trigger with a CASE over the moves (the per-table triggers it replaced)",
    unit="us/row",
    goal=at_most(1.1),
    rounds=7,
    quick_rounds=2,
    extra=EXTRA,
)
@contextmanager
def state_machine_bulk(ctx: Context) -> Iterator[Pair]:
    rows = 10_000 if ctx.quick else 100_000
    with _tables(ctx, "state_machine_bulk", rows) as conn:

        def update_all(name: str) -> Callable[[], float]:
            def measure() -> float:
                started = time.perf_counter()
                conn.execute(f"UPDATE bench.{name} SET status = {NEXT_STATE}")
                seconds = time.perf_counter() - started
                conn.execute(f"VACUUM bench.{name}")
                return seconds / rows * 1e6

            return measure

        yield Pair(
            a=update_all("generic"), b=update_all("hand_written"), extra={"no_trigger": update_all("no_trigger")}
        )


@item(
    "state_machine_single",
    "single-row status UPDATE (prepared): declared state machine trigger / hand-written PL/pgSQL trigger",
    a="common.define_state_machine's trigger",
    b="the hand-written PL/pgSQL trigger",
    unit="us/stmt",
    goal=at_most(1.1),
    rounds=9,
    quick_rounds=2,
    extra=EXTRA,
)
@contextmanager
def state_machine_single(ctx: Context) -> Iterator[Pair]:
    rows = 10_000 if ctx.quick else 100_000
    calls = 200 if ctx.quick else 1_000
    with _tables(ctx, "state_machine_single", rows) as conn:

        def update_one(name: str) -> Callable[[int], object]:
            sql = f"UPDATE bench.{name} SET status = {NEXT_STATE} WHERE id = %s"
            return lambda row_id: conn.execute(sql, (row_id,), prepare=True)

        calls_by_side = {SIDES[name]: update_one(name) for name in TABLES}
        ids = draws(range(1, rows + 1), calls)
        warm_up(list(calls_by_side.values()), ids(-1)[:100])
        measured = interleaved(calls_by_side, ids)
        assert measured.together is not None
        inner = measured.together

        def one_round() -> Mapping[str, float | Sample]:
            # one transaction per round, so that no commit's WAL flush drowns the trigger
            with conn.transaction():
                result = inner()
            vacuum(conn)
            return result

        yield Pair(together=one_round)
