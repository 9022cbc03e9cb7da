"""Ingest through the generated function, as the app: event + pending verification in one transaction or
neither, idempotent replays, named refusals, and 64 concurrent deliveries of each webhook."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from chaindb import admin, db, errors
from chaindb.tips import fakes, verify
from chaindb.tips import queries as q


def counts(conn: psycopg.Connection[Any]) -> tuple[int, int]:
    row = conn.execute("SELECT (SELECT count(*) FROM tips.events), (SELECT count(*) FROM tips.event_verifications)")
    return tuple(row.fetchone())  # type: ignore[arg-type, return-value]


def test_ingest_stores_the_event_and_its_pending_verification(
    app: psycopg.Connection[Any], conn: psycopg.Connection[Any], host: q.Host
) -> None:
    signer, sig = fakes.pubkey("alice"), fakes.signature("ingest")
    verification = q.event_ingest(app, event_id="wh-1", host=host.wallet, signer=signer, amount=2_500_000,
                                  mint=verify.USDC_MINT, signature=sig)
    assert verification.status is q.VerificationStatus.PENDING
    assert (verification.event_id, verification.signature, verification.slot, verification.helius_response) == (
        "wh-1", sig, None, {}
    )
    assert (verification.attempt_count, verification.claim_token, verification.error_code) == (0, None, None)
    event = q.event_get(app, id="wh-1")
    assert event is not None
    assert (event.host, event.signer, event.amount, event.mint, event.signature) == (
        host.wallet, signer, 2_500_000, verify.USDC_MINT, sig
    )
    assert counts(conn) == (1, 1)


def test_a_replayed_webhook_changes_nothing(
    app: psycopg.Connection[Any], conn: psycopg.Connection[Any], host: q.Host, ingest: Callable[..., Any]
) -> None:
    tip = ingest(name="wh-replay")
    before = conn.execute("SELECT t.*::text FROM tips.event_verifications AS t").fetchall()
    again = q.event_ingest(app, event_id=tip.event_id, host=host.wallet, signer=tip.signer, amount=tip.amount,
                           mint=tip.mint, signature=tip.signature)
    assert again == tip.verification
    assert conn.execute("SELECT t.*::text FROM tips.event_verifications AS t").fetchall() == before
    assert counts(conn) == (1, 1)


def test_the_same_event_id_with_another_tip_is_refused(
    app: psycopg.Connection[Any], conn: psycopg.Connection[Any], host: q.Host, ingest: Callable[..., Any]
) -> None:
    tip = ingest(name="wh-conflict")
    with pytest.raises(errors.IdempotencyConflict) as refused:
        q.event_ingest(app, event_id=tip.event_id, host=host.wallet, signer=tip.signer, amount=tip.amount + 1,
                       mint=tip.mint, signature=tip.signature)
    assert (refused.value.sqlstate, refused.value.constraint, refused.value.table) == ("CD002", "events_pkey", "events")
    assert refused.value.detail == "event_id=wh-conflict differs in: amount"
    assert counts(conn) == (1, 1)


@pytest.mark.parametrize(
    ("change", "error", "constraint"),
    [
        ({"host": fakes.pubkey("nobody")}, errors.ForeignKeyViolation, "events_host_fkey"),
        ({"signature": "taken"}, errors.UniqueViolation, "events_signature_key"),
        ({"signer": "0x" + "ab" * 20}, errors.CheckViolation, "events_signer_check"),
        ({"signer": "host"}, errors.CheckViolation, "events_signer_host_check"),
        ({"amount": 0}, errors.CheckViolation, "events_amount_check"),
        ({"mint": "USDC"}, errors.CheckViolation, "events_mint_check"),
        ({"signature": fakes.pubkey("short")}, errors.CheckViolation, "events_signature_check"),
        ({"event_id": "has space"}, errors.CheckViolation, "events_id_check"),
    ],
)
def test_bad_input_is_refused_by_name_and_writes_nothing(
    app: psycopg.Connection[Any], conn: psycopg.Connection[Any], host: q.Host, ingest: Callable[..., Any],
    change: dict[str, Any], error: type[errors.ChainDBError], constraint: str,
) -> None:
    taken = ingest(name="wh-taken")
    args: dict[str, Any] = {"event_id": "wh-bad", "host": host.wallet, "signer": fakes.pubkey("bob"),
                            "amount": 1_000, "mint": verify.USDC_MINT, "signature": fakes.signature("wh-bad")}
    args |= change
    if args["signature"] == "taken":
        args["signature"] = taken.signature
    if args["signer"] == "host":
        args["signer"] = host.wallet
    with pytest.raises(error) as refused:
        q.event_ingest(app, **args)
    assert refused.value.constraint == constraint
    assert counts(conn) == (1, 1)


DELIVERIES = 64
ROUNDS = 10


@pytest.mark.slow
def test_64_concurrent_deliveries_of_a_webhook_make_one_event_and_one_verification(
    db_url: str, conn: psycopg.Connection[Any], host: q.Host
) -> None:
    """Each round, 64 connections (as the app) line up on a barrier and deliver the same webhook at once."""
    barrier = threading.Barrier(DELIVERIES)
    seen: list[Counter[Any]] = [Counter() for _ in range(ROUNDS)]
    lock = threading.Lock()
    crashes: list[BaseException] = []

    def deliver() -> None:
        try:
            with db.connect(db_url, role=admin.APP_ROLE, autocommit=True) as own:
                for round_ in range(ROUNDS):
                    name = f"storm-{round_}"
                    barrier.wait(timeout=60)
                    verification = q.event_ingest(
                        own, event_id=name, host=host.wallet, signer=fakes.pubkey(f"fan {round_}"),
                        amount=1_000 + round_, mint=verify.USDC_MINT, signature=fakes.signature(name),
                    )
                    with lock:
                        seen[round_][(verification.id, verification.status)] += 1
        except BaseException as error:  # a crashed thread must fail the test, not hang the barrier
            crashes.append(error)
            barrier.abort()

    threads = [threading.Thread(target=deliver) for _ in range(DELIVERIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert crashes == []
    stored = dict(conn.execute("SELECT event_id, id FROM tips.event_verifications").fetchall())
    for round_ in range(ROUNDS):
        # all 64 deliveries got the one verification back
        assert seen[round_] == {(stored[f"storm-{round_}"], q.VerificationStatus.PENDING): DELIVERIES}
    assert counts(conn) == (ROUNDS, ROUNDS)
    assert conn.execute(
        "SELECT count(*) FROM tips.events AS e JOIN tips.event_verifications AS v ON v.event_id = e.id "
        "WHERE v.signature = e.signature AND v.status = 'pending'"
    ).fetchone() == (ROUNDS,)


RACERS = 32


@pytest.mark.slow
def test_one_transaction_under_32_concurrent_event_ids_is_one_tip(
    db_url: str, conn: psycopg.Connection[Any], host: q.Host
) -> None:
    """Each round, 32 connections report the same transaction under 32 event ids at once: one tip is stored,
    the 31 others are refused by name (23505 events_signature_key), never double-counted."""
    barrier = threading.Barrier(RACERS)
    outcomes: list[Counter[str]] = [Counter() for _ in range(ROUNDS)]
    lock = threading.Lock()
    crashes: list[BaseException] = []

    def report(index: int) -> None:
        try:
            with db.connect(db_url, role=admin.APP_ROLE, autocommit=True) as own:
                for round_ in range(ROUNDS):
                    barrier.wait(timeout=60)
                    try:
                        q.event_ingest(own, event_id=f"dup-{round_}-{index}", host=host.wallet,
                                       signer=fakes.pubkey("fan"), amount=5_000, mint=verify.USDC_MINT,
                                       signature=fakes.signature(f"dup-{round_}"))
                        outcome = "stored"
                    except errors.UniqueViolation as refused:
                        outcome = f"refused {refused.constraint}"
                    with lock:
                        outcomes[round_][outcome] += 1
        except BaseException as error:
            crashes.append(error)
            barrier.abort()

    threads = [threading.Thread(target=report, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert crashes == []
    assert all(o == {"stored": 1, "refused events_signature_key": RACERS - 1} for o in outcomes), outcomes
    assert counts(conn) == (ROUNDS, ROUNDS)


def test_the_app_cannot_store_a_tip_without_its_verification(app: psycopg.Connection[Any], host: q.Host) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app.execute(
            "INSERT INTO tips.events (id, host, signer, amount, mint, signature) VALUES (%s, %s, %s, 1, %s, %s)",
            ("raw", host.wallet, fakes.pubkey("raw"), verify.USDC_MINT, fakes.signature("raw")),
        )


def test_nobody_stores_an_event_without_its_verification(conn: psycopg.Connection[Any], host: q.Host) -> None:
    """Not even the owner: the deferred constraint trigger refuses the commit (CD007), and nothing is left."""
    conn.execute(f"SET ROLE {admin.OWNER_ROLE}")
    with pytest.raises(psycopg.Error) as refused, conn.transaction():
        conn.execute(
            "INSERT INTO tips.events (id, host, signer, amount, mint, signature) VALUES (%s, %s, %s, 1, %s, %s)",
            ("alone", host.wallet, fakes.pubkey("alone"), verify.USDC_MINT, fakes.signature("alone")),
        )
    assert (refused.value.sqlstate, refused.value.diag.constraint_name) == ("CD007", "events_verification_required")
    assert counts(conn) == (0, 0)
