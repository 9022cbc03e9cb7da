"""Dynamic sessions through the generated functions, as the app: initiated -> wallet_created (a valid Solana
custodial wallet) | failed, idempotent retries, named refusals; and the declared transition maps."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from chaindb import errors
from chaindb.tips import fakes
from chaindb.tips import queries as q


def test_a_session_gets_its_custodial_wallet(app: psycopg.Connection[Any]) -> None:
    session = q.dynamic_session_create(app, external_id="dyn-a", user_identifier="fan@example.org")
    assert (session.status, session.custodial_wallet, session.failure_reason) == (
        q.DynamicSessionStatus.INITIATED, None, None
    )
    wallet = fakes.pubkey("custodial a")
    created = q.dynamic_session_assign_wallet(app, id=session.id, custodial_wallet=wallet)
    assert (created.status, created.custodial_wallet) == (q.DynamicSessionStatus.WALLET_CREATED, wallet)
    assert q.dynamic_session_assign_wallet(app, id=session.id, custodial_wallet=wallet) == created, "a retry"
    with pytest.raises(errors.Immutable) as refused:
        q.dynamic_session_assign_wallet(app, id=session.id, custodial_wallet=fakes.pubkey("other"))
    assert refused.value.constraint == "dynamic_sessions_custodial_wallet_immutable"
    with pytest.raises(errors.ForbiddenTransition) as forbidden:
        q.dynamic_session_fail(app, id=session.id, failure_reason="late")
    assert forbidden.value.detail == "from=wallet_created to=failed"
    assert q.dynamic_session_get_by_external_id(app, external_id="dyn-a") == created


@pytest.mark.parametrize("wallet", ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "not base58 0OIl", "1" * 44, ""])
def test_the_custodial_wallet_must_be_a_solana_key(app: psycopg.Connection[Any], wallet: str) -> None:
    session = q.dynamic_session_create(app, external_id="dyn-b", user_identifier=None)
    with pytest.raises(errors.CheckViolation) as refused:
        q.dynamic_session_assign_wallet(app, id=session.id, custodial_wallet=wallet)
    assert refused.value.constraint == "dynamic_sessions_custodial_wallet_check"
    assert q.dynamic_session_get_by_external_id(app, external_id="dyn-b") == session


def test_a_failed_session_stays_failed(app: psycopg.Connection[Any]) -> None:
    session = q.dynamic_session_create(app, external_id="dyn-c", user_identifier=None)
    failed = q.dynamic_session_fail(app, id=session.id, failure_reason="otp expired")
    assert (failed.status, failed.failure_reason) == (q.DynamicSessionStatus.FAILED, "otp expired")
    assert q.dynamic_session_fail(app, id=session.id, failure_reason="otp expired") == failed
    with pytest.raises(errors.ForbiddenTransition):
        q.dynamic_session_assign_wallet(app, id=session.id, custodial_wallet=fakes.pubkey("late"))
    with pytest.raises(errors.UniqueViolation) as taken:
        q.dynamic_session_create(app, external_id="dyn-c", user_identifier=None)
    assert taken.value.constraint == "dynamic_sessions_external_id_key"
    with pytest.raises(errors.NotFound):
        q.dynamic_session_fail(app, id=failed.id.__class__(int=1), failure_reason="x")


def test_the_transition_maps_are_the_declared_machines() -> None:
    v, p, s = q.VerificationStatus, q.PayoutStatus, q.DynamicSessionStatus
    maps = (q.EVENT_VERIFICATION_STATUS_TRANSITIONS, q.REFLECT_PAYOUT_STATUS_TRANSITIONS,
            q.DYNAMIC_SESSION_STATUS_TRANSITIONS)
    declared: tuple[dict[Any, set[Any]], ...] = (
        {v.PENDING: {v.VERIFIED, v.FAILED}, v.VERIFIED: set(), v.FAILED: set()},
        {p.PENDING: {p.QUEUED, p.CANCELLED}, p.QUEUED: {p.SETTLED, p.FAILED, p.CANCELLED}, p.SETTLED: set(),
         p.FAILED: set(), p.CANCELLED: set()},
        {s.INITIATED: {s.WALLET_CREATED, s.FAILED}, s.WALLET_CREATED: set(), s.FAILED: set()},
    )
    assert tuple(dict(m) for m in maps) == declared
    initial = (q.EVENT_VERIFICATION_STATUS_INITIAL, q.REFLECT_PAYOUT_STATUS_INITIAL, q.DYNAMIC_SESSION_STATUS_INITIAL)
    assert initial == ({v.PENDING}, {p.PENDING}, {s.INITIATED})


def test_a_payout_needs_a_verified_tip(app: psycopg.Connection[Any], host: q.Host) -> None:
    verification = q.event_ingest(app, event_id="unverified", host=host.wallet, signer=fakes.pubkey("s"), amount=5,
                                  mint=fakes.pubkey("mint"), signature=fakes.signature("unverified"))
    with pytest.raises(errors.PreconditionFailed) as refused:
        q.payout_create(app, event_id=verification.event_id, currency="USDC", amount=1)
    assert (refused.value.constraint, refused.value.detail) == (
        "reflect_payouts_event_verified", "event_id=unverified verification=pending"
    )
    assert q.payout_get_by_event(app, event_id="unverified") is None
