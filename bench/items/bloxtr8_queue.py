"""Bloxtr8's contract execution queue against a minimal queue, both drained by 8 workers.

A: 8 workers (threads, each with its own connection as the application role) drain 10,000 PENDING execution
jobs through the generated functions, ``execution_job_claim(max_jobs=1)`` then ``execution_job_complete``: each
claim takes a due job with FOR UPDATE SKIP LOCKED and a lease (attempt counted, triggers of the declared rules),
each completion fences on the attempt and moves the job and its contract (COMPLETED, EXECUTED) in one transaction.
B: the same 8 workers drain 10,000 rows of a bare table with only the queue's index, by the textbook loop: one
``UPDATE ... FROM (SELECT ... ORDER BY next_retry_at LIMIT 1 FOR UPDATE SKIP LOCKED)`` to claim, one ``UPDATE``
to complete, prepared. Values are jobs per second (the drain only: queues are filled and vacuumed before the
clock starts). Every job of both queues must end completed exactly once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from bench.harness import Context, Pair, at_least, item

WORKERS = 8

BARE = """
CREATE SCHEMA bench;
CREATE TABLE bench.bare_jobs (
    id bigserial PRIMARY KEY,
    status text NOT NULL DEFAULT 'PENDING',
    attempts integer NOT NULL DEFAULT 0,
    next_retry_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz
);
CREATE INDEX bare_jobs_status_next_retry_at_idx ON bench.bare_jobs (status, next_retry_at);
GRANT USAGE ON SCHEMA bench TO chaindb_app;
GRANT SELECT, UPDATE ON bench.bare_jobs TO chaindb_app;
INSERT INTO bloxtr8.users (id, email, kyc_tier) VALUES ('bench_seller', 'seller@bench.test', 'TIER_1'),
    ('bench_buyer', 'buyer@bench.test', 'TIER_1');
INSERT INTO bloxtr8.contract_templates (version, name, terms) VALUES ('1.0.0', 'Bench agreement', '{}');
"""

BARE_CLAIM = """
UPDATE bench.bare_jobs AS j SET status = 'PROCESSING', attempts = j.attempts + 1
FROM (
    SELECT d.id FROM bench.bare_jobs AS d
    WHERE d.status = 'PENDING' AND d.next_retry_at <= now()
    ORDER BY d.next_retry_at LIMIT 1 FOR UPDATE SKIP LOCKED
) AS due
WHERE j.id = due.id
RETURNING j.id, j.attempts
"""
BARE_COMPLETE = """
UPDATE bench.bare_jobs SET status = 'COMPLETED', completed_at = now()
WHERE id = %s AND status = 'PROCESSING' AND attempts = %s
"""


def fill(conn: psycopg.Connection[Any], prefix: str, jobs: int) -> None:
    """jobs EXECUTING contracts with a PENDING job due now (set-based, the tables' triggers run), and as many
    rows in the bare queue."""
    params = {"p": prefix, "n": jobs}
    with conn.transaction():
        conn.execute(
            "INSERT INTO bloxtr8.listings (id, title, summary, price, category, user_id) "
            "SELECT %(p)s || g, 'Game', 'A game', 1000, 'bench', 'bench_seller' FROM generate_series(1, %(n)s) AS g",
            params,
        )
        conn.execute(
            "INSERT INTO bloxtr8.offers (id, amount, expiry, listing_id, buyer_id, seller_id) "
            "SELECT %(p)s || g, 1000, now() + interval '1 day', %(p)s || g, 'bench_buyer', 'bench_seller' "
            "FROM generate_series(1, %(n)s) AS g",
            params,
        )
        conn.execute("UPDATE bloxtr8.offers SET status = 'ACCEPTED' WHERE id LIKE %(p)s || '%%'", params)
        conn.execute("INSERT INTO bloxtr8.contracts (id, offer_id) SELECT id, id FROM bloxtr8.offers "
                     "WHERE id LIKE %(p)s || '%%'", params)
        conn.execute("UPDATE bloxtr8.contracts SET status = 'EXECUTING' WHERE id LIKE %(p)s || '%%'", params)
        conn.execute(
            "INSERT INTO bloxtr8.contract_execution_jobs (contract_id, next_retry_at) "
            "SELECT id, now() FROM bloxtr8.contracts WHERE id LIKE %(p)s || '%%'",
            params,
        )
        conn.execute("INSERT INTO bench.bare_jobs (next_retry_at) SELECT now() FROM generate_series(1, %(n)s)", params)
    conn.execute("VACUUM ANALYZE bloxtr8.contract_execution_jobs, bloxtr8.contracts, bench.bare_jobs")


def drain(workers: list[psycopg.Connection[Any]], step: Callable[[psycopg.Connection[Any]], bool], jobs: int) -> float:
    """Jobs per second for the workers to run step until it finds nothing to claim."""
    crashes: list[BaseException] = []
    start = threading.Barrier(len(workers) + 1)

    def run(conn: psycopg.Connection[Any]) -> None:
        try:
            start.wait()
            while step(conn):
                pass
        except BaseException as crash:  # report it; the other workers drain the queue
            crashes.append(crash)

    threads = [threading.Thread(target=run, args=(c,)) for c in workers]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if crashes:
        raise crashes[0]
    return jobs / elapsed


@item(
    "bloxtr8_queue",
    "execution queue, 8 workers draining jobs (claim, complete): bloxtr8 / bare SKIP LOCKED loop",
    a="execution_job_claim + execution_job_complete (generated, job and contract)",
    b="bare table: UPDATE ... FOR UPDATE SKIP LOCKED, UPDATE",
    unit="jobs/s",
    goal=at_least(0.8),
    rounds=3,
    higher_is_better=True,
    note="per job the real queue writes three rows' worth (job claimed, job completed, contract EXECUTED) with "
    "the declared rules' triggers, against two updates of one bare row",
)
@contextmanager
def bloxtr8_queue(ctx: Context) -> Iterator[Pair]:
    from chaindb.bloxtr8 import queries as q

    jobs = 400 if ctx.quick else 10_000
    url = ctx.database("bloxtr8_queue")
    setup = psycopg.connect(url, autocommit=True)
    setup.execute(BARE)
    workers = [psycopg.connect(ctx.as_app(url), autocommit=True) for _ in range(WORKERS)]
    rounds = [0]

    def a_step(conn: psycopg.Connection[Any]) -> bool:
        claimed = q.execution_job_claim(conn, max_jobs=1)
        for job in claimed:
            q.execution_job_complete(conn, id=job.id, attempt=job.attempts)
        return bool(claimed)

    def b_step(conn: psycopg.Connection[Any]) -> bool:
        row = conn.execute(BARE_CLAIM, prepare=True).fetchone()
        if row is not None:
            conn.execute(BARE_COMPLETE, row, prepare=True)
        return row is not None

    def refill() -> None:
        if not rounds[0] % 2:  # a fresh queue for both sides before each pair of measurements
            ctx.log(f"filling both queues with {jobs:,} jobs")
            fill(setup, f"r{rounds[0]}_", jobs)
        rounds[0] += 1

    def measure(step: Callable[[psycopg.Connection[Any]], bool], left: str) -> float:
        refill()
        rate = drain(workers, step, jobs)
        remaining = setup.execute(left).fetchone()
        if remaining != (0,):
            raise RuntimeError(f"the queue was not drained: {remaining}")
        return rate

    try:
        a_left = "SELECT count(*) FROM bloxtr8.contract_execution_jobs WHERE status <> 'COMPLETED'"
        b_left = "SELECT count(*) FROM bench.bare_jobs WHERE status <> 'COMPLETED'"
        yield Pair(a=lambda: measure(a_step, a_left), b=lambda: measure(b_step, b_left))
        done = setup.execute(
            "SELECT count(*) FILTER (WHERE j.attempts = 1 AND c.status = 'EXECUTED'), count(*) "
            "FROM bloxtr8.contract_execution_jobs AS j JOIN bloxtr8.contracts AS c ON c.id = j.contract_id"
        ).fetchone()
        if done is None or done[0] != done[1]:
            raise RuntimeError(f"a job ran more than once or its contract was not executed: {done}")
    finally:
        for conn in workers:
            conn.close()
        setup.close()
        ctx.drop(url)
