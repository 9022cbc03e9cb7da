"""The tips flow (seed 002), through the generated functions of ``chaindb.tips.queries`` and the worker.

Nothing leaves the machine: the worker's real clients (solana-py's ``AsyncClient`` and the Reflect client
over httpx) talk to :mod:`chaindb.tips.fakes` on 127.0.0.1, which stand for the chain (recorded
``getTransaction`` answers for this run's transfers and for the fixtures' pending tip) and for Reflect.
The steps:

- the fixtures (``make fixtures``, static ids) as they stand: tips per verification state, payouts;
- a host (create-or-get) and a walletless tipper: a Dynamic session, initiated -> wallet_created with
  its custodial wallet;
- the webhook reports the tipper's tip (2.00 USDC; a fresh event id per run): the event and its
  pending verification, in one transaction; the webhook delivered again changes nothing; the same
  event id with another amount is refused (CD002); a second tip whose transfer on chain is smaller;
- the worker claims the pending verifications, asks the chain, verifies the first tip (and creates
  its payout) and fails the second (AMOUNT_MISMATCH, no payout);
- the payout step sends the payout to Reflect: queued under Reflect's id, settled;
- the host metrics refreshed, and the overview: only verified tips count.

Re-runnable: each run adds two tips and one session.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo
from solana.rpc.async_api import AsyncClient

from chaindb import db, errors
from chaindb.demo import Reporter
from chaindb.tips import fakes, verify
from chaindb.tips import queries as q
from chaindb.tips.reflect import ReflectClient
from chaindb.tips.worker import DEFAULT_RATES, PayReport, Rate, Settings, TipWorker, VerifyReport

HOST_HANDLE = "demo_host"
HOST_WALLET = fakes.pubkey("chaindb demo host")
#: The fixtures' pending tip: its transfer is on the demo's chain, so the worker verifies it too.
FIXTURE_PENDING = "fixture-tip-07"
#: Reflect's id of the fixtures' queued payout: Reflect still has it queued.
FIXTURE_QUEUED = "rfl_fixture_03"
#: SOL tips are paid out at this price (the fixtures hold one).
RATES = {**DEFAULT_RATES, verify.WSOL_MINT: Rate("USDC", 9, Decimal(150))}
TIP = 2_000_000  # 2.00 USDC
SHORT_TIP, SHORT_ON_CHAIN = 1_000_000, 100_000  # reported 1.00 USDC, 0.10 USDC on chain


class DemoError(RuntimeError):
    """The database answered something the flow does not expect."""


@dataclass(frozen=True)
class Result:
    host: q.Host
    session: q.DynamicSession
    tip: q.EventVerification
    short: q.EventVerification
    payout: q.ReflectPayout
    verified: VerifyReport
    paid: PayReport
    metrics: list[q.HostMetricsListByHostRow]


def _usdc(units: int | Decimal) -> str:
    return f"{Decimal(units) / 10**6:.2f} USDC"


def _host(conn: psycopg.Connection[Any]) -> tuple[q.Host, str]:
    found = q.host_get_by_wallet(conn, wallet=HOST_WALLET)
    if found is not None:
        return found, "found"
    try:
        return q.host_create(conn, wallet=HOST_WALLET, handle=HOST_HANDLE), "created"
    except errors.UniqueViolation:  # another run created it meanwhile
        found = q.host_get_by_wallet(conn, wallet=HOST_WALLET)
        if found is None:
            raise
        return found, "found"


async def _async_twin(conn: psycopg.Connection[Any]) -> psycopg.AsyncConnection[Any]:
    """An async connection like ``conn`` (same server, login and role): the worker is async."""
    row = conn.execute("select current_user::text, current_user <> session_user").fetchone()
    assert row is not None
    info = conn.info
    dsn = make_conninfo(info.dsn, password=info.password) if info.password else info.dsn
    return await db.async_connect(dsn, role=row[0] if row[1] else None, autocommit=True)


async def _work(conn: psycopg.Connection[Any], rpc: fakes.FakeSolanaRpc,
                reflect: fakes.FakeReflect) -> tuple[VerifyReport, PayReport]:
    settings = Settings(retry_in=timedelta(0), max_attempts=2)
    async with (
        await _async_twin(conn) as aconn,
        AsyncClient(rpc.url, timeout=10) as client,
        ReflectClient(reflect.url, reflect.api_key) as payouts,
    ):
        worker = TipWorker(aconn, client, payouts, rates=RATES, settings=settings)
        verified = await worker.verify_once()
        while (more := await worker.verify_once()).claimed:  # rows released for a retry come back at once
            verified.add(more)
        paid = await worker.pay_once()
    return verified, paid


def run(conn: psycopg.Connection[Any], report: Reporter) -> Result:
    states = {row.status.value: row.verifications for row in q.verification_count_by_status(conn)}
    fixture = q.event_get(conn, id="fixture-tip-01")
    report.step(
        "tips so far (fixtures: make fixtures)",
        ", ".join(f"{n} {s}" for s, n in states.items()) + ("; fixture tips present" if fixture else "; no fixtures"),
    )

    host, how = _host(conn)
    report.step(f"host {host.handle}", f"host {host.wallet[:8]}… {how}")

    run_id = uuid.uuid4().hex[:12]
    session = q.dynamic_session_create(conn, external_id=f"demo-dyn-{run_id}", user_identifier="fan@demo.example")
    wallet = fakes.pubkey(f"demo custodial wallet {run_id}")
    session = q.dynamic_session_assign_wallet(conn, id=session.id, custodial_wallet=wallet)
    report.step("a walletless fan onboards with Dynamic", f"session {session.status}, custodial wallet {wallet[:8]}…")

    signature = fakes.signature(f"demo tip {run_id}")

    def webhook(amount: int) -> q.EventVerification:
        return q.event_ingest(conn, event_id=f"demo-{run_id}", host=host.wallet, signer=wallet, amount=amount,
                              mint=verify.USDC_MINT, signature=signature)

    tip = webhook(TIP)
    report.step(f"webhook: the fan tips {_usdc(TIP)}", f"event demo-{run_id} stored, verification {tip.status}")
    again = webhook(TIP)
    if again.id != tip.id or again.created_at != tip.created_at:
        raise DemoError("the replayed webhook made another verification")
    report.step("the webhook is delivered again", "same verification, nothing changed")
    try:
        webhook(TIP + 1)
    except errors.IdempotencyConflict as exc:
        report.step("the same event id with another amount", f"refused: {exc.rule} (SQLSTATE {exc.sqlstate})")
    else:
        raise DemoError("an event id was reused for another amount")

    short_signer, short_signature = fakes.pubkey(f"demo short {run_id}"), fakes.signature(f"demo short {run_id}")
    short = q.event_ingest(conn, event_id=f"demo-short-{run_id}", host=host.wallet, signer=short_signer,
                           amount=SHORT_TIP, mint=verify.USDC_MINT, signature=short_signature)
    report.step(f"webhook: another tip of {_usdc(SHORT_TIP)}", f"verification {short.status}")

    with fakes.FakeSolanaRpc() as rpc, fakes.FakeReflect() as reflect:
        rpc.found(signature, fakes.transfer(signature, wallet, host.wallet, verify.USDC_MINT, TIP))
        rpc.found(short_signature, fakes.transfer(short_signature, short_signer, host.wallet, verify.USDC_MINT,
                                                  SHORT_ON_CHAIN))
        reflect.remember(FIXTURE_QUEUED)  # the fixtures' queued payout: Reflect has it, not paid yet
        pending_fixture = q.event_get(conn, id=FIXTURE_PENDING)
        if pending_fixture is not None:
            rpc.found(pending_fixture.signature, fakes.transfer(
                pending_fixture.signature, pending_fixture.signer, pending_fixture.host, pending_fixture.mint,
                pending_fixture.amount,
            ))
        verified, paid = asyncio.run(_work(conn, rpc, reflect))

    tip = q.verification_get_by_event(conn, event_id=tip.event_id) or tip
    short = q.verification_get_by_event(conn, event_id=short.event_id) or short
    payout = q.payout_get_by_event(conn, event_id=tip.event_id)
    if tip.status is not q.VerificationStatus.VERIFIED or payout is None:
        raise DemoError(f"the tip was not verified and paid: {tip.status}, payout {payout}")
    if short.status is not q.VerificationStatus.FAILED or q.payout_get_by_event(conn, event_id=short.event_id):
        raise DemoError(f"the short tip was not refused: {short.status}")
    report.step(
        f"worker: {verified.claimed} pending verification(s) claimed, asked on chain (getTransaction)",
        f"{verified.verified} verified, {verified.failed} failed: the fan's tip verified in slot {tip.slot}; "
        f"the other {short.status} {short.error_code} (chain says {_usdc(SHORT_ON_CHAIN)}), no payout",
    )
    report.step(
        f"payout step: {paid.queued} payout(s) sent to Reflect, {paid.settled} settled",
        f"the fan's tip: {payout.currency} {payout.amount} {payout.status} as {payout.reflect_tip_id} "
        f"after {payout.attempt_count} attempt(s)",
    )

    q.host_metrics_refresh(conn)
    metrics = q.host_metrics_list_by_host(conn, host=host.wallet)
    usdc = next((m for m in metrics if m.mint == verify.USDC_MINT), None)
    if usdc is None:
        raise DemoError("the host has no metrics after a verified tip")
    report.step(
        "host metrics refreshed (verified tips only)",
        f"{host.handle}: {usdc.verified_tips} verified tip(s), {_usdc(usdc.verified_amount)}, "
        f"payouts settled {usdc.payouts_settled}, open {usdc.payouts_open}, failed {usdc.payouts_failed}",
    )
    totals = q.overview_totals(conn)
    report.step(
        "overview (verified tips only)",
        "; ".join(f"{'SOL' if t.mint == verify.WSOL_MINT else 'USDC'}: {t.verified_tips} tips, {t.hosts} host(s), "
                  f"{t.payouts_settled} paid" for t in totals),
    )
    return Result(host, session, tip, short, payout, verified, paid, metrics)
