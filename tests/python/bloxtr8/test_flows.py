"""The marketplace's flows end to end, as the application runs them: through the generated functions of
``chaindb.bloxtr8.queries`` on a ``chaindb_app`` connection. Errors come back as ``chaindb.errors`` classes naming
the broken rule."""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

import psycopg
import pytest

from chaindb import errors
from chaindb.bloxtr8 import queries as q

DAY = datetime.timedelta(days=1)


def later(conn: psycopg.Connection[Any], delta: datetime.timedelta = DAY) -> datetime.datetime:
    """The database's clock plus delta (expiries are judged by the database, not by this process)."""
    row = conn.execute("SELECT common.now()").fetchone()
    assert row is not None
    return row[0] + delta


def test_stripe_deal_from_listing_to_release(app: psycopg.Connection[Any], world: Any) -> None:
    seller, buyer = world.seller, world.buyer
    listing = q.listing_create(app, user_id=seller.id, title="Tycoon", summary="A tycoon", price=250_000,
                               category="tycoon")
    assert listing.status is q.ListingStatus.ACTIVE and re.fullmatch(r"c[0-9a-z]{24}", listing.id)
    assert [x.id for x in q.listing_list_active(app, max_rows=10)] == [listing.id]
    assert [x.id for x in q.listing_list_active_by_category(app, category="tycoon", max_rows=10)] == [listing.id]

    snapshot = q.roblox_snapshot_create(app, game_id="920587237", game_name="Tycoon", listing_id=listing.id,
                                        visits=3_000_000_000, player_count=120)
    assert snapshot.verified_ownership is False  # the seller has not verified the game

    offer = q.offer_create(app, listing_id=listing.id, buyer_id=buyer.id, amount=200_000, expires_in=DAY,
                           conditions="group included")
    assert offer.expiry - offer.created_at == DAY  # open for a day from the database's clock
    assert q.offer_proposer(app, id=offer.id) == buyer.id
    counter = q.offer_counter(app, id=offer.id, user_id=seller.id, amount=230_000, expires_in=DAY)
    assert counter.parent_id == offer.id and q.offer_get(app, id=offer.id).status is q.OfferStatus.COUNTERED
    accepted = q.offer_accept(app, id=counter.id, user_id=buyer.id)
    assert accepted.status is q.OfferStatus.ACCEPTED
    assert [o.id for o in q.offer_thread(app, id=counter.id)] == [offer.id, counter.id]
    assert q.listing_get(app, id=listing.id).status is q.ListingStatus.INACTIVE
    assert q.listing_list_active(app, max_rows=10) == []

    contract = q.contract_create(app, offer_id=counter.id)
    assert contract.status is q.ContractStatus.PENDING_SIGNATURE
    assert contract.template_version == world.template.version
    assert contract.roblox_asset_data is not None and contract.roblox_asset_data["visits"] == 3_000_000_000
    pdf_hash = hashlib.sha256(b"%PDF contract").hexdigest()
    attached = q.contract_attach_pdf(app, id=contract.id, pdf_url="s3://contracts/c.pdf", sha256=pdf_hash)
    assert attached.sha256 == pdf_hash

    signed = q.contract_sign(app, id=contract.id, user_id=seller.id, signature_method=q.SignatureMethod.DISCORD_NATIVE,
                             ip_address="10.1.1.1", user_agent="Discord")
    assert signed.status is q.ContractStatus.PENDING_SIGNATURE
    assert q.execution_job_get_by_contract(app, contract_id=contract.id) is None
    issued = q.sign_token_issue(app, contract_id=contract.id, user_id=buyer.id)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", issued.token)
    assert issued.expires_at - issued.created_at == datetime.timedelta(minutes=15)
    executing = q.contract_sign_with_token(app, token=issued.token, ip_address="192.0.2.1", user_agent="Firefox")
    assert executing.status is q.ContractStatus.EXECUTING
    assert [(s.user_id, s.signature_method) for s in q.signature_list_by_contract(app, contract_id=contract.id)] == [
        (seller.id, q.SignatureMethod.DISCORD_NATIVE), (buyer.id, q.SignatureMethod.WEB_BASED)]
    tokens = q.sign_token_list_by_contract(app, contract_id=contract.id)
    assert [(t.user_id, t.used_at is not None) for t in tokens] == [(buyer.id, True)]

    [job] = q.execution_job_claim(app, max_jobs=5)
    assert (job.contract_id, job.status, job.attempts) == (contract.id, q.JobStatus.PROCESSING, 1)
    assert job.next_retry_at is not None and job.processing_started_at is not None
    assert job.next_retry_at - job.processing_started_at == datetime.timedelta(minutes=5)
    done = q.execution_job_complete(app, id=job.id, attempt=job.attempts)
    assert done.status is q.JobStatus.COMPLETED and done.completed_at is not None
    assert q.contract_get(app, id=contract.id).status is q.ContractStatus.EXECUTED

    escrow = q.escrow_create(app, contract_id=contract.id, payment_intent_id="pi_3MtwBwLkdIwHu7ix28a3tqPa")
    assert (escrow.rail, escrow.amount, escrow.status) == (q.EscrowRail.STRIPE, 230_000, q.EscrowStatus.AWAIT_FUNDS)
    stripe = q.stripe_escrow_get_by_payment_intent(app, payment_intent_id="pi_3MtwBwLkdIwHu7ix28a3tqPa")
    assert stripe is not None and stripe.escrow_id == escrow.id
    assert q.stablecoin_escrow_get_by_escrow(app, escrow_id=escrow.id) is None
    assert q.escrow_fund(app, id=escrow.id).status is q.EscrowStatus.FUNDS_HELD
    delivery = q.delivery_get_by_escrow(app, escrow_id=escrow.id)
    assert delivery is not None and delivery.status is q.DeliveryStatus.PENDING and delivery.user_id == seller.id
    delivered = q.escrow_deliver(app, id=escrow.id, user_id=seller.id, notes="ownership moved")
    assert delivered.status is q.EscrowStatus.DELIVERED
    released = q.escrow_release(app, id=escrow.id, transfer_id="tr_1Mcharge")
    assert released.status is q.EscrowStatus.RELEASED
    assert q.listing_get(app, id=listing.id).status is q.ListingStatus.SOLD
    assert q.delivery_get_by_escrow(app, escrow_id=escrow.id).status is q.DeliveryStatus.CONFIRMED  # type: ignore[union-attr]
    assert [a.action for a in q.audit_log_list_by_escrow(app, escrow_id=escrow.id)] == [
        "escrow_created", "escrow_funds_held", "escrow_delivered", "escrow_released"]
    assert q.audit_log_list_by_user(app, user_id=seller.id, max_rows=1)[0].action == "escrow_released"


def test_usdc_deal_disputed_and_refunded(app: psycopg.Connection[Any], world: Any) -> None:
    seller, buyer = world.seller, world.buyer
    listing = q.listing_create(app, user_id=seller.id, title="Big", summary="A big game", price=5_000_000,
                               category="rpg")
    offer = q.offer_create(app, listing_id=listing.id, buyer_id=buyer.id, amount=4_500_000, expires_in=DAY)
    q.offer_accept(app, id=offer.id, user_id=seller.id)
    contract = q.contract_create(app, offer_id=offer.id)
    q.contract_sign(app, id=contract.id, user_id=buyer.id, signature_method=q.SignatureMethod.API)
    q.contract_sign(app, id=contract.id, user_id=seller.id, signature_method=q.SignatureMethod.DISCORD_NATIVE)
    [job] = q.execution_job_claim(app, max_jobs=1)
    q.execution_job_complete(app, id=job.id, attempt=job.attempts)

    with pytest.raises(errors.PreconditionFailed) as refused:
        q.escrow_create(app, contract_id=contract.id, payment_intent_id="pi_123")
    assert refused.value.constraint == "escrows_rail_detail"
    address = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    escrow = q.escrow_create(app, contract_id=contract.id, deposit_addr=address)
    assert escrow.rail is q.EscrowRail.USDC_BASE
    found = q.stablecoin_escrow_get_by_deposit_addr(app, deposit_addr=address.upper().replace("0X", "0x"))
    assert found is not None and found.escrow_id == escrow.id and found.deposit_addr == address.lower()
    q.escrow_fund(app, id=escrow.id, deposit_tx="0x" + "ab" * 32)
    assert q.escrow_dispute(app, id=escrow.id, user_id=buyer.id, reason="game not transferred").status is (
        q.EscrowStatus.DISPUTED)
    dispute = q.dispute_get_by_escrow(app, escrow_id=escrow.id)
    assert dispute is not None and dispute.status is q.DisputeStatus.OPEN
    refunded = q.escrow_refund(app, id=escrow.id, refund_tx="0x" + "cd" * 32, resolution="refund: no transfer")
    assert refunded.status is q.EscrowStatus.REFUNDED
    dispute = q.dispute_get_by_escrow(app, escrow_id=escrow.id)
    assert dispute is not None and dispute.status is q.DisputeStatus.RESOLVED
    assert dispute.resolution == "refund: no transfer"
    # the deal is over: the seller may show the listing again
    assert q.listing_set_status(app, id=listing.id, user_id=seller.id, status=q.ListingStatus.ACTIVE).status is (
        q.ListingStatus.ACTIVE)


def test_rules_refuse_with_their_names(app: psycopg.Connection[Any], conn: psycopg.Connection, world: Any) -> None:
    seller, buyer = world.seller, world.buyer
    browser = q.user_create(app, email="browser@bloxtr8.test", email_verified=False)
    with pytest.raises(errors.PreconditionFailed) as refused:
        q.listing_create(app, user_id=browser.id, title="x", summary="x", price=1, category="x")
    assert (refused.value.constraint, refused.value.sqlstate) == ("users_kyc_tier", "CD007")
    assert refused.value.detail == f"user_id={browser.id} kyc_tier=TIER_0 required=TIER_1 action=create_listing"
    with pytest.raises(errors.PreconditionFailed, match="no linked Roblox account") as refused:
        q.user_set_kyc(app, id=browser.id, kyc_tier=q.KycTier.TIER_1, kyc_verified=False)
    assert refused.value.constraint == "users_kyc_roblox_linked"

    listing = q.listing_create(app, user_id=seller.id, title="G", summary="S", price=100, category="obby")
    with pytest.raises(errors.CheckViolation) as check:
        q.offer_create(app, listing_id=listing.id, buyer_id=seller.id, amount=100, expires_in=DAY)
    assert check.value.constraint == "offers_buyer_id_seller_id_check"
    with pytest.raises(errors.CheckViolation) as check:
        q.offer_create(app, listing_id=listing.id, buyer_id=buyer.id, amount=100, expires_in=-DAY)
    assert check.value.constraint == "offers_expiry_check"

    sanctioned = q.user_set_wallet(app, id=buyer.id, wallet_address="0x" + "11" * 20)
    assert sanctioned.wallet_risk is q.WalletRisk.UNKNOWN
    q.user_set_wallet_risk(app, id=buyer.id, wallet_risk=q.WalletRisk.SANCTIONED)
    with pytest.raises(errors.PreconditionFailed) as refused:
        q.offer_create(app, listing_id=listing.id, buyer_id=buyer.id, amount=100, expires_in=DAY)
    assert refused.value.constraint == "users_wallet_sanctioned"
    q.user_set_wallet_risk(app, id=buyer.id, wallet_risk=q.WalletRisk.LOW)

    offer = q.offer_create(app, listing_id=listing.id, buyer_id=buyer.id, amount=100, expires_in=DAY)
    with pytest.raises(errors.PreconditionFailed) as refused:
        q.offer_accept(app, id=offer.id, user_id=buyer.id)
    assert refused.value.constraint == "offers_recipient"
    # expiry is the database's: an offer made an hour ago that expired a minute ago (written by the superuser)
    expired = conn.execute(
        "INSERT INTO bloxtr8.offers (amount, expiry, listing_id, buyer_id, seller_id, created_at) "
        "VALUES (100, now() - interval '1 minute', %s, %s, %s, now() - interval '1 hour') RETURNING id",
        (listing.id, buyer.id, seller.id),
    ).fetchone()
    assert expired is not None
    with pytest.raises(errors.Expired) as late:
        q.offer_accept(app, id=expired[0], user_id=seller.id)
    assert late.value.constraint == "offers_expired" and late.value.sqlstate == "CD006"
    assert q.offer_expire_due(app) == 1
    assert q.offer_get(app, id=expired[0]).status is q.OfferStatus.EXPIRED  # type: ignore[union-attr]

    q.offer_accept(app, id=offer.id, user_id=seller.id)
    with pytest.raises(errors.ForbiddenTransition) as twice:
        q.offer_accept(app, id=offer.id, user_id=seller.id)
    assert twice.value.detail == "from=ACCEPTED to=ACCEPTED"
    contract = q.contract_create(app, offer_id=offer.id)
    with pytest.raises(errors.UniqueViolation) as dup:
        q.contract_create(app, offer_id=offer.id)
    assert dup.value.constraint == "contracts_offer_id_key"
    with pytest.raises(errors.PreconditionFailed) as refused:
        q.contract_sign(app, id=contract.id, user_id=world.other.id, signature_method=q.SignatureMethod.DISCORD_NATIVE)
    assert refused.value.constraint == "signatures_party"
    q.contract_sign(app, id=contract.id, user_id=seller.id, signature_method=q.SignatureMethod.DISCORD_NATIVE)
    with pytest.raises(errors.UniqueViolation) as dup:
        q.contract_sign(app, id=contract.id, user_id=seller.id, signature_method=q.SignatureMethod.DISCORD_NATIVE)
    assert dup.value.constraint == "signatures_user_id_contract_id_key"
    with pytest.raises(errors.NotFound):
        q.contract_sign_with_token(app, token="not-a-token")
    with pytest.raises(errors.PreconditionFailed) as refused:
        q.escrow_create(app, contract_id=contract.id, payment_intent_id="pi_1")
    assert refused.value.constraint == "escrows_contract_executed"
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app.execute("UPDATE bloxtr8.contracts SET status = 'EXECUTED' WHERE id = %s", (contract.id,))


def test_job_failures_back_off_then_fail_the_contract(
    app: psycopg.Connection[Any], conn: psycopg.Connection, deals: Any, make_due: Any
) -> None:
    [contract_id] = deals(1, prefix="bo", stage="EXECUTING")
    waits = []
    for attempt in (1, 2, 3):
        [job] = q.execution_job_claim(app, max_jobs=1, lease=datetime.timedelta(seconds=30))
        assert job.attempts == attempt
        failed = q.execution_job_fail(app, id=job.id, attempt=attempt, error=f"attempt {attempt} failed")
        assert q.execution_job_claim(app, max_jobs=1) == []  # not due before its backoff
        if failed.next_retry_at is not None:
            waits.append(failed.next_retry_at - failed.updated_at)
            assert make_due() == 1
    assert waits == [datetime.timedelta(seconds=30), datetime.timedelta(minutes=1)]
    assert failed.status is q.JobStatus.FAILED and failed.last_error == "attempt 3 failed"
    assert q.contract_get(app, id=contract_id).status is q.ContractStatus.EXECUTION_FAILED  # type: ignore[union-attr]
    retried = q.contract_retry_execution(app, id=contract_id)
    assert retried.status is q.ContractStatus.EXECUTING
    [job] = q.execution_job_claim(app, max_jobs=1)
    assert (job.attempts, job.max_attempts) == (4, 6)
    q.execution_job_complete(app, id=job.id, attempt=4)
    assert q.contract_get(app, id=contract_id).status is q.ContractStatus.EXECUTED  # type: ignore[union-attr]


def test_a_stuck_job_is_recovered_after_its_lease(
    app: psycopg.Connection[Any], conn: psycopg.Connection, deals: Any
) -> None:
    [contract_id] = deals(1, prefix="st", stage="EXECUTING")
    [job] = q.execution_job_claim(app, max_jobs=1, lease=datetime.timedelta(minutes=1))
    assert q.execution_job_recover(app) == []  # the lease still runs
    # the worker died; a minute later (the superuser moves the claim back in time rather than waiting)
    conn.execute(
        "UPDATE bloxtr8.contract_execution_jobs SET next_retry_at = next_retry_at - interval '2 minutes', "
        "processing_started_at = processing_started_at - interval '2 minutes' WHERE id = %s",
        (job.id,),
    )
    [recovered] = q.execution_job_recover(app)
    assert recovered.status is q.JobStatus.PENDING and recovered.last_error is not None
    assert recovered.last_error.startswith("lease expired at ")
    with pytest.raises(errors.ForbiddenTransition):
        q.execution_job_complete(app, id=job.id, attempt=1)  # the dead worker wakes up: too late
    conn.execute("UPDATE bloxtr8.contract_execution_jobs SET next_retry_at = now() WHERE id = %s", (job.id,))
    [again] = q.execution_job_claim(app, max_jobs=1)
    assert again.attempts == 2
    with pytest.raises(errors.PreconditionFailed) as fenced:
        q.execution_job_complete(app, id=job.id, attempt=1)
    assert fenced.value.constraint == "contract_execution_jobs_attempt"
    q.execution_job_complete(app, id=job.id, attempt=2)
    assert q.contract_get(app, id=contract_id).status is q.ContractStatus.EXECUTED  # type: ignore[union-attr]


def test_asset_verification_is_cached_24_hours(
    app: psycopg.Connection[Any], conn: psycopg.Connection, world: Any
) -> None:
    seller = world.seller
    assert q.asset_verification_get_cached(app, user_id=seller.id, game_id="920587237") is None
    check = q.asset_verification_start(app, user_id=seller.id, game_id="920587237",
                                       verification_method=q.VerificationMethod.ROBLOX_OAUTH)
    assert check.verification_status is q.VerificationStatus.PENDING
    done = q.asset_verification_complete(app, id=check.id, verified=True, ownership_type=q.GameOwnershipType.OWNER,
                                         metadata={"owner": {"id": 101}})
    assert done.expires_at is not None and done.verified_at is not None
    assert done.expires_at - done.verified_at == datetime.timedelta(hours=24)
    cached = q.asset_verification_get_cached(app, user_id=seller.id, game_id="920587237")
    assert cached is not None and cached.id == check.id
    again = q.asset_verification_start(app, user_id=seller.id, game_id="920587237",
                                       verification_method=q.VerificationMethod.MANUAL)
    assert (again.verification_status, again.verification_method) == (
        q.VerificationStatus.VERIFIED, q.VerificationMethod.ROBLOX_OAUTH)  # cached: no new check
    listing = q.listing_create(app, user_id=seller.id, title="T", summary="S", price=100, category="obby")
    snapshot = q.roblox_snapshot_create(app, game_id="920587237", game_name="Tycoon", listing_id=listing.id)
    assert snapshot.verified_ownership and snapshot.verification_date == done.verified_at
    latest = q.roblox_snapshot_latest_by_game(app, game_id="920587237")
    assert latest is not None and latest.id == snapshot.id
    # 25 hours later (the superuser ages the row): the cache is over
    conn.execute(
        "UPDATE bloxtr8.asset_verifications SET verified_at = verified_at - interval '25 hours', "
        "expires_at = expires_at - interval '25 hours' WHERE id = %s", (check.id,)
    )
    assert q.asset_verification_get_cached(app, user_id=seller.id, game_id="920587237") is None
    assert q.asset_verification_expire_due(app) == 1
    restarted = q.asset_verification_start(app, user_id=seller.id, game_id="920587237",
                                           verification_method=q.VerificationMethod.MANUAL)
    assert (restarted.id, restarted.verification_status) == (check.id, q.VerificationStatus.PENDING)


def test_templates_go_up_one_active(app: psycopg.Connection[Any], world: Any) -> None:
    newer = q.contract_template_publish(app, version="1.10.0", name="Agreement v1.10", terms={"clauses": []})
    active = q.contract_template_get_active(app)
    assert active is not None and active.id == newer.id
    old = q.contract_template_get_by_version(app, version="1.0.0")
    assert old is not None and not old.is_active and old.deprecated_at is not None
    with pytest.raises(errors.PreconditionFailed) as refused:
        q.contract_template_publish(app, version="1.9.0", name="Older", terms={})
    assert refused.value.constraint == "contract_templates_version_order"
    assert [t.version for t in q.contract_template_list(app)] == ["1.10.0", "1.0.0"]


def test_sessions_and_accounts_keep_their_secrets(
    app: psycopg.Connection[Any], readonly: psycopg.Connection[Any], world: Any
) -> None:
    token = "session-token-from-the-cookie"
    digest = hashlib.sha256(token.encode()).hexdigest()
    session = q.session_create(app, token_hash=digest, user_id=world.buyer.id, expires_at=later(app),
                               ip_address="192.0.2.9")
    found = q.session_get_by_token(app, token_hash=digest)
    assert found is not None and found.id == session.id
    with pytest.raises(errors.CheckViolation) as plain:
        q.session_create(app, token_hash=token, user_id=world.buyer.id, expires_at=later(app))
    assert plain.value.constraint == "sessions_token_check"
    account = q.account_link(app, account_id="998877", provider_id="discord", user_id=world.buyer.id,
                             access_token="enc:v1:abc", refresh_token="enc:v1:def")
    assert q.account_get_by_provider(app, provider_id="discord", account_id="998877") == account
    for column, table in [("token", "sessions"), ("access_token", "accounts"), ("refresh_token", "accounts"),
                          ("id_token", "accounts"), ("password", "accounts"), ("token", "contract_sign_tokens")]:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            readonly.execute(f"SELECT {column} FROM bloxtr8.{table}")
    assert readonly.execute("SELECT count(*) FROM bloxtr8.sessions").fetchone() == (1,)
    assert q.session_delete(app, id=session.id) == 1
    assert q.session_get_by_token(app, token_hash=digest) is None


def test_milestones_never_exceed_their_escrow(app: psycopg.Connection[Any], deals: Any, conn: Any) -> None:
    [contract_id] = deals(1, prefix="ms", amount=10_000, stage="EXECUTING")
    [job] = q.execution_job_claim(app, max_jobs=1)
    q.execution_job_complete(app, id=job.id, attempt=1)
    escrow = q.escrow_create(app, contract_id=contract_id, payment_intent_id="pi_ms")
    first = q.escrow_milestone_add(app, escrow_id=escrow.id, title="Half", amount=5_000)
    with pytest.raises(errors.PreconditionFailed) as refused:
        q.escrow_milestone_add(app, escrow_id=escrow.id, title="Too much", amount=5_001)
    assert refused.value.constraint == "milestone_escrows_within_amount"
    q.escrow_fund(app, id=escrow.id)
    assert q.escrow_milestone_release(app, id=first.id).released_at is not None
    assert [m.title for m in q.escrow_milestone_list(app, escrow_id=escrow.id)] == ["Half"]
