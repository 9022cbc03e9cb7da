"""Bloxtr8's main flow, through the generated functions of ``chaindb.bloxtr8.queries`` only.

A seller and a buyer who linked Roblox (TIER_1), a browsing user refused a listing (TIER_0), the seller's
game ownership verified and cached for 24 hours, a listing with its snapshot, an offer, the seller's
counter-offer, the buyer's acceptance, a contract on the active template signed in Discord by the seller
and through a magic link by the buyer (the link refused a second time), its execution job claimed and
completed by a worker, and the escrow on Stripe funded, delivered and released: the listing is SOLD.
Re-runnable: users, their accounts and the template are create-or-get; every run sells one new listing.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

import psycopg

from chaindb import errors
from chaindb.bloxtr8 import queries as q
from chaindb.demo import Reporter

GAME_ID = "920587237"
PRICE = 250_000  # cents
OFFER_OPEN_FOR = datetime.timedelta(days=2)  # the database adds it to its own clock


def short_id(value: str) -> str:
    """A cuid for display: its last 5 characters (the random part; the first ones are the time)."""
    return "…" + value[-5:]


class DemoError(RuntimeError):
    """The database answered something the flow does not expect."""


@dataclass(frozen=True)
class Result:
    seller: q.User
    buyer: q.User
    listing: q.Listing
    offer: q.Offer
    contract: q.Contract
    job: q.ContractExecutionJob
    escrow: q.Escrow


def _user(conn: psycopg.Connection[Any], email: str, name: str, roblox_id: str | None) -> q.User:
    """The user with this e-mail, created (and, with a Roblox account, raised to TIER_1) on the first run."""
    user = q.user_get_by_email(conn, email=email)
    if user is None:
        user = q.user_create(conn, email=email, name=name, email_verified=True)
    if roblox_id is not None and user.kyc_tier is q.KycTier.TIER_0:
        if q.account_get_by_provider(conn, provider_id="roblox", account_id=roblox_id) is None:
            q.account_link(conn, account_id=roblox_id, provider_id="roblox", user_id=user.id, scope="openid profile")
        user = q.user_set_kyc(conn, id=user.id, kyc_tier=q.KycTier.TIER_1, kyc_verified=False)
    return user


def _listing_status(conn: psycopg.Connection[Any], listing_id: str) -> q.ListingStatus:
    listing = q.listing_get(conn, id=listing_id)
    if listing is None:
        raise DemoError(f"listing {listing_id} vanished")
    return listing.status


def run(conn: psycopg.Connection[Any], report: Reporter) -> Result:
    seller = _user(conn, "maya@bloxtr8.example", "Maya", "2001")
    buyer = _user(conn, "leo@bloxtr8.example", "Leo", "2002")
    report.step("seller and buyer link Roblox",
                f"users {short_id(seller.id)} and {short_id(buyer.id)} at {buyer.kyc_tier}")

    browser = _user(conn, "guest@bloxtr8.example", "Guest", None)
    try:
        q.listing_create(conn, user_id=browser.id, title="Nope", summary="-", price=100, category="obby")
    except errors.PreconditionFailed as exc:
        report.step("a TIER_0 user tries to list a game", f"refused: {exc.constraint} (SQLSTATE {exc.sqlstate})")
    else:
        raise DemoError("a TIER_0 user listed a game")

    template = q.contract_template_get_active(conn) or q.contract_template_publish(
        conn, version="1.0.0", name="Roblox Asset Sale Agreement", terms={"clauses": ["transfer", "escrow", "refund"]}
    )

    check = q.asset_verification_start(conn, user_id=seller.id, game_id=GAME_ID,
                                       verification_method=q.VerificationMethod.ROBLOX_OAUTH)
    how = "cached"
    if check.verification_status is not q.VerificationStatus.VERIFIED:
        check = q.asset_verification_complete(conn, id=check.id, verified=True,
                                              ownership_type=q.GameOwnershipType.OWNER,
                                              metadata={"universeId": GAME_ID, "creator": "Maya"})
        how = "checked"
    report.step(f"seller proves she owns game {GAME_ID}",
                f"{check.verification_status} ({how}) until {check.expires_at:%Y-%m-%d %H:%M}")

    listing = q.listing_create(conn, user_id=seller.id, title="Lava Tycoon", summary="A tycoon with 2M visits",
                               price=PRICE, category="tycoon")
    snapshot = q.roblox_snapshot_create(conn, game_id=GAME_ID, game_name="Lava Tycoon", listing_id=listing.id,
                                        player_count=340, visits=2_000_000)
    report.step("seller lists it for $2,500.00", f"listing {short_id(listing.id)} {listing.status}, snapshot "
                f"verified_ownership={snapshot.verified_ownership}")

    offer = q.offer_create(conn, listing_id=listing.id, buyer_id=buyer.id, amount=200_000, expires_in=OFFER_OPEN_FOR)
    counter = q.offer_counter(conn, id=offer.id, user_id=seller.id, amount=230_000, expires_in=OFFER_OPEN_FOR,
                              conditions="group ownership included")
    countered = q.offer_get(conn, id=offer.id)
    if countered is None or counter.parent_id != offer.id:
        raise DemoError(f"offer {offer.id} was not countered")
    report.step("buyer offers $2,000.00, seller counters $2,300.00",
                f"offer {short_id(offer.id)} {countered.status}, counter {short_id(counter.id)} {counter.status}")
    accepted = q.offer_accept(conn, id=counter.id, user_id=buyer.id)
    report.step("buyer accepts the counter-offer", f"{accepted.status}; listing {_listing_status(conn, listing.id)}")

    contract = q.contract_create(conn, offer_id=accepted.id)
    q.contract_sign(conn, id=contract.id, user_id=seller.id, signature_method=q.SignatureMethod.DISCORD_NATIVE,
                    ip_address=None, user_agent="Discord")
    link = q.sign_token_issue(conn, contract_id=contract.id, user_id=buyer.id)
    contract = q.contract_sign_with_token(conn, token=link.token, ip_address="203.0.113.7", user_agent="Firefox")
    report.step(f"contract on template {template.version}: seller signs in Discord, buyer by magic link",
                f"contract {short_id(contract.id)} {contract.status}")
    try:
        q.contract_sign_with_token(conn, token=link.token)
    except errors.PreconditionFailed as exc:
        report.step("the magic link is opened again", f"refused: {exc.constraint} (SQLSTATE {exc.sqlstate})")
    else:
        raise DemoError("a magic link signed twice")

    job: q.ContractExecutionJob | None = None
    for claimed in q.execution_job_claim(conn, max_jobs=10):
        done = q.execution_job_complete(conn, id=claimed.id, attempt=claimed.attempts)
        if done.contract_id == contract.id:
            job = done
    if job is None:
        raise DemoError(f"no execution job for contract {contract.id}")
    contract = q.contract_get(conn, id=contract.id) or contract
    report.step("a worker claims the execution job and completes it",
                f"job {short_id(job.id)} {job.status} (attempt {job.attempts}), contract {contract.status}")

    escrow = q.escrow_create(conn, contract_id=contract.id, payment_intent_id=f"pi_demo{uuid.uuid4().hex}")
    q.escrow_fund(conn, id=escrow.id)
    q.escrow_deliver(conn, id=escrow.id, user_id=seller.id, notes="ownership transferred in Roblox Studio")
    escrow = q.escrow_release(conn, id=escrow.id, transfer_id=f"tr_demo{uuid.uuid4().hex[:16]}")
    trail = " → ".join(a.action.removeprefix("escrow_") for a in q.audit_log_list_by_escrow(conn, escrow_id=escrow.id))
    report.step(f"escrow on {escrow.rail} for ${escrow.amount / 100:,.2f}: funded, delivered, released",
                f"escrow {short_id(escrow.id)} {escrow.status} ({trail}); listing {_listing_status(conn, listing.id)}")
    return Result(seller, buyer, listing, counter, contract, job, escrow)
