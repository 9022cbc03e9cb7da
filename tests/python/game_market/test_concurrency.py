"""Races, settled by the database, as the application connects (chaindb_app, one connection per worker):

- 64 concurrent deliveries of the same settlement webhook, 20 rounds (users and guests): one purchase paid, one
  entitlement, one set of ledger entries, one payout per invoice, and every caller gets the same paid purchase;
- 32 concurrent creations of the same invoice's purchase, 10 rounds: one purchase, one receipt code;
- 32 payout workers claiming concurrently, 10 rounds: every payout claimed exactly once, and a worker never waits
  for another's claim (FOR UPDATE SKIP LOCKED);
- a refund waits for a download in flight (the entitlement is locked FOR SHARE);
- a failing payout attempt waits for a refund in flight (the purchase is locked FOR SHARE).
"""

from __future__ import annotations

import datetime
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from chaindb import admin, db, errors
from chaindb.game_market import queries as q

PROVIDER = "lnbits"


def race(
    workers: int,
    rounds: int,
    db_url: str,
    body: Callable[[psycopg.Connection[Any], int, int], object],
    prepare: Callable[[int], None] | None = None,
) -> list[list[object]]:
    """Runs body(conn, round, worker) in `workers` threads, each with its own chaindb_app connection, all lined up
    on a barrier before every round (prepare(round), when given, runs once as they are released). Returns the
    outcomes per round: the value, or the exception's class name and SQLSTATE."""
    prepared = [0]

    def before_round() -> None:
        if prepare is not None:
            prepare(prepared[0])
        prepared[0] += 1

    barrier = threading.Barrier(workers, action=before_round)
    outcomes: list[list[object]] = [[] for _ in range(rounds)]
    lock = threading.Lock()
    crashes: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            with db.connect(db_url, role=admin.APP_ROLE, autocommit=True) as own:
                for round_ in range(rounds):
                    barrier.wait(timeout=120)
                    try:
                        outcome: object = body(own, round_, index)
                    except errors.ChainDBError as error:
                        outcome = (type(error).__name__, error.sqlstate)
                    with lock:
                        outcomes[round_].append(outcome)
        except BaseException as error:  # a crashed worker fails the test instead of hanging the barrier
            crashes.append(error)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not crashes, crashes
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.mark.slow
def test_64_concurrent_settlement_webhooks_settle_once(
    app: psycopg.Connection[Any], conn: psycopg.Connection, db_url: str, store: Any, player: q.User
) -> None:
    workers, rounds = 64, 20
    invoices = [f"race-{r}-{uuid.uuid4().hex[:8]}" for r in range(rounds)]
    purchases = []
    for r, inv in enumerate(invoices):
        create = q.purchase_create_for_guest if r % 2 else q.purchase_create_for_user
        extra = {} if r % 2 else {"buyer_user_id": player.id}
        purchases.append(
            create(
                app, game_id=store.game.id, invoice_provider=PROVIDER, invoice_id=inv, amount_msat=10_001 + r, **extra
            )
        )

    outcomes = race(
        workers, rounds, db_url,
        lambda own, r, _: q.purchase_settle(own, invoice_provider=PROVIDER, invoice_id=invoices[r]),
    )

    for r, seen in enumerate(outcomes):
        assert len(seen) == workers
        assert all(isinstance(o, q.Purchase) for o in seen), (r, Counter(map(str, seen)))
        assert len({(o.id, o.status, o.paid_at) for o in seen if isinstance(o, q.Purchase)}) == 1, r
        first = seen[0]
        assert isinstance(first, q.Purchase) and first.status is q.PurchaseStatus.PAID
    rows = conn.execute(
        """
        SELECT p.id, p.status::text,
               (SELECT count(*) FROM game_market.entitlements AS e
                WHERE e.purchase_id = p.id AND e.granted_at = p.paid_at AND e.game_id = p.game_id
                  AND e.buyer_user_id IS NOT DISTINCT FROM p.buyer_user_id
                  AND e.guest_receipt_code IS NOT DISTINCT FROM p.guest_receipt_code),
               (SELECT count(*) FROM game_market.entitlements AS e WHERE e.purchase_id = p.id),
               (SELECT array_agg(l.type::text || ':' || l.amount_msat ORDER BY l.type)
                FROM game_market.ledger_entries AS l WHERE l.purchase_id = p.id),
               (SELECT array_agg(po.status::text || ':' || po.amount_msat) FROM game_market.payouts AS po
                WHERE po.purchase_id = p.id)
        FROM game_market.purchases AS p WHERE p.invoice_id = ANY(%s)
        ORDER BY p.amount_msat
        """,
        (invoices,),
    ).fetchall()
    assert len(rows) == rounds
    for r, (pid, status, matching, entitlements, ledger, payouts) in enumerate(rows):
        amount = 10_001 + r
        fee = amount // 10
        assert (pid, status, matching, entitlements) == (purchases[r].id, "paid", 1, 1)
        assert ledger == [f"sale:{amount}", f"platform_fee:{fee}", f"developer_share:{amount - fee}"]
        assert payouts == [f"pending:{amount - fee}"]
    assert conn.execute("SELECT count(*) FROM game_market.payouts").fetchone() == (rounds,)


@pytest.mark.slow
def test_concurrent_creations_of_one_invoice_make_one_purchase(
    conn: psycopg.Connection, db_url: str, store: Any
) -> None:
    workers, rounds = 32, 10
    invoices = [f"create-{r}-{uuid.uuid4().hex[:8]}" for r in range(rounds)]
    outcomes = race(
        workers, rounds, db_url,
        lambda own, r, _: q.purchase_create_for_guest(
            own, game_id=store.game.id, invoice_provider=PROVIDER, invoice_id=invoices[r], amount_msat=500
        ),
    )
    for r, seen in enumerate(outcomes):
        assert all(isinstance(o, q.Purchase) for o in seen), (r, seen)
        assert len({(o.id, o.guest_receipt_code) for o in seen if isinstance(o, q.Purchase)}) == 1, r
    assert conn.execute(
        "SELECT count(*), count(DISTINCT guest_receipt_code) FROM game_market.purchases WHERE invoice_id = ANY(%s)",
        (invoices,),
    ).fetchone() == (rounds, rounds)


@pytest.mark.slow
def test_concurrent_payout_workers_claim_each_payout_once(
    app: psycopg.Connection[Any], conn: psycopg.Connection, db_url: str, store: Any, player: q.User
) -> None:
    workers, rounds, per_round = 32, 10, 96
    batches: list[set[uuid.UUID]] = []

    def pending_payouts(r: int) -> None:
        """Before each round: per_round new paid purchases, so per_round pending payouts."""
        ids = set()
        for n in range(per_round):
            inv = f"pay-{r}-{n}-{uuid.uuid4().hex[:6]}"
            q.purchase_create_for_user(
                app, game_id=store.game.id, buyer_user_id=player.id, invoice_provider=PROVIDER, invoice_id=inv,
                amount_msat=1_000,
            )
            ids.add(q.purchase_settle(app, invoice_provider=PROVIDER, invoice_id=inv).id)
        batches.append(ids)

    claimed_per_round: list[list[q.Payout]] = [[] for _ in range(rounds)]
    lock = threading.Lock()

    def work(own: psycopg.Connection[Any], r: int, _: int) -> int:
        # the payouts of earlier rounds are completed: each round starts with its per_round pending ones
        got = 0
        while batch := q.payout_claim(own, max_rows=2):
            with lock:
                claimed_per_round[r].extend(batch)
            for p in batch:
                q.payout_complete(own, id=p.id)
            got += len(batch)
        return got

    outcomes = race(workers, rounds, db_url, work, prepare=pending_payouts)
    for r in range(rounds):
        assert all(isinstance(o, int) for o in outcomes[r]), outcomes[r]
        claimed = claimed_per_round[r]
        assert Counter(p.id for p in claimed).most_common(1)[0][1] == 1, "a payout was claimed twice"
        assert {p.purchase_id for p in claimed} == batches[r]
        assert {(p.status, p.attempt_count) for p in claimed} == {(q.PayoutStatus.SENDING, 1)}
    assert conn.execute(
        "SELECT status::text, attempt_count, count(*) FROM game_market.payouts GROUP BY 1, 2"
    ).fetchall() == [("completed", 1, rounds * per_round)]


def test_a_claim_in_progress_never_blocks_another_worker(
    app: psycopg.Connection[Any], db_url: str, store: Any, player: q.User
) -> None:
    """SKIP LOCKED: while one worker's claim is uncommitted, another claims the next payout at once."""
    for n in range(2):
        inv = f"skip-{n}-{uuid.uuid4().hex[:6]}"
        q.purchase_create_for_user(
            app, game_id=store.game.id, buyer_user_id=player.id, invoice_provider=PROVIDER, invoice_id=inv,
            amount_msat=1_000,
        )
        q.purchase_settle(app, invoice_provider=PROVIDER, invoice_id=inv)
    with db.connect(db_url, role=admin.APP_ROLE) as first, db.connect(db_url, role=admin.APP_ROLE) as second:
        (held,) = q.payout_claim(first, max_rows=1)  # first's transaction stays open, the row locked
        second.execute("SET lock_timeout = '2s'")
        (other,) = q.payout_claim(second, max_rows=1)
        assert other.id != held.id
        second.commit()
        first.commit()


def test_a_refund_waits_for_a_download_in_flight(
    app: psycopg.Connection[Any], db_url: str, store: Any, player: q.User
) -> None:
    """record_download locks the entitlement FOR SHARE: a refund cannot revoke it under a download being recorded,
    and a download after the refund sees it revoked."""
    inv = f"lock-{uuid.uuid4().hex[:6]}"
    q.purchase_create_for_user(
        app, game_id=store.game.id, buyer_user_id=player.id, invoice_provider=PROVIDER, invoice_id=inv,
        amount_msat=1_000,
    )
    paid = q.purchase_settle(app, invoice_provider=PROVIDER, invoice_id=inv)
    entitlement = q.entitlement_get_by_purchase(app, purchase_id=paid.id)
    assert entitlement is not None
    with db.connect(db_url, role=admin.APP_ROLE) as downloading, db.connect(db_url, role=admin.APP_ROLE) as refunding:
        q.download_record(downloading, entitlement_id=entitlement.id, release_id=store.release.id, ip="10.0.0.1")
        refunding.execute("SET lock_timeout = '500ms'")
        with pytest.raises(errors.LockNotAvailable):
            q.purchase_refund(refunding, id=paid.id)
        refunding.rollback()
        downloading.commit()
        assert q.purchase_refund(refunding, id=paid.id).status is q.PurchaseStatus.REFUNDED
        refunding.commit()
    with pytest.raises(errors.PreconditionFailed):
        q.download_record(app, entitlement_id=entitlement.id, release_id=store.release.id, ip="10.0.0.1")


def test_a_failing_attempt_waits_for_a_refund_in_flight(
    app: psycopg.Connection[Any], db_url: str, store: Any, player: q.User
) -> None:
    """fail_payout reads the purchase's status under a lock: an attempt that fails while its purchase is being
    refunded waits for the refund and cancels the payout, instead of leaving it failed and retried (paid) after it."""
    inv = f"fail-{uuid.uuid4().hex[:6]}"
    q.purchase_create_for_user(
        app, game_id=store.game.id, buyer_user_id=player.id, invoice_provider=PROVIDER, invoice_id=inv,
        amount_msat=1_000,
    )
    paid = q.purchase_settle(app, invoice_provider=PROVIDER, invoice_id=inv)
    (sending,) = q.payout_claim(app, max_rows=1)
    with db.connect(db_url, role=admin.APP_ROLE) as refunding, db.connect(db_url, role=admin.APP_ROLE) as failing:
        assert q.purchase_refund(refunding, id=paid.id).status is q.PurchaseStatus.REFUNDED  # not committed yet
        failing.execute("SET lock_timeout = '500ms'")
        with pytest.raises(errors.LockNotAvailable):
            q.payout_fail(failing, id=sending.id, attempt_count=sending.attempt_count, error="no route")
        failing.rollback()
        refunding.commit()
        cancelled = q.payout_fail(failing, id=sending.id, attempt_count=sending.attempt_count, error="no route")
        failing.commit()
    assert (cancelled.status, cancelled.last_error) == (q.PayoutStatus.CANCELLED, "no route")
    assert q.payout_claim(app, max_rows=10) == []


@pytest.mark.slow
def test_concurrent_refunds_and_publications_happen_once(
    app: psycopg.Connection[Any], conn: psycopg.Connection, db_url: str, store: Any, player: q.User
) -> None:
    """The rule functions lock the row before they move it: 32 concurrent refunds of one purchase write one set of
    refund entries; 32 concurrent publications of one release set published_at once; every caller gets the row."""
    workers, rounds = 32, 5
    purchases, releases = [], []
    for r in range(rounds):
        inv = f"refund-{r}-{uuid.uuid4().hex[:6]}"
        q.purchase_create_for_user(
            app, game_id=store.game.id, buyer_user_id=player.id, invoice_provider=PROVIDER, invoice_id=inv,
            amount_msat=1_000,
        )
        purchases.append(q.purchase_settle(app, invoice_provider=PROVIDER, invoice_id=inv).id)
        release = q.release_create(app, game_id=store.game.id, version=f"2.{r}.0", release_notes_md=None)
        q.build_asset_create(
            app, release_id=release.id, object_key=f"builds/2.{r}.0.zip", sha256="1" * 64, size_bytes=1,
            content_type="application/zip",
        )
        releases.append(release.id)

    def both(own: psycopg.Connection[Any], r: int, worker: int) -> object:
        if worker % 2:
            return q.purchase_refund(own, id=purchases[r]).status
        return q.release_publish(own, id=releases[r]).published_at

    outcomes = race(workers, rounds, db_url, both)
    for r, seen in enumerate(outcomes):
        refunds = [o for o in seen if o == q.PurchaseStatus.REFUNDED]
        published = {o for o in seen if isinstance(o, datetime.datetime)}
        assert len(refunds) == workers // 2 and len(published) == 1, (r, Counter(map(str, seen)))
    rows = conn.execute(
        """
        SELECT (SELECT count(*) FROM game_market.ledger_entries WHERE purchase_id = ANY(%(p)s)),
               (SELECT count(*) FROM game_market.entitlements
                WHERE purchase_id = ANY(%(p)s) AND revoked_at IS NOT NULL),
               (SELECT count(*) FROM game_market.payouts WHERE purchase_id = ANY(%(p)s) AND status = 'cancelled'),
               (SELECT count(*) FROM game_market.releases WHERE id = ANY(%(r)s) AND published_at IS NOT NULL)
        """,
        {"p": purchases, "r": releases},
    ).fetchone()
    assert rows == (rounds * 6, rounds, rounds, rounds)
