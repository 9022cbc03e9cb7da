"""Races settled by the database. Every worker has its own connection as ``chaindb_app`` and calls the generated
functions; workers line up on a ``threading.Barrier`` so that their calls meet.

- simultaneous signatures: 64 rounds x 16 contracts, buyer and seller sign each at the same instant (32 workers):
  every contract ends EXECUTING with exactly one execution job and both signatures;
- the queue: 8 workers drain 2,000 execution jobs (claim with FOR UPDATE SKIP LOCKED, complete), 10% of them fail
  their first attempt: every (job, attempt) runs exactly once, every job ends COMPLETED, none PROCESSING;
- the magic link: 64 workers use one token at once, 10 rounds: exactly one signs, 63 find it used;
- one listing, 32 offers accepted at once by its seller, 10 rounds: one is accepted, 31 find the listing taken;
- one escrow, 32 milestones added at once, 10 rounds: they never add up to more than the escrow;
- one DISPUTED escrow released and refunded by 32 workers at once, 10 rounds: one settlement wins;
- a contract created while a new template is being published waits for it and uses it (no spurious refusal).
"""

from __future__ import annotations

import datetime
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

from chaindb import admin, db, errors
from chaindb.bloxtr8 import queries as q


@contextmanager
def app_connection(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    with db.connect(db_url, role=admin.APP_ROLE, autocommit=True) as conn:
        yield conn


def run_workers(count: int, work: Callable[[int, psycopg.Connection[Any]], None], db_url: str) -> None:
    """Runs work(index, own connection) in count threads; re-raises the first crash."""
    crashes: list[BaseException] = []

    def target(index: int) -> None:
        try:
            with app_connection(db_url) as own:
                work(index, own)
        except BaseException as crash:  # a crashed worker must fail the test, not hang the others
            crashes.append(crash)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    if crashes:
        raise crashes[0]


def outcome(call: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    try:
        call(*args, **kwargs)
        return "ok"
    except errors.ChainDBError as error:
        return f"{error.sqlstate} {error.constraint}"


@pytest.mark.slow
def test_simultaneous_signatures_queue_one_job_each(db_url: str, conn: psycopg.Connection, world: Any,
                                                     deals: Any) -> None:
    """Signing locks the contract (bloxtr8.signable_contract): the second signature counts the first and moves the
    contract to EXECUTING."""
    rounds, pairs = 64, 16
    contracts = deals(rounds * pairs, prefix="sig")
    barrier = threading.Barrier(2 * pairs)
    lock = threading.Lock()
    returned: Counter[str] = Counter()

    def signer(index: int, own: psycopg.Connection[Any]) -> None:
        user = world.seller.id if index % 2 == 0 else world.buyer.id
        for round_ in range(rounds):
            contract = contracts[round_ * pairs + index // 2]
            barrier.wait(timeout=60)
            try:
                status = q.contract_sign(own, id=contract, user_id=user,
                                         signature_method=q.SignatureMethod.DISCORD_NATIVE).status.value
            except errors.ChainDBError as error:
                status = f"{error.sqlstate} {error.constraint}"
            with lock:
                returned[status] += 1

    run_workers(2 * pairs, signer, db_url)
    assert returned == {"EXECUTING": rounds * pairs, "PENDING_SIGNATURE": rounds * pairs}
    per_contract = conn.execute(
        "SELECT c.status::text, (SELECT count(*) FROM bloxtr8.signatures AS s WHERE s.contract_id = c.id), "
        "(SELECT count(*) FROM bloxtr8.contract_execution_jobs AS j WHERE j.contract_id = c.id), count(*) "
        "FROM bloxtr8.contracts AS c WHERE c.id = ANY(%s) GROUP BY 1, 2, 3",
        (contracts,),
    ).fetchall()
    assert per_contract == [("EXECUTING", 2, 1, rounds * pairs)], "each contract: EXECUTING, 2 signatures, 1 job"
    assert conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE status = 'PENDING' AND attempts = 0) "
        "FROM bloxtr8.contract_execution_jobs"
    ).fetchone() == (rounds * pairs, rounds * pairs)


@pytest.mark.slow
def test_workers_drain_the_queue_each_attempt_once(db_url: str, conn: psycopg.Connection, deals: Any,
                                                   make_due: Callable[[], int]) -> None:
    jobs, workers = 2000, 8
    contracts = deals(jobs, prefix="q", stage="EXECUTING")
    failing = set(contracts[::10])  # 10% fail their first attempt
    attempts: list[tuple[str, int]] = []
    refused: list[str] = []
    lock = threading.Lock()

    def worker(index: int, own: psycopg.Connection[Any]) -> None:
        while claimed := q.execution_job_claim(own, max_jobs=5):
            for job in claimed:
                with lock:
                    attempts.append((job.id, job.attempts))
                try:
                    if job.contract_id in failing and job.attempts == 1:
                        q.execution_job_fail(own, id=job.id, attempt=job.attempts, error="Roblox API timeout")
                    else:
                        q.execution_job_complete(own, id=job.id, attempt=job.attempts)
                except errors.ChainDBError as error:
                    with lock:
                        refused.append(f"{error.sqlstate} {error.constraint}")

    phases = 0
    while conn.execute(
        "SELECT count(*) FROM bloxtr8.contract_execution_jobs WHERE status IN ('PENDING', 'PROCESSING')"
    ).fetchone() != (0,):
        phases += 1
        assert phases <= 3, "the queue does not drain"
        run_workers(workers, worker, db_url)
        make_due()  # the failed jobs' backoff: the clock does not wait in a test

    assert refused == []
    assert len(attempts) == len(set(attempts)) == jobs + len(failing), "every (job, attempt) ran exactly once"
    per_job = Counter(job for job, _ in attempts)
    assert Counter(per_job.values()) == {1: jobs - len(failing), 2: len(failing)}
    assert conn.execute(
        "SELECT j.status::text, c.status::text, j.attempts, count(*) FROM bloxtr8.contract_execution_jobs AS j "
        "JOIN bloxtr8.contracts AS c ON c.id = j.contract_id GROUP BY 1, 2, 3 ORDER BY 3"
    ).fetchall() == [("COMPLETED", "EXECUTED", 1, jobs - len(failing)), ("COMPLETED", "EXECUTED", 2, len(failing))]
    assert conn.execute(
        "SELECT count(*) FROM bloxtr8.contract_execution_jobs j JOIN bloxtr8.contracts c ON c.id = j.contract_id "
        "WHERE j.attempts = 2 AND c.id <> ALL(%s)", (list(failing),)
    ).fetchone() == (0,), "exactly the failing jobs took a second attempt"


@pytest.mark.slow
def test_one_magic_link_signs_once(db_url: str, app: psycopg.Connection[Any], conn: psycopg.Connection, world: Any,
                                   deals: Any) -> None:
    rounds, racers = 10, 64
    contracts = deals(rounds, prefix="tok")
    tokens = [q.sign_token_issue(app, contract_id=c, user_id=world.buyer.id).token for c in contracts]
    barrier = threading.Barrier(racers)
    lock = threading.Lock()
    results: list[Counter[str]] = [Counter() for _ in range(rounds)]

    def racer(index: int, own: psycopg.Connection[Any]) -> None:
        for round_ in range(rounds):
            barrier.wait(timeout=60)
            result = outcome(q.contract_sign_with_token, own, token=tokens[round_], ip_address=f"10.0.0.{index}")
            with lock:
                results[round_][result] += 1

    run_workers(racers, racer, db_url)
    assert results == [Counter({"ok": 1, "CD007 contract_sign_tokens_used": racers - 1})] * rounds
    assert conn.execute(
        "SELECT count(*), count(DISTINCT contract_id), bool_and(user_id = %s AND signature_method = 'WEB_BASED') "
        "FROM bloxtr8.signatures WHERE contract_id = ANY(%s)",
        (world.buyer.id, contracts),
    ).fetchone() == (rounds, rounds, True)
    assert conn.execute(
        "SELECT count(*) FROM bloxtr8.contract_sign_tokens WHERE contract_id = ANY(%s) AND used_at IS NOT NULL",
        (contracts,),
    ).fetchone() == (rounds,)


@pytest.mark.slow
def test_competing_offers_one_accepted(db_url: str, conn: psycopg.Connection, world: Any) -> None:
    """accept_offer locks the listing FOR UPDATE (bloxtr8.lock_active_listing): of 32 offers accepted at once, one
    takes the listing, the others find it no longer ACTIVE."""
    rounds, racers = 10, 32
    offers: list[list[str]] = []
    for _ in range(rounds):
        listing = conn.execute(
            "INSERT INTO bloxtr8.listings (title, summary, price, category, user_id) "
            "VALUES ('Race', 'Raced', 1000, 'obby', %s) RETURNING id", (world.seller.id,)
        ).fetchone()
        assert listing is not None
        offers.append([r[0] for r in conn.execute(
            "INSERT INTO bloxtr8.offers (amount, expiry, listing_id, buyer_id, seller_id) "
            "SELECT 900 + g, now() + interval '1 day', %s, %s, %s FROM generate_series(1, %s) AS g RETURNING id",
            (listing[0], world.buyer.id, world.seller.id, racers),
        )])
    barrier = threading.Barrier(racers)
    lock = threading.Lock()
    results: list[Counter[str]] = [Counter() for _ in range(rounds)]

    def seller(index: int, own: psycopg.Connection[Any]) -> None:
        for round_ in range(rounds):
            barrier.wait(timeout=60)
            result = outcome(q.offer_accept, own, id=offers[round_][index], user_id=world.seller.id)
            with lock:
                results[round_][result] += 1

    run_workers(racers, seller, db_url)
    assert results == [Counter({"ok": 1, "CD007 listings_active": racers - 1})] * rounds
    assert conn.execute(
        "SELECT count(*) FROM bloxtr8.offers WHERE status = 'ACCEPTED' GROUP BY listing_id"
    ).fetchall() == [(1,)] * rounds


@pytest.mark.slow
def test_concurrent_milestones_stay_within_the_escrow(db_url: str, app: psycopg.Connection[Any],
                                                      conn: psycopg.Connection, deals: Any) -> None:
    rounds, racers, amount, part = 10, 32, 10_000, 500
    contracts = deals(rounds, prefix="mil", amount=amount, stage="EXECUTING")
    for job in q.execution_job_claim(app, max_jobs=rounds):
        q.execution_job_complete(app, id=job.id, attempt=job.attempts)
    escrows = [q.escrow_create(app, contract_id=c, payment_intent_id=f"pi_mil{i}").id for i, c in enumerate(contracts)]
    barrier = threading.Barrier(racers)
    lock = threading.Lock()
    results: list[Counter[str]] = [Counter() for _ in range(rounds)]

    def planner(index: int, own: psycopg.Connection[Any]) -> None:
        for round_ in range(rounds):
            barrier.wait(timeout=60)
            result = outcome(q.escrow_milestone_add, own, escrow_id=escrows[round_], title=f"part {index}", amount=part)
            with lock:
                results[round_][result] += 1

    run_workers(racers, planner, db_url)
    fit = amount // part
    assert results == [Counter({"ok": fit, "CD007 milestone_escrows_within_amount": racers - fit})] * rounds
    assert conn.execute(
        "SELECT sum(amount) FROM bloxtr8.milestone_escrows GROUP BY escrow_id"
    ).fetchall() == [(amount,)] * rounds


@pytest.mark.slow
def test_concurrent_escrow_settlements_one_wins(db_url: str, app: psycopg.Connection[Any], conn: psycopg.Connection,
                                                world: Any, deals: Any) -> None:
    """32 workers settle one DISPUTED escrow at once, half releasing it to the seller, half refunding the buyer,
    10 rounds: one settlement wins, the others find the escrow settled (CD001); the Stripe row records only the
    winner's transfer or refund, and the dispute is resolved once."""
    rounds, racers = 10, 32
    contracts = deals(rounds, prefix="esc", amount=10_000, stage="EXECUTING")
    for job in q.execution_job_claim(app, max_jobs=rounds):
        q.execution_job_complete(app, id=job.id, attempt=job.attempts)
    escrows = []
    for i, contract in enumerate(contracts):
        escrow = q.escrow_create(app, contract_id=contract, payment_intent_id=f"pi_esc{i}")
        q.escrow_fund(app, id=escrow.id)
        escrows.append(q.escrow_dispute(app, id=escrow.id, user_id=world.buyer.id, reason="not delivered").id)
    barrier = threading.Barrier(racers)
    lock = threading.Lock()
    results: list[Counter[str]] = [Counter() for _ in range(rounds)]

    def settler(index: int, own: psycopg.Connection[Any]) -> None:
        for round_ in range(rounds):
            barrier.wait(timeout=60)
            if index % 2:
                result = outcome(q.escrow_release, own, id=escrows[round_], transfer_id=f"tr_r{round_}w{index}")
            else:
                result = outcome(q.escrow_refund, own, id=escrows[round_], refund_id=f"re_r{round_}w{index}")
            with lock:
                results[round_][result] += 1

    run_workers(racers, settler, db_url)
    assert [r["ok"] for r in results] == [1] * rounds
    assert [r["CD001 escrows_status_transition"] for r in results] == [racers - 1] * rounds
    settled = conn.execute(
        "SELECT e.status::text, (s.transfer_id IS NOT NULL)::int + (s.refund_id IS NOT NULL)::int, d.status::text "
        "FROM bloxtr8.escrows AS e JOIN bloxtr8.stripe_escrows AS s ON s.escrow_id = e.id "
        "JOIN bloxtr8.disputes AS d ON d.escrow_id = e.id WHERE e.id = ANY(%s)", (escrows,)
    ).fetchall()
    assert all(status in {"RELEASED", "REFUNDED"} and ids == 1 and dispute == "RESOLVED"
               for status, ids, dispute in settled), settled


def test_contract_created_during_a_template_publication_uses_the_new_one(
    db_url: str, app: psycopg.Connection[Any], conn: psycopg.Connection, world: Any
) -> None:
    """A publication locks the active template, deprecates it and inserts the next one; a contract created
    meanwhile waits for that lock. When the publication commits, the contract takes the new template: the row it
    waited for is no longer active, but one is (it used to fail with CD007 contract_templates_active)."""
    listing = q.listing_create(app, user_id=world.seller.id, title="G", summary="S", price=1_000, category="obby")
    offer = q.offer_create(app, listing_id=listing.id, buyer_id=world.buyer.id, amount=1_000,
                           expires_in=datetime.timedelta(hours=1))
    q.offer_accept(app, id=offer.id, user_id=world.seller.id)
    result: list[str] = []
    with db.connect(db_url, role=admin.APP_ROLE) as publisher:
        q.contract_template_publish(publisher, version="2.0.0", name="Agreement v2", terms={"clauses": ["v2"]})

        def create(index: int, own: psycopg.Connection[Any]) -> None:
            try:
                result.append(q.contract_create(own, offer_id=offer.id).template_version)
            except errors.ChainDBError as error:
                result.append(f"{error.sqlstate} {error.constraint}")

        creator = threading.Thread(target=run_workers, args=(1, create, db_url))
        creator.start()
        deadline = time.monotonic() + 30
        while conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND query LIKE '%%create_contract%%'"
        ).fetchone() != (1,):
            assert time.monotonic() < deadline, "the contract did not wait for the publication"
            time.sleep(0.05)
        publisher.commit()
        creator.join(timeout=60)
    assert result == ["2.0.0"]
