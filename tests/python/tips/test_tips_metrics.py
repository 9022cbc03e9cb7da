"""Host metrics and the overview queries count verified tips only: pending and failed tips never appear, in
the materialized view (refreshed or not) or in any overview query; a tip appears once it is verified."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import psycopg

from chaindb.tips import fakes, verify
from chaindb.tips import queries as q


def decide(conn: psycopg.Connection[Any], outcomes: dict[str, str]) -> None:
    """Moves verifications as the worker would (claim, then verify or fail; the others released), through the
    generated functions."""
    for claim in q.verification_claim(conn, max_rows=1000, lease=datetime.timedelta(minutes=1)):
        outcome = outcomes.get(claim.event_id)
        if outcome is None:
            q.verification_release(conn, id=claim.id, claim_token=claim.claim_token, retry_in=datetime.timedelta(0))
        elif outcome == "verified":
            q.verification_verify(conn, id=claim.id, claim_token=claim.claim_token, slot=1, helius_response={"slot": 1})
        else:
            q.verification_fail(conn, id=claim.id, claim_token=claim.claim_token, error_code=outcome, slot=None,
                                helius_response={"found": False})


def everything(app: psycopg.Connection[Any], host: q.Host, session: q.DynamicSession) -> dict[str, Any]:
    """What every counting query says."""
    q.host_metrics_refresh(app)
    return {
        "metrics": [(m.mint, m.verified_tips, m.verified_amount)
                    for m in q.host_metrics_list_by_host(app, host=host.wallet)],
        "top": [(m.host, m.verified_tips) for m in q.host_metrics_top(app, mint=verify.USDC_MINT, max_rows=10)],
        "totals": [(t.mint, t.verified_tips, t.verified_amount, t.tippers) for t in q.overview_totals(app)],
        "host": [(h.mint, h.verified_tips, h.verified_amount) for h in q.overview_host(app, host=host.wallet)],
        "recent": [t.event_id for t in q.overview_recent_tips(app, host=host.wallet, max_rows=50)],
        "session": [t.event_id for t in q.overview_session_tips(app, session_id=session.id)],
    }


def test_pending_and_failed_tips_never_count(app: psycopg.Connection[Any], host: q.Host) -> None:
    wallet = fakes.pubkey("walletless fan")
    session = q.dynamic_session_create(app, external_id="dyn-metrics", user_identifier=None)
    session = q.dynamic_session_assign_wallet(app, id=session.id, custodial_wallet=wallet)

    def tip(name: str, amount: int) -> None:
        q.event_ingest(app, event_id=name, host=host.wallet, signer=wallet, amount=amount, mint=verify.USDC_MINT,
                       signature=fakes.signature(name))

    tip("pending-1", 1_000_000)
    tip("failed-1", 2_000_000)
    tip("failed-2", 4_000_000)
    decide(app, {"failed-1": verify.AMOUNT_MISMATCH, "failed-2": verify.TX_NOT_FOUND})
    empty = {"metrics": [], "top": [], "totals": [], "host": [], "recent": [], "session": []}
    assert everything(app, host, session) == empty

    tip("verified-1", 8_000_000)
    assert everything(app, host, session) == empty, "still pending"
    decide(app, {"verified-1": "verified"})
    assert everything(app, host, session) == {
        "metrics": [(verify.USDC_MINT, 1, Decimal(8_000_000))],
        "top": [(host.wallet, 1)],
        "totals": [(verify.USDC_MINT, 1, Decimal(8_000_000), 1)],
        "host": [(verify.USDC_MINT, 1, Decimal(8_000_000))],
        "recent": ["verified-1"],
        "session": ["verified-1"],
    }


def test_payout_completion_counts(
    app: psycopg.Connection[Any], host: q.Host, ingest: Callable[..., Any],
) -> None:
    tips = [ingest(1_000_000 * (n + 1), name=f"paid-{n}") for n in range(4)]
    decide(app, {tip.event_id: "verified" for tip in tips})
    for tip in tips:
        q.payout_create(app, event_id=tip.event_id, currency="USDC", amount=Decimal(tip.amount) / 10**6)
    claimed = {p.event_id: p for p in q.payout_claim(app, status=q.PayoutStatus.PENDING, max_rows=10,
                                                     lease=datetime.timedelta(minutes=1))}
    for name in ("paid-0", "paid-1", "paid-2"):
        q.payout_queue(app, id=claimed[name].id, claim_token=claimed[name].claim_token, reflect_tip_id=f"rfl_{name}")
    q.payout_settle(app, id=claimed["paid-0"].id, claim_token=claimed["paid-0"].claim_token)
    q.payout_fail(app, id=claimed["paid-1"].id, claim_token=claimed["paid-1"].claim_token, error="blocked")
    q.payout_cancel(app, id=claimed["paid-3"].id, claim_token=claimed["paid-3"].claim_token, reason="refused")
    q.host_metrics_refresh(app)
    (metrics,) = q.host_metrics_list_by_host(app, host=host.wallet)
    assert (metrics.verified_tips, metrics.payouts_settled, metrics.payouts_open, metrics.payouts_failed,
            metrics.payouts_cancelled) == (4, 1, 1, 1, 1)
    (live,) = q.overview_host(app, host=host.wallet)
    assert (live.payouts_settled, live.payouts_open, live.payouts_failed, live.payouts_cancelled,
            live.settled_amount) == (1, 1, 1, 1, Decimal("1.00"))
    recent = {t.event_id: (t.payout_status, t.payout_amount) for t in q.overview_recent_tips(app, host=host.wallet,
                                                                                              max_rows=10)}
    assert recent == {
        "paid-0": (q.PayoutStatus.SETTLED, Decimal("1.00")), "paid-1": (q.PayoutStatus.FAILED, Decimal("2.00")),
        "paid-2": (q.PayoutStatus.QUEUED, Decimal("3.00")), "paid-3": (q.PayoutStatus.CANCELLED, Decimal("4.00")),
    }
