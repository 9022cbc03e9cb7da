"""Property-test spec of tips (loaded by tests/python/properties/conftest.py): seed, invariants, values."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import psycopg
from hypothesis import strategies as st
from solders.pubkey import Pubkey
from solders.signature import Signature

from chaindb.tips import fakes, verify
from chaindb.tips import queries as q

UTC = datetime.UTC
T0 = datetime.datetime(2024, 5, 1, 12, tzinfo=UTC)
LEASE = datetime.timedelta(minutes=5)

PUBKEY = st.binary(min_size=32, max_size=32).map(lambda b: str(Pubkey(b)))
SIGNATURE = st.binary(min_size=64, max_size=64).map(lambda b: str(Signature(b)))

#: Well-formed values by parameter name (mixed into the valid side of each parameter).
STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "wallet": PUBKEY,
    "handle": st.from_regex(r"[a-z0-9_][a-z0-9_.-]{0,20}", fullmatch=True),
    "event_id": st.from_regex(r"[!-~]{1,72}", fullmatch=True),
    "host": st.sampled_from([fakes.pubkey("spec host a"), fakes.pubkey("spec host b")]) | PUBKEY,
    "signer": PUBKEY,
    "mint": st.sampled_from([verify.USDC_MINT, verify.WSOL_MINT]) | PUBKEY,
    "signature": SIGNATURE,
    "amount": st.integers(1, 10**12),
    "payout_create.amount": st.decimals(min_value=0, max_value=10**6, places=2),
    "currency": st.from_regex(r"[A-Z][A-Z0-9]{1,15}", fullmatch=True),
    "slot": st.integers(0, 10**9),
    "helius_response": st.builds(lambda s: {"found": True, "slot": s}, st.integers(0, 10**9)),
    "error_code": st.from_regex(r"[A-Z][A-Z0-9_]{0,20}", fullmatch=True),
    "max_rows": st.integers(1, 50),
    "lease": st.timedeltas(min_value=datetime.timedelta(seconds=1), max_value=datetime.timedelta(hours=1)),
    "retry_in": st.timedeltas(min_value=datetime.timedelta(0), max_value=datetime.timedelta(days=1)),
    "reflect_tip_id": st.from_regex(r"rfl_[0-9a-f]{8,24}", fullmatch=True),
    "error": st.text(min_size=1, max_size=40),
    "reason": st.text(min_size=1, max_size=40),
    "external_id": st.from_regex(r"dyn-[a-z0-9-]{1,40}", fullmatch=True),
    "user_identifier": st.emails(),
    "custodial_wallet": PUBKEY,
    "failure_reason": st.text(min_size=1, max_size=40),
}

#: Parameters that name rows of a column with another name.
POOLS = {"session_id": "id"}


def seed(conn: psycopg.Connection[Any], clock: Any) -> None:
    """Two hosts; tips pending (claimed and not), verified (with payouts in every state) and failed; sessions in
    every state."""
    clock.freeze(T0)
    conn.execute("SET ROLE chaindb_app")
    a = q.host_create(conn, wallet=fakes.pubkey("spec host a"), handle="spec_a")
    b = q.host_create(conn, wallet=fakes.pubkey("spec host b"), handle="spec_b")
    for n in range(12):
        host = (a, b)[n % 2]
        q.event_ingest(conn, event_id=f"spec-{n}", host=host.wallet, signer=fakes.pubkey(f"spec fan {n % 3}"),
                       amount=1_000_000 * (n + 1), mint=verify.USDC_MINT, signature=fakes.signature(f"spec-{n}"))
    # every tip claimed (one claim), then: spec-0..5 verified (payouts for 0..4), 6..7 failed, 8 left claimed,
    # 9..11 released (pending, due)
    for c in q.verification_claim(conn, max_rows=100, lease=LEASE):
        n = int(c.event_id.removeprefix("spec-"))
        if n < 6:
            q.verification_verify(conn, id=c.id, claim_token=c.claim_token, slot=100 + n,
                                  helius_response={"found": True, "slot": 100 + n})
            if n < 5:
                q.payout_create(conn, event_id=c.event_id, currency="USDC", amount=Decimal(n + 1))
        elif n < 8:
            q.verification_fail(conn, id=c.id, claim_token=c.claim_token, error_code="AMOUNT_MISMATCH", slot=None,
                                helius_response={"found": False})
        elif n > 8:
            q.verification_release(conn, id=c.id, claim_token=c.claim_token, retry_in=datetime.timedelta(0))
    # payouts: spec-0 settled, 1 failed, 2 cancelled, 3 queued (still claimed), 4 pending (still claimed);
    # 5 pending, never sent
    outcomes = {"spec-0": "settled", "spec-1": "failed", "spec-2": "cancelled", "spec-3": "queued", "spec-4": "held"}
    for p in q.payout_claim(conn, status=q.PayoutStatus.PENDING, max_rows=100, lease=LEASE):
        outcome, n = outcomes[p.event_id], p.event_id.removeprefix("spec-")
        if outcome == "cancelled":
            q.payout_cancel(conn, id=p.id, claim_token=p.claim_token, reason="refused by Reflect")
        elif outcome != "held":
            q.payout_queue(conn, id=p.id, claim_token=p.claim_token, reflect_tip_id=f"rfl_spec_{n}")
            if outcome == "settled":
                q.payout_settle(conn, id=p.id, claim_token=p.claim_token)
            elif outcome == "failed":
                q.payout_fail(conn, id=p.id, claim_token=p.claim_token, error="recipient blocked")
    q.payout_create(conn, event_id="spec-5", currency="USDC", amount=Decimal(6))
    started = q.dynamic_session_create(conn, external_id="dyn-spec-1", user_identifier=None)
    q.dynamic_session_assign_wallet(conn, id=started.id, custodial_wallet=fakes.pubkey("spec fan 0"))
    failed = q.dynamic_session_create(conn, external_id="dyn-spec-2", user_identifier="x@example.org")
    q.dynamic_session_fail(conn, id=failed.id, failure_reason="otp expired")
    q.dynamic_session_create(conn, external_id="dyn-spec-3", user_identifier=None)
    q.host_metrics_refresh(conn)
    conn.execute("RESET ROLE")


#: One row per broken invariant; none after any accepted call.
INVARIANTS = """
SELECT 'an event without its verification' AS what, e.id::text AS detail
FROM tips.events AS e
WHERE NOT EXISTS (SELECT FROM tips.event_verifications AS v WHERE v.event_id = e.id AND v.signature = e.signature)
UNION ALL
SELECT 'a payout of a tip that is not verified', p.id::text
FROM tips.reflect_payouts AS p
JOIN tips.event_verifications AS v ON v.event_id = p.event_id
WHERE v.status <> 'verified'
UNION ALL
SELECT 'a payout amount negative or not finite', p.id::text
FROM tips.reflect_payouts AS p WHERE NOT (p.amount >= 0 AND common.is_finite(p.amount))
UNION ALL
SELECT 'a decided verification holding a claim', v.id::text
FROM tips.event_verifications AS v WHERE v.status <> 'pending' AND v.claim_token IS NOT NULL
UNION ALL
SELECT 'a decided payout holding a claim', p.id::text
FROM tips.reflect_payouts AS p WHERE p.status NOT IN ('pending', 'queued') AND p.claim_token IS NOT NULL
UNION ALL
SELECT 'a verified tip without its slot and answer', v.id::text
FROM tips.event_verifications AS v
WHERE v.status = 'verified'
    AND (v.slot IS NULL OR v.verified_at IS NULL OR v.helius_response -> 'slot' <> to_jsonb(v.slot))
UNION ALL
SELECT 'a seeded verified tip changed', v.event_id::text
FROM tips.event_verifications AS v
WHERE v.event_id IN ('spec-0', 'spec-1', 'spec-2', 'spec-3', 'spec-4', 'spec-5') AND v.status <> 'verified'
UNION ALL
SELECT 'a seeded settled payout changed', p.event_id::text
FROM tips.reflect_payouts AS p WHERE p.reflect_tip_id = 'rfl_spec_0' AND p.status <> 'settled'
UNION ALL
SELECT 'a counted tip that is not verified', m.host::text
FROM tips.host_metrics AS m
WHERE m.verified_tips > (
    SELECT count(*) FROM tips.verified_tips AS t WHERE t.host = m.host AND t.mint = m.mint
)
UNION ALL
SELECT 'a wallet_created session without a Solana wallet', s.id::text
FROM tips.dynamic_sessions AS s
WHERE s.status = 'wallet_created' AND NOT coalesce(common.is_solana_pubkey(s.custodial_wallet), false)
"""
