"""The worker with its real clients (solana-py AsyncClient, the Reflect client over httpx) against the local
fakes serving recorded answers: success, not found, mismatch, error; the payout lifecycle at Reflect; claims
that expire or are lost; and four workers over 500 pending tips."""

from __future__ import annotations

import asyncio
import datetime
import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from solders.rpc.responses import GetTransactionResp

from chaindb import admin, db, errors
from chaindb.tips import fakes, verify
from chaindb.tips import queries as q
from chaindb.tips.reflect import ReflectClient, ReflectRejected
from chaindb.tips.worker import Settings, TipWorker, VerifyReport

FAST = Settings(retry_in=datetime.timedelta(0), poll_in=datetime.timedelta(0), max_attempts=2)


@dataclass(frozen=True)
class Claimed:
    """What the worker checks a tip against: the claimed row's event fields."""

    host: str
    signer: str
    amount: int
    mint: str


def state(conn: psycopg.Connection[Any], event_id: str) -> tuple[Any, ...]:
    """(verification status, error_code, attempt_count, claimed, payout status, payout amount)."""
    row = conn.execute(
        "SELECT v.status::text, v.error_code, v.attempt_count, v.claim_token IS NOT NULL, p.status::text, p.amount "
        "FROM tips.event_verifications AS v LEFT JOIN tips.reflect_payouts AS p ON p.event_id = v.event_id "
        "WHERE v.event_id = %s",
        (event_id,),
    ).fetchone()
    assert row is not None
    return tuple(row)


def verify_all(worker: Callable[..., Any], settings: Settings = FAST) -> Any:
    async def go() -> Any:
        async with worker(settings) as w:
            return await w.drain()

    return asyncio.run(go())


def test_a_tip_found_on_chain_is_verified_and_its_payout_created(
    conn: psycopg.Connection[Any], app: psycopg.Connection[Any], ingest: Callable[..., Any],
    on_chain: Callable[..., None], worker: Callable[..., Any], chain: fakes.FakeSolanaRpc,
    reflect: fakes.FakeReflect, host: q.Host,
) -> None:
    usdc, sol = ingest(2_500_000), ingest(10_000_000, verify.WSOL_MINT)
    on_chain(usdc)
    on_chain(sol)
    verified, paid = verify_all(worker)
    assert (verified.claimed, verified.verified, verified.payouts, verified.failed) == (2, 2, 2, 0)
    assert state(conn, usdc.event_id) == ("verified", None, 1, False, "settled", Decimal("2.50"))
    assert state(conn, sol.event_id) == ("verified", None, 1, False, "settled", Decimal("1.50"))  # 0.01 SOL at 150
    assert dict(chain.requests) == {usdc.signature: 1, sol.signature: 1}
    assert (paid.queued, paid.settled) == (2, 2)

    stored = q.verification_get_by_event(app, event_id=usdc.event_id)
    assert stored is not None and stored.slot == 312_000_000 and stored.verified_at is not None
    assert stored.helius_response == {
        "found": True, "slot": 312_000_000, "blockTime": 1_736_000_000, "err": None, "fee": 5000,
        "signers": [usdc.signer], "destination": host.wallet, "mint": verify.USDC_MINT, "received": 2_500_000,
    }
    # deterministic: the same recorded answer, parsed again, gives the same subset
    recorded = {"jsonrpc": "2.0", "id": 9, "result": chain.answers[usdc.signature][1]}
    answer = GetTransactionResp.from_json(json.dumps(recorded))
    claimed = Claimed(host.wallet, usdc.signer, usdc.amount, usdc.mint)
    assert verify.response_subset(claimed, answer.value) == stored.helius_response
    payout = q.payout_get_by_event(app, event_id=usdc.event_id)
    assert payout is not None and payout.reflect_tip_id is not None
    assert reflect.by_id[payout.reflect_tip_id].body == {
        "reference": usdc.event_id, "amount": "2.50", "currency": "USDC", "recipient": host.wallet,
    }
    assert reflect.by_id[payout.reflect_tip_id].key == str(payout.id)


@pytest.mark.parametrize(
    ("difference", "code"),
    [
        ({"amount": 999_999}, verify.AMOUNT_MISMATCH),
        ({"amount": 1_000_001}, verify.AMOUNT_MISMATCH),
        ({"signer": fakes.pubkey("someone else")}, verify.SIGNER_MISMATCH),
        ({"destination": fakes.pubkey("another host")}, verify.DESTINATION_MISMATCH),
    ],
)
@pytest.mark.parametrize("mint", [verify.USDC_MINT, verify.WSOL_MINT])
def test_a_mismatch_fails_the_tip_and_pays_nothing(
    conn: psycopg.Connection[Any], ingest: Callable[..., Any], on_chain: Callable[..., None],
    worker: Callable[..., Any], reflect: fakes.FakeReflect, difference: dict[str, Any], code: str, mint: str,
) -> None:
    tip = ingest(1_000_000, mint)
    on_chain(tip, **difference)
    verified, _ = verify_all(worker)
    assert (verified.verified, verified.failed, verified.payouts) == (0, 1, 0)
    assert state(conn, tip.event_id) == ("failed", code, 1, False, None, None)
    assert conn.execute("SELECT slot, helius_response ->> 'found' FROM tips.event_verifications").fetchone() == (
        312_000_000, "true"
    )
    assert reflect.posts == {}


def test_a_failed_transaction_fails_the_tip(
    conn: psycopg.Connection[Any], ingest: Callable[..., Any], chain: fakes.FakeSolanaRpc, host: q.Host,
    worker: Callable[..., Any],
) -> None:
    tip = ingest(5_000, verify.WSOL_MINT)
    chain.found(tip.signature, fakes.sol_transfer(tip.signature, tip.signer, host.wallet, tip.amount, failed=True))
    verify_all(worker)
    assert state(conn, tip.event_id) == ("failed", verify.TX_FAILED, 1, False, None, None)
    assert conn.execute("SELECT helius_response -> 'err' FROM tips.event_verifications").fetchone() == (
        {"InstructionError": [0, {"Custom": 1}]},
    )


def test_not_found_is_retried_then_fails(
    conn: psycopg.Connection[Any], ingest: Callable[..., Any], chain: fakes.FakeSolanaRpc,
    on_chain: Callable[..., None], worker: Callable[..., Any],
) -> None:
    late, never = ingest(name="late"), ingest(name="never")
    chain.not_found(late.signature)
    chain.not_found(never.signature)

    async def go() -> None:
        async with worker(replace(FAST, max_attempts=3)) as w:
            first = await w.verify_once()
            assert (first.claimed, first.retried) == (2, 2)
            assert state(conn, late.event_id) == ("pending", None, 1, False, None, None)
            on_chain(late)  # the node has it now
            second = await w.verify_once()
            assert (second.verified, second.retried) == (1, 1)
            third = await w.verify_once()
            assert (third.failed, third.error_codes) == (1, {verify.TX_NOT_FOUND: 1})

    asyncio.run(go())
    assert state(conn, late.event_id)[:3] == ("verified", None, 2)
    assert state(conn, never.event_id) == ("failed", verify.TX_NOT_FOUND, 3, False, None, None)
    assert chain.requests[never.signature] == 3


def test_a_released_tip_waits_for_retry_in(
    conn: psycopg.Connection[Any], ingest: Callable[..., Any], chain: fakes.FakeSolanaRpc, worker: Callable[..., Any],
) -> None:
    tip = ingest()
    chain.not_found(tip.signature)

    async def go() -> None:
        async with worker(replace(FAST, retry_in=datetime.timedelta(minutes=5))) as w:
            assert (await w.verify_once()).retried == 1
            assert (await w.verify_once()).claimed == 0

    asyncio.run(go())
    assert conn.execute(
        "SELECT available_at - now() > interval '4 minutes' FROM tips.event_verifications"
    ).fetchone() == (True,)


@pytest.mark.parametrize("failure", ["json-rpc error", "http 503", "malformed error"])
def test_rpc_errors_are_retried_then_fail(
    conn: psycopg.Connection[Any], ingest: Callable[..., Any], chain: fakes.FakeSolanaRpc,
    worker: Callable[..., Any], failure: str,
) -> None:
    tip = ingest()
    if failure == "json-rpc error":
        chain.error(tip.signature)
    elif failure == "http 503":
        chain.http_error(tip.signature, 503)
    else:  # a -32005 error without its data: solders panics parsing it (a BaseException)
        chain.error(tip.signature, {"code": -32005, "message": "Node is unhealthy"})
    verified, _ = verify_all(worker)
    assert (verified.retried, verified.failed) == (1, 1)
    assert state(conn, tip.event_id) == ("failed", verify.RPC_UNAVAILABLE, 2, False, None, None)
    subset = conn.execute("SELECT helius_response FROM tips.event_verifications").fetchone()[0]
    assert subset["found"] is None and subset["error"]["kind"]


def test_a_tip_in_a_mint_without_a_rate_is_verified_but_not_paid(
    conn: psycopg.Connection[Any], ingest: Callable[..., Any], on_chain: Callable[..., None],
    worker: Callable[..., Any],
) -> None:
    tip = ingest(42, fakes.pubkey("some meme coin"))
    on_chain(tip)
    verified, _ = verify_all(worker)
    assert (verified.verified, verified.unpriced, verified.payouts) == (1, 1, 0)
    assert state(conn, tip.event_id) == ("verified", None, 1, False, None, None)


def test_a_worker_whose_claim_was_taken_over_records_nothing(
    conn: psycopg.Connection[Any], app: psycopg.Connection[Any], ingest: Callable[..., Any],
    on_chain: Callable[..., None], worker: Callable[..., Any],
) -> None:
    """Worker A claims and stalls past its lease; worker B claims the row again. A's late outcome is refused
    (CD007: the claim is B's), B's is recorded, and A's outcome after that is refused too (CD001): the tip is
    verified and paid once."""
    tip = ingest()
    on_chain(tip)
    (a_claim,) = q.verification_claim(app, max_rows=10, lease=datetime.timedelta(seconds=30))
    conn.execute("UPDATE tips.event_verifications SET available_at = now() - interval '1 second'")  # the lease ends
    (b_claim,) = q.verification_claim(app, max_rows=10, lease=datetime.timedelta(seconds=30))
    assert b_claim.claim_token != a_claim.claim_token and b_claim.attempt_count == 2
    found = verify.Verdict(None, 312_000_000, {"found": True, "slot": 312_000_000})

    async def record(claim: q.VerificationClaimRow) -> BaseException | VerifyReport:
        async with worker() as w:
            report = VerifyReport()
            try:
                await w._record_verdict(claim, found, report)
            except Exception as exc:  # the refusal, checked below
                return exc
            return report

    late = asyncio.run(record(a_claim))
    assert getattr(late, "constraint", None) == "event_verifications_claim_held"
    done = asyncio.run(record(b_claim))
    assert isinstance(done, VerifyReport) and (done.verified, done.payouts) == (1, 1)
    later = asyncio.run(record(a_claim))
    assert getattr(later, "constraint", None) == "event_verifications_status_transition"
    assert state(conn, tip.event_id)[:4] == ("verified", None, 2, False)
    assert conn.execute("SELECT count(*) FROM tips.reflect_payouts").fetchone() == (1,)


def test_a_crashed_workers_claim_comes_back_after_its_lease(
    conn: psycopg.Connection[Any], app: psycopg.Connection[Any], ingest: Callable[..., Any],
    on_chain: Callable[..., None], worker: Callable[..., Any],
) -> None:
    tip = ingest()
    on_chain(tip)
    q.verification_claim(app, max_rows=10, lease=datetime.timedelta(minutes=10))  # then the worker dies
    verified, _ = verify_all(worker)
    assert verified.claimed == 0, "held by the dead worker's lease"
    conn.execute("UPDATE tips.event_verifications SET available_at = now() - interval '1 second'")
    verified, _ = verify_all(worker)
    assert (verified.claimed, verified.verified) == (1, 1)
    assert state(conn, tip.event_id)[:4] == ("verified", None, 2, False)


def test_payout_queued_at_reflect_settles_when_asked(
    conn: psycopg.Connection[Any], ingest: Callable[..., Any], on_chain: Callable[..., None],
    worker: Callable[..., Any], reflect: fakes.FakeReflect,
) -> None:
    reflect.decide = lambda body: ("queued", "settled")
    tip = ingest()
    on_chain(tip)

    async def go() -> None:
        async with worker(replace(FAST, poll_in=datetime.timedelta(minutes=1))) as w:
            await w.verify_once()
            paid = await w.pay_once()
            assert (paid.queued, paid.settled) == (1, 0)
            assert state(conn, tip.event_id)[4] == "queued"
            conn.execute("UPDATE tips.reflect_payouts SET available_at = now()")  # the poll interval passes
            paid = await w.pay_once()
            assert paid.settled == 1

    asyncio.run(go())
    assert state(conn, tip.event_id)[4:] == ("settled", Decimal("1.00"))
    (payout,) = reflect.by_id.values()
    assert (payout.polls, reflect.posts[payout.key]) == (1, 1)


@pytest.mark.parametrize(
    ("decision", "final", "error"),
    [
        (("failed", None), "failed", "recipient"),
        (("queued", "failed"), "failed", "payout failed by the provider"),
        (("queued", "cancelled"), "cancelled", "payout cancelled by the provider"),
        (("cancelled", None), "cancelled", "cancelled at Reflect"),
        (("reject", "recipient not onboarded"), "cancelled", "refused by Reflect: HTTP 422: recipient not onboarded"),
    ],
)
def test_payout_outcomes_at_reflect(
    conn: psycopg.Connection[Any], ingest: Callable[..., Any], on_chain: Callable[..., None],
    worker: Callable[..., Any], reflect: fakes.FakeReflect, decision: tuple[str, str | None], final: str, error: str,
) -> None:
    reflect.decide = lambda body: decision
    tip = ingest()
    on_chain(tip)
    verify_all(worker)
    row = conn.execute("SELECT status::text, last_error, claim_token FROM tips.reflect_payouts").fetchone()
    assert row is not None and row[0] == final and error in row[1] and row[2] is None


def test_reflect_unavailable_is_retried_then_cancelled(
    conn: psycopg.Connection[Any], ingest: Callable[..., Any], on_chain: Callable[..., None],
    worker: Callable[..., Any], reflect: fakes.FakeReflect,
) -> None:
    reflect.decide = lambda body: ("unavailable", None)
    tip = ingest()
    on_chain(tip)
    _, paid = verify_all(worker, replace(FAST, max_attempts=3))
    assert (paid.retried, paid.cancelled) == (2, 1)
    assert conn.execute("SELECT status::text, attempt_count, last_error FROM tips.reflect_payouts").fetchone() == (
        "cancelled", 3, "gave up after 3 attempts: HTTP 503: try again later"
    )


def test_a_resent_payout_is_the_same_payout_at_reflect(
    conn: psycopg.Connection[Any], app: psycopg.Connection[Any], ingest: Callable[..., Any],
    on_chain: Callable[..., None], worker: Callable[..., Any], reflect: fakes.FakeReflect, host: q.Host,
) -> None:
    """A worker sent the payout and died before recording Reflect's answer; the next send (same
    Idempotency-Key: the payout id) gets the same Reflect payout back: paid once."""
    tip = ingest()
    on_chain(tip)

    async def go() -> None:
        async with worker() as w:
            await w.verify_once()
            (claimed,) = await q.payout_claim_async(w.conn, status=q.PayoutStatus.PENDING, max_rows=1,
                                                   lease=datetime.timedelta(seconds=30))
            first = await w._send(claimed)  # ... and the worker dies here
            conn.execute("UPDATE tips.reflect_payouts SET available_at = now()")
            paid = await w.pay_once()
            assert (paid.queued, paid.settled) == (1, 1)
            payout = q.payout_get_by_event(app, event_id=tip.event_id)
            assert payout is not None and payout.reflect_tip_id == first.id and payout.attempt_count == 2

    asyncio.run(go())
    assert len(reflect.by_id) == 1 and list(reflect.posts.values()) == [2]


def test_the_reflect_client_refuses_without_the_api_key(reflect: fakes.FakeReflect) -> None:
    async def go() -> None:
        async with ReflectClient(reflect.url, "wrong key") as client:
            await client.get_payout("rfl_x")

    with pytest.raises(ReflectRejected, match="HTTP 401"):
        asyncio.run(go())


def test_the_worker_needs_an_autocommit_connection(db_url: str) -> None:
    async def go() -> None:
        async with await db.async_connect(db_url, role=admin.APP_ROLE) as conn:
            TipWorker(conn, None, None)  # type: ignore[arg-type]

    with pytest.raises(ValueError, match="autocommit"):
        asyncio.run(go())


WORKERS = 4
TIPS = 500


@pytest.mark.slow
def test_four_workers_over_500_pending_tips_verify_and_pay_each_once(
    conn: psycopg.Connection[Any], db_url: str, ingest: Callable[..., Any], on_chain: Callable[..., None],
    chain: fakes.FakeSolanaRpc, reflect: fakes.FakeReflect, worker: Callable[..., Any],
) -> None:
    tips = [ingest(1_000 + n, name=f"many-{n}") for n in range(TIPS)]
    for tip in tips:
        on_chain(tip)
    barrier = threading.Barrier(WORKERS)
    reports: list[Any] = []
    crashes: list[BaseException] = []

    def one_worker() -> None:
        async def go() -> Any:
            async with worker(replace(FAST, batch_size=16)) as w:
                barrier.wait(timeout=60)
                return await w.drain()

        try:
            reports.append(asyncio.run(go()))
        except BaseException as error:
            crashes.append(error)
            barrier.abort()

    threads = [threading.Thread(target=one_worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert crashes == []
    verified = [v for v, _ in reports]
    paid = [p for _, p in reports]
    assert sum(v.verified for v in verified) == TIPS and sum(v.lost for v in verified) == 0
    assert sum(v.payouts for v in verified) == TIPS
    assert sum(p.settled for p in paid) == TIPS
    assert all(v.verified > 0 for v in verified), "every worker took a share"
    assert set(chain.requests.values()) == {1} and len(chain.requests) == TIPS, "each tip asked on chain once"
    assert set(reflect.posts.values()) == {1} and len(reflect.posts) == TIPS, "each payout sent once"
    assert conn.execute(
        "SELECT count(*), count(DISTINCT p.event_id), bool_and(v.status = 'verified' AND v.attempt_count = 1), "
        "bool_and(p.status = 'settled' AND p.attempt_count = 1) "
        "FROM tips.event_verifications AS v JOIN tips.reflect_payouts AS p ON p.event_id = v.event_id"
    ).fetchone() == (TIPS, TIPS, True, True)


def test_python_m_chaindb_tips_worker_once(
    db_url: str, conn: psycopg.Connection[Any], ingest: Callable[..., Any], on_chain: Callable[..., None],
    chain: fakes.FakeSolanaRpc, reflect: fakes.FakeReflect,
) -> None:
    """The command line drains what is due and stops (--once), connecting as chaindb_app."""
    import os
    import subprocess
    import sys

    from chaindb.embedded import project_root

    tips = [ingest(), ingest(30_000_000, verify.WSOL_MINT)]
    for tip in tips:
        on_chain(tip)
    env = {**os.environ, "DATABASE_URL": db_url, "CHAINDB_TIPS_RPC_URL": chain.url,
           "CHAINDB_TIPS_REFLECT_URL": reflect.url, "CHAINDB_TIPS_REFLECT_API_KEY": reflect.api_key}
    result = subprocess.run([sys.executable, "-m", "chaindb.tips.worker", "--once", "--sol-price", "150"],
                            cwd=project_root(), env=env, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "verified 2, failed 0" in result.stdout and "payouts settled 2" in result.stdout
    assert conn.execute("SELECT array_agg(amount ORDER BY amount) FROM tips.reflect_payouts").fetchone() == (
        [Decimal("1.00"), Decimal("4.50")],
    )


def test_a_claim_in_progress_never_blocks_another_worker(
    db_url: str, app: psycopg.Connection[Any], ingest: Callable[..., Any]
) -> None:
    """SKIP LOCKED: while one worker's claim is uncommitted, another claims the next verification, or the next
    payout, at once."""
    minute = datetime.timedelta(minutes=1)
    for _ in range(4):
        ingest()
    with db.connect(db_url, role=admin.APP_ROLE) as first, db.connect(db_url, role=admin.APP_ROLE) as second:
        second.execute("SET lock_timeout = '2s'")
        (held,) = q.verification_claim(first, max_rows=1, lease=minute)  # first's transaction stays open
        (other,) = q.verification_claim(second, max_rows=1, lease=minute)
        assert other.id != held.id
        second.commit()
        first.commit()
    for _ in range(2):  # the two tips nobody holds: verified, each with its pending payout
        (claim,) = q.verification_claim(app, max_rows=1, lease=minute)
        q.verification_verify(app, id=claim.id, claim_token=claim.claim_token, slot=5, helius_response={"slot": 5})
        q.payout_create(app, event_id=claim.event_id, currency="USDC", amount=Decimal(1))
    with db.connect(db_url, role=admin.APP_ROLE) as first, db.connect(db_url, role=admin.APP_ROLE) as second:
        second.execute("SET lock_timeout = '2s'")
        (held_payout,) = q.payout_claim(first, status=q.PayoutStatus.PENDING, max_rows=1, lease=minute)
        (other_payout,) = q.payout_claim(second, status=q.PayoutStatus.PENDING, max_rows=1, lease=minute)
        assert other_payout.id != held_payout.id
        second.commit()
        first.commit()


RACERS = 32


def race(db_url: str, attempt: Callable[[psycopg.Connection[Any]], str]) -> Counter[str]:
    """RACERS connections (as the app) run ``attempt`` at once; their outcomes, counted."""
    barrier = threading.Barrier(RACERS)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    crashes: list[BaseException] = []

    def run() -> None:
        try:
            with db.connect(db_url, role=admin.APP_ROLE, autocommit=True) as own:
                barrier.wait(timeout=60)
                outcome = attempt(own)
                with lock:
                    outcomes[outcome] += 1
        except BaseException as error:
            crashes.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert crashes == []
    return outcomes


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(10))
def test_outcomes_sent_at_once_with_the_same_claim_decide_once(
    db_url: str, app: psycopg.Connection[Any], conn: psycopg.Connection[Any], ingest: Callable[..., Any], round_: int,
) -> None:
    """32 connections record the same claim's outcome (verified + the payout, one transaction) at once: the row
    lock makes one win; the others find it decided (CD001), so the payout is created once."""
    tip = ingest(name=f"race-{round_}")
    (claim,) = q.verification_claim(app, max_rows=1, lease=datetime.timedelta(minutes=1))

    def record(own: psycopg.Connection[Any]) -> str:
        try:
            with own.transaction():
                q.verification_verify(own, id=claim.id, claim_token=claim.claim_token, slot=5,
                                      helius_response={"slot": 5})
                q.payout_create(own, event_id=tip.event_id, currency="USDC", amount=Decimal(1))
        except errors.ChainDBError as refused:
            return f"{refused.sqlstate} {refused.constraint}"
        return "recorded"

    assert race(db_url, record) == {"recorded": 1, "CD001 event_verifications_status_transition": RACERS - 1}
    assert conn.execute("SELECT count(*) FROM tips.reflect_payouts").fetchone() == (1,)


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(5))
def test_a_payout_settled_at_once_by_many_is_settled_once(
    db_url: str, app: psycopg.Connection[Any], ingest: Callable[..., Any], round_: int,
) -> None:
    tip = ingest(name=f"settle-{round_}")
    (claim,) = q.verification_claim(app, max_rows=1, lease=datetime.timedelta(minutes=1))
    q.verification_verify(app, id=claim.id, claim_token=claim.claim_token, slot=5, helius_response={"slot": 5})
    q.payout_create(app, event_id=tip.event_id, currency="USDC", amount=Decimal(1))
    (payout,) = q.payout_claim(app, status=q.PayoutStatus.PENDING, max_rows=1, lease=datetime.timedelta(minutes=1))
    q.payout_queue(app, id=payout.id, claim_token=payout.claim_token, reflect_tip_id=f"rfl_settle_{round_}")

    def settle(own: psycopg.Connection[Any]) -> str:
        try:
            q.payout_settle(own, id=payout.id, claim_token=payout.claim_token)
        except errors.ChainDBError as refused:
            return f"{refused.sqlstate} {refused.constraint}"
        return "settled"

    assert race(db_url, settle) == {"settled": 1, "CD001 reflect_payouts_status_transition": RACERS - 1}
