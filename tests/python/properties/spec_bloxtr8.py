"""Property-test spec of bloxtr8 (loaded by tests/python/properties/conftest.py): seed, invariants, values."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import psycopg
from hypothesis import strategies as st

from chaindb.bloxtr8 import queries as q

EVM_ADDRESS = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
EVM_HASH = st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex())
SHA256_HEX = st.binary(min_size=32, max_size=32).map(lambda b: b.hex())
ROBLOX_ID = st.integers(1, 10**12).map(str)
CENTS = st.integers(1, 3_000_000)

#: Well-formed values by parameter name (mixed into the valid side of each parameter).
STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "email": st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.test", fullmatch=True),
    "wallet_address": EVM_ADDRESS,
    "deposit_addr": EVM_ADDRESS,
    "deposit_tx": EVM_HASH,
    "release_tx": EVM_HASH,
    "refund_tx": EVM_HASH,
    "payment_intent_id": st.from_regex(r"pi_[A-Za-z0-9]{8,24}", fullmatch=True),
    "transfer_id": st.from_regex(r"tr_[A-Za-z0-9]{8,24}", fullmatch=True),
    "refund_id": st.from_regex(r"re_[A-Za-z0-9]{8,24}", fullmatch=True),
    "token_hash": SHA256_HEX,
    "sha256": SHA256_HEX,
    "pdf_url": st.from_regex(r"s3://contracts/[a-z0-9]{4,12}\.pdf", fullmatch=True),
    "game_id": ROBLOX_ID,
    "account_id": ROBLOX_ID,
    "provider_id": st.sampled_from(["discord", "roblox", "credential"]),
    "discord_id": st.integers(10**16, 10**19).map(str),
    "version": st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(0, 20)).map(
        lambda v: ".".join(map(str, v))
    ),
    "action": st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True),
    "amount": CENTS,
    "price": CENTS,
    "max_jobs": st.integers(0, 20),
    "max_rows": st.integers(0, 50),
    "attempt": st.integers(0, 6),
    "terms": st.dictionaries(st.sampled_from(["clauses", "jurisdiction"]), st.text(max_size=10), max_size=2),
    # JSON parameters (the harness draws JSON only from here)
    "metadata": st.none() | st.fixed_dictionaries({"universeId": ROBLOX_ID, "creator": st.text(max_size=10)}),
    "roblox_asset_data": st.none() | st.fixed_dictionaries({"game_id": ROBLOX_ID, "visits": st.integers(0, 10**10)}),
    "details": st.none() | st.dictionaries(st.sampled_from(["reason", "amount"]), st.integers() | st.text(max_size=8)),
}

#: Parameters that name rows of a column with another name.
POOLS = {"buyer_id": "user_id", "offer_id": "id"}

#: One row per broken invariant (what, detail), run as the superuser after every accepted call.
INVARIANTS = """
SELECT 'job and contract disagree' AS what, j.id || ' ' || j.status || ' / ' || c.status AS detail
FROM bloxtr8.contract_execution_jobs AS j JOIN bloxtr8.contracts AS c ON c.id = j.contract_id
WHERE NOT ((j.status IN ('PENDING', 'PROCESSING') AND c.status = 'EXECUTING')
        OR (j.status = 'COMPLETED' AND c.status = 'EXECUTED')
        OR (j.status = 'FAILED' AND c.status IN ('EXECUTION_FAILED', 'VOID')))
UNION ALL
SELECT 'contract past signature without its job or both signatures', c.id || ' ' || c.status
FROM bloxtr8.contracts AS c
WHERE c.status IN ('EXECUTING', 'EXECUTED', 'EXECUTION_FAILED')
  AND (NOT EXISTS (SELECT FROM bloxtr8.contract_execution_jobs AS j WHERE j.contract_id = c.id)
       OR (SELECT count(*) FROM bloxtr8.signatures AS s WHERE s.contract_id = c.id) <> 2)
UNION ALL
SELECT 'a job without both signatures', j.id
FROM bloxtr8.contract_execution_jobs AS j
WHERE (SELECT count(*) FROM bloxtr8.signatures AS s WHERE s.contract_id = j.contract_id) <> 2
UNION ALL
SELECT 'a signature by someone else than the buyer or the seller', s.id
FROM bloxtr8.signatures AS s JOIN bloxtr8.contracts AS c ON c.id = s.contract_id
JOIN bloxtr8.offers AS o ON o.id = c.offer_id
WHERE s.user_id NOT IN (o.buyer_id, o.seller_id)
UNION ALL
SELECT 'a contract of an offer not ACCEPTED', c.id
FROM bloxtr8.contracts AS c JOIN bloxtr8.offers AS o ON o.id = c.offer_id WHERE o.status <> 'ACCEPTED'
UNION ALL
SELECT 'an escrow not matching its offer or contract', e.id
FROM bloxtr8.escrows AS e JOIN bloxtr8.offers AS o ON o.id = e.offer_id
JOIN bloxtr8.contracts AS c ON c.id = e.contract_id
WHERE e.amount <> o.amount OR c.status <> 'EXECUTED'
UNION ALL
SELECT 'an escrow without exactly its rail''s detail row', e.id
FROM bloxtr8.escrows AS e
WHERE (EXISTS (SELECT FROM bloxtr8.stripe_escrows AS s WHERE s.escrow_id = e.id), EXISTS (
        SELECT FROM bloxtr8.stablecoin_escrows AS s WHERE s.escrow_id = e.id))
      IS DISTINCT FROM (e.rail = 'STRIPE', e.rail = 'USDC_BASE')
UNION ALL
SELECT 'a settled escrow without its settlement recorded', e.id || ' ' || e.status
FROM bloxtr8.escrows AS e
LEFT JOIN bloxtr8.stripe_escrows AS s ON s.escrow_id = e.id
LEFT JOIN bloxtr8.stablecoin_escrows AS b ON b.escrow_id = e.id
WHERE (e.status = 'RELEASED' AND coalesce(s.transfer_id, b.release_tx) IS NULL)
   OR (e.status = 'REFUNDED' AND coalesce(s.refund_id, b.refund_tx) IS NULL)
   OR (e.status NOT IN ('RELEASED') AND coalesce(s.transfer_id, b.release_tx) IS NOT NULL)
   OR (e.status NOT IN ('REFUNDED') AND coalesce(s.refund_id, b.refund_tx) IS NOT NULL)
   OR (e.rail = 'USDC_BASE' AND e.status NOT IN ('AWAIT_FUNDS', 'CANCELLED') AND b.deposit_tx IS NULL)
UNION ALL
SELECT 'a listing SOLD without a released escrow, or the reverse', l.id
FROM bloxtr8.listings AS l
WHERE (l.status = 'SOLD') IS DISTINCT FROM EXISTS (
    SELECT FROM bloxtr8.escrows AS e JOIN bloxtr8.offers AS o ON o.id = e.offer_id
    WHERE o.listing_id = l.id AND e.status = 'RELEASED')
UNION ALL
SELECT 'an ACTIVE listing with an open deal', l.id
FROM bloxtr8.listings AS l WHERE l.status = 'ACTIVE' AND bloxtr8.listing_has_open_deal(l.id)
UNION ALL
SELECT 'an offer COUNTERED without its counter, or countered otherwise', o.id
FROM bloxtr8.offers AS o
WHERE (o.status = 'COUNTERED') IS DISTINCT FROM EXISTS (SELECT FROM bloxtr8.offers AS c WHERE c.parent_id = o.id)
UNION ALL
SELECT 'a counter-offer of another listing or other parties', c.id
FROM bloxtr8.offers AS c JOIN bloxtr8.offers AS p ON p.id = c.parent_id
WHERE (c.listing_id, c.buyer_id, c.seller_id) IS DISTINCT FROM (p.listing_id, p.buyer_id, p.seller_id)
UNION ALL
SELECT 'milestones above their escrow', e.id
FROM bloxtr8.escrows AS e
WHERE (SELECT coalesce(sum(m.amount), 0) FROM bloxtr8.milestone_escrows AS m WHERE m.escrow_id = e.id) > e.amount
UNION ALL
SELECT 'a delivery out of step with its escrow', d.id || ' ' || d.status || ' / ' || e.status
FROM bloxtr8.deliveries AS d JOIN bloxtr8.escrows AS e ON e.id = d.escrow_id
WHERE e.status IN ('AWAIT_FUNDS', 'CANCELLED') OR (d.status = 'CONFIRMED' AND e.status <> 'RELEASED')
   OR (d.status = 'PENDING' AND e.status = 'DELIVERED')
UNION ALL
SELECT 'a dispute out of step with its escrow', d.id || ' ' || d.status || ' / ' || e.status
FROM bloxtr8.disputes AS d JOIN bloxtr8.escrows AS e ON e.id = d.escrow_id
WHERE (d.status = 'OPEN') IS DISTINCT FROM (e.status = 'DISPUTED')
   OR e.status NOT IN ('DISPUTED', 'REFUNDED', 'RELEASED')
UNION ALL
SELECT 'a used sign token without its web signature', t.id
FROM bloxtr8.contract_sign_tokens AS t
WHERE t.used_at IS NOT NULL AND NOT EXISTS (
    SELECT FROM bloxtr8.signatures AS s
    WHERE s.contract_id = t.contract_id AND s.user_id = t.user_id AND s.signature_method = 'WEB_BASED')
UNION ALL
SELECT 'a user at TIER_1 or above without a Roblox account', u.id
FROM bloxtr8.users AS u
WHERE u.kyc_tier > 'TIER_0'
  AND NOT EXISTS (SELECT FROM bloxtr8.accounts AS a WHERE a.user_id = u.id AND a.provider_id = 'roblox')
UNION ALL
SELECT 'more than one active template', count(*)::text
FROM bloxtr8.contract_templates WHERE is_active HAVING count(*) > 1
"""


def seed(conn: psycopg.Connection[Any], clock: Any) -> None:
    """Users at every KYC tier and risk, a guild, two templates, listings and offers in every state, contracts in
    every state with their jobs, escrows on both rails in most states, tokens, checks and snapshots. The real clock
    (offers expire in days, tokens in 15 minutes: the examples move the clock around them)."""
    conn.execute("SET ROLE chaindb_app")

    def user(email: str, roblox: str | None, tier: q.KycTier = q.KycTier.TIER_1) -> q.User:
        made = q.user_create(conn, email=email, name=email.split("@")[0], email_verified=True)
        if roblox is not None:
            q.account_link(conn, account_id=roblox, provider_id="roblox", user_id=made.id)
            made = q.user_set_kyc(conn, id=made.id, kyc_tier=tier, kyc_verified=tier is q.KycTier.TIER_2)
        return made

    seller = user("seller@seed.test", "9001", q.KycTier.TIER_2)
    buyer = user("buyer@seed.test", "9002")
    other = user("other@seed.test", "9003")
    user("browser@seed.test", None)
    sanctioned = user("sanctioned@seed.test", "9005")
    q.user_set_wallet(conn, id=buyer.id, wallet_address="0x" + "b1" * 20)
    q.user_set_wallet(conn, id=sanctioned.id, wallet_address="0x" + "5a" * 20)
    q.user_set_wallet_risk(conn, id=sanctioned.id, wallet_risk=q.WalletRisk.SANCTIONED)
    q.session_create(conn, token_hash=hashlib.sha256(b"seed session").hexdigest(), user_id=buyer.id,
                     expires_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30))
    guild = q.guild_upsert(conn, discord_id="123456789012345678", name="Seed guild")
    q.guild_member_add(conn, guild_id=guild.id, user_id=seller.id)
    q.contract_template_publish(conn, version="1.0.0", name="Agreement", terms={"clauses": ["a"]})
    q.contract_template_publish(conn, version="1.1.0", name="Agreement", terms={"clauses": ["a", "b"]})
    check = q.asset_verification_start(conn, user_id=seller.id, game_id="4242",
                                       verification_method=q.VerificationMethod.ROBLOX_API)
    q.asset_verification_complete(conn, id=check.id, verified=True)
    q.asset_verification_start(conn, user_id=buyer.id, game_id="4343", verification_method=q.VerificationMethod.MANUAL)
    open_for = datetime.timedelta(days=3)

    def deal(title: str, amount: int, stage: str) -> tuple[q.Offer, q.Contract | None]:
        listing = q.listing_create(conn, user_id=seller.id, title=title, summary=title, price=amount,
                                   category="seed", guild_id=guild.id)
        q.roblox_snapshot_create(conn, game_id="4242", game_name=title, listing_id=listing.id, visits=10)
        offer = q.offer_create(conn, listing_id=listing.id, buyer_id=buyer.id, amount=amount, expires_in=open_for)
        if stage == "offer":
            return offer, None
        offer = q.offer_accept(conn, id=offer.id, user_id=seller.id)
        contract = q.contract_create(conn, offer_id=offer.id)
        if stage == "contract":
            q.contract_sign(conn, id=contract.id, user_id=seller.id, signature_method=q.SignatureMethod.DISCORD_NATIVE)
            q.sign_token_issue(conn, contract_id=contract.id, user_id=buyer.id)
            return offer, contract
        q.contract_sign(conn, id=contract.id, user_id=seller.id, signature_method=q.SignatureMethod.DISCORD_NATIVE)
        link = q.sign_token_issue(conn, contract_id=contract.id, user_id=buyer.id)
        contract = q.contract_sign_with_token(conn, token=link.token)
        if stage == "executing":
            return offer, contract
        [job] = q.execution_job_claim(conn, max_jobs=1)
        if stage == "processing":
            return offer, contract
        if stage == "failed":
            for attempt in range(1, 4):
                q.execution_job_fail(conn, id=job.id, attempt=attempt, error="seed failure")
                if attempt < 3:
                    conn.execute("RESET ROLE")
                    conn.execute("UPDATE bloxtr8.contract_execution_jobs SET next_retry_at = common.now() "
                                 "WHERE id = %s", (job.id,))
                    conn.execute("SET ROLE chaindb_app")
                    [job] = q.execution_job_claim(conn, max_jobs=1)
            return offer, contract
        q.execution_job_complete(conn, id=job.id, attempt=job.attempts)
        return offer, q.contract_get(conn, id=contract.id)

    offer, _ = deal("Open offer", 50_000, "offer")
    counter = q.offer_counter(conn, id=offer.id, user_id=seller.id, amount=55_000, expires_in=open_for)
    declined = q.offer_create(conn, listing_id=counter.listing_id, buyer_id=other.id, amount=40_000,
                              expires_in=open_for)
    q.offer_decline(conn, id=declined.id, user_id=seller.id)
    deal("Pending signature", 60_000, "contract")
    deal("Failed execution", 75_000, "failed")
    _, contract = deal("Executed", 80_000, "executed")
    assert contract is not None
    stripe = q.escrow_create(conn, contract_id=contract.id, payment_intent_id="pi_seedAwaitFunds1")
    q.escrow_milestone_add(conn, escrow_id=stripe.id, title="Half", amount=40_000)
    _, held = deal("Funds held", 90_000, "executed")
    assert held is not None
    held_escrow = q.escrow_create(conn, contract_id=held.id, payment_intent_id="pi_seedFundsHeld1")
    q.escrow_fund(conn, id=held_escrow.id)
    _, delivered = deal("Delivered", 2_000_000, "executed")
    assert delivered is not None
    usdc = q.escrow_create(conn, contract_id=delivered.id, deposit_addr="0x" + "d0" * 20)
    q.escrow_fund(conn, id=usdc.id, deposit_tx="0x" + "d1" * 32)
    q.escrow_deliver(conn, id=usdc.id, user_id=seller.id, notes="sent")
    _, disputed = deal("Disputed", 3_000_000, "executed")
    assert disputed is not None
    usdc2 = q.escrow_create(conn, contract_id=disputed.id, deposit_addr="0x" + "d2" * 20)
    q.escrow_fund(conn, id=usdc2.id, deposit_tx="0x" + "d3" * 32)
    q.escrow_dispute(conn, id=usdc2.id, user_id=buyer.id, reason="not delivered")
    _, sold = deal("Sold", 95_000, "executed")
    assert sold is not None
    done = q.escrow_create(conn, contract_id=sold.id, payment_intent_id="pi_seedReleased1")
    q.escrow_fund(conn, id=done.id)
    q.escrow_deliver(conn, id=done.id, user_id=seller.id, notes=None)
    q.escrow_release(conn, id=done.id, transfer_id="tr_seedReleased1")
    deal("Processing", 85_000, "processing")  # claims take the oldest due job: these two come last
    deal("Executing", 70_000, "executing")
    q.audit_log_create(conn, action="seed_done", details={"deals": 10}, user_id=seller.id)
    conn.execute("RESET ROLE")
