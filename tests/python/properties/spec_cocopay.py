"""Property-test spec of cocopay (loaded by tests/python/properties/conftest.py): seed, invariants, values."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from typing import Any

import psycopg
from hypothesis import strategies as st

from chaindb.cocopay import queries as q
from chaindb.cocopay.accounts import get_or_create_smart_account

UTC = datetime.UTC
T0 = datetime.datetime(2024, 5, 1, 12, tzinfo=UTC)
USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"

EVM_ADDRESS = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
EVM_HASH = st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex())
AMOUNT = st.decimals(min_value=0, max_value=10**6, places=6)

#: Well-formed values by parameter name (mixed into the valid side of each parameter).
STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "idempotency_key": st.uuids().map(str),
    "credential_id": st.uuids().map(lambda u: f"cred-{u}"),
    "name": st.sampled_from(["Ana", "Padaria Nova", "loans", "pix"]),
    "phone": st.from_regex(r"\+?[0-9]{6,19}", fullmatch=True),
    "locale": st.sampled_from(["pt-BR", "en", "es-419"]),
    "symbol": st.from_regex(r"[A-Z0-9]{1,10}", fullmatch=True),
    "short_code": st.from_regex(r"[A-Z0-9]{4,20}", fullmatch=True),
    "latitude": st.decimals(min_value=-90, max_value=90, places=6),
    "longitude": st.decimals(min_value=-180, max_value=180, places=6),
    "address": EVM_ADDRESS,
    "owner_address": EVM_ADDRESS,
    "derived_address": EVM_ADDRESS,
    "token_address": EVM_ADDRESS | st.just("0x0"),
    "salt": EVM_HASH,
    "tx_hash": EVM_HASH,
    "deploy_tx_hash": EVM_HASH,
    "token_hash": st.binary(min_size=32, max_size=32).map(lambda b: b.hex()),
    "confirmation_code": st.from_regex(r"[A-HJ-NP-Z2-9]{6}", fullmatch=True),
    "amount_usd": AMOUNT,
    "fee_usd": AMOUNT,
    "balance": st.integers(0, 10**30),
    "balance_usd": AMOUNT,
    "block_number": st.integers(0, 10**9),
    "sign_count": st.integers(0, 100),
    "destination": st.sampled_from([{"pix_key": "ana@pix"}, {"bank_account": {"n": 1}}])
    | EVM_ADDRESS.map(lambda a: {"wallet_address": a}),
    "tokens_used": st.lists(
        st.fixed_dictionaries({"token_address": st.just(USDC), "amount": st.just("1")}), max_size=2
    ),
    "rewards_earned": st.fixed_dictionaries({"token_address": st.just(USDC), "amount": st.just("1")}),
    "rules": st.lists(st.fixed_dictionaries({"type": st.just("percentage"), "value": st.integers(0, 100)}), max_size=2),
    "properties": st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    "device_info": st.fixed_dictionaries({"platform": st.sampled_from(["ios", "android"])}),
    "public_key": st.binary(min_size=1, max_size=80),
}

#: Parameters that name rows of a column with another name.
POOLS = {"owner_id": "user_id", "invited_by": "user_id", "requested_by": "user_id"}


def seed(conn: psycopg.Connection[Any], clock: Any) -> None:
    """Users, two stores with their teams, transactions and payouts in every state, accounts, sessions, ..."""
    clock.freeze(T0)
    conn.execute("SET ROLE chaindb_app")
    owner, admin, staff, customer, _stranger, other_owner = (
        q.user_get_or_create_by_phone(conn, phone=f"+55119000001{n:02d}", name=f"user {n}", locale=None)
        for n in range(6)
    )
    q.user_verify_phone(conn, id=customer.id)
    store = q.store_create(
        conn, owner_id=owner.id, name="Padaria", symbol="PADA", short_code="PADARIA", category="bakery",
        description=None, latitude=Decimal("-23.5"), longitude=Decimal("-46.6"), address="Rua Augusta 100",
        website=None, instagram=None, qr_code_url=None,
    )
    other = q.store_create(
        conn, owner_id=other_owner.id, name="Feira", symbol="FEIRA", short_code=None, category=None,
        description=None, latitude=None, longitude=None, address=None, website=None, instagram=None, qr_code_url=None,
    )
    q.store_member_invite(conn, store_id=store.id, user_id=admin.id, role=q.StoreRole.ADMIN, invited_by=owner.id)
    q.store_member_accept(conn, store_id=store.id, user_id=admin.id)
    q.store_member_invite(conn, store_id=store.id, user_id=staff.id, role=q.StoreRole.STAFF, invited_by=admin.id)

    def pay(key: str | None, amount: str, kind: q.TransactionType = q.TransactionType.PAYMENT) -> q.Transaction:
        return q.transaction_create(
            conn, idempotency_key=key, type=kind, amount_usd=Decimal(amount), chain_id=q.ChainId.V_8453,
            from_user_id=customer.id, to_user_id=None, store_id=store.id, tokens_used=None, rewards_earned=None,
            bundle_id=None,
        )

    pay("seed-pending", "12.50")
    confirmed = pay("seed-confirmed", "20")
    assert confirmed.confirmation_code is not None
    q.transaction_confirm(conn, id=confirmed.id, confirmation_code=confirmed.confirmation_code, tx_hash=None,
                          block_number=1)
    failed = pay("seed-failed", "7")
    q.transaction_fail(conn, id=failed.id, error_code="AA21", error_message="bundler rejected")
    pay(None, "0", q.TransactionType.BONUS_CLAIM)

    def payout(by: q.User, amount: str) -> q.Payout:
        return q.payout_request(conn, store_id=store.id, requested_by=by.id, amount_usd=Decimal(amount),
                                payout_type=q.PayoutType.PIX, destination={"pix_key": "ana@pix"}, fee_usd=Decimal("1"))

    payout(owner, "100")
    processing = q.payout_start(conn, id=payout(admin, "50").id, external_id="E2E-1")
    done = q.payout_start(conn, id=payout(owner, "30").id, external_id=None)
    q.payout_complete(conn, id=done.id, external_id="E2E-2")
    q.payout_fail(conn, id=payout(owner, "20").id, error_message="invalid key")
    assert processing.status is q.PayoutStatus.PROCESSING

    account = get_or_create_smart_account(conn, user_id=customer.id, chain_id=q.ChainId.V_8453,
                                          owner_address="0x" + "5a" * 20)
    deployed = get_or_create_smart_account(conn, user_id=owner.id, chain_id=q.ChainId.V_10,
                                           owner_address="0x" + "6b" * 20)
    q.smart_account_mark_deployed(conn, id=deployed.id, deploy_tx_hash="0x" + "12" * 32)
    assert not account.deployed

    for n, (expires, revoke) in enumerate([(T0 + datetime.timedelta(days=30_000), False),
                                           (T0 + datetime.timedelta(days=30), True),
                                           (T0 + datetime.timedelta(hours=1), False)]):
        session = q.session_create(
            conn, user_id=customer.id, token_hash=hashlib.sha256(f"jwt-{n}".encode()).hexdigest(),
            auth_method=q.AuthMethod.PHONE, device_info=None, ip_address="192.0.2.1", expires_at=expires,
        )
        if revoke:
            q.session_revoke(conn, id=session.id)
    q.passkey_register(conn, user_id=customer.id, credential_id="cred-seed", public_key=b"\x01\x02", sign_count=5,
                       derived_address="0x" + "ab" * 20, device_name="phone")
    q.token_balance_sync(conn, user_id=customer.id, chain_id=q.ChainId.V_8453, token_address=USDC, store_id=None,
                         balance=10**9, balance_usd=Decimal("1000"), block_number=100)
    q.token_balance_sync(conn, user_id=customer.id, chain_id=q.ChainId.V_8453, token_address="0x0",
                         store_id=other.id, balance=5, balance_usd=Decimal("0"), block_number=100)
    q.feature_flag_upsert(conn, name="loans", description=None, enabled=True, rules=[])
    q.audit_log_append(conn, user_id=owner.id, ip_address=None, user_agent=None, action="create", resource_type="store",
                       resource_id=store.id, old_values=None, new_values={"name": "Padaria"}, metadata=None)
    q.analytics_event_append_many(conn, [{"event_name": "open", "properties": {}, "user_id": customer.id,
                                          "session_id": None, "device_id": "d1", "ip_address": None,
                                          "user_agent": None}])
    q.store_daily_stats_refresh(conn)
    conn.execute("RESET ROLE")


#: One row per broken invariant; none after any accepted call.
INVARIANTS = """
SELECT 'a store without exactly one accepted owner' AS what, s.id::text AS detail
FROM cocopay.stores AS s
WHERE (
    SELECT count(*) FROM cocopay.store_members AS m
    WHERE m.store_id = s.id AND m.role = 'owner' AND m.accepted_at IS NOT NULL
) <> 1
UNION ALL
SELECT 'an invitation by someone who does not manage the store', m.id::text
FROM cocopay.store_members AS m
WHERE m.invited_by IS NOT NULL AND NOT EXISTS (
    SELECT FROM cocopay.store_members AS i
    WHERE i.store_id = m.store_id AND i.user_id = m.invited_by AND i.role IN ('owner', 'admin')
)
UNION ALL
SELECT 'a payout requested by someone who does not manage the store', p.id::text
FROM cocopay.payouts AS p
WHERE NOT EXISTS (
    SELECT FROM cocopay.store_members AS m
    WHERE m.store_id = p.store_id AND m.user_id = p.requested_by AND m.role IN ('owner', 'admin')
        AND m.accepted_at IS NOT NULL
)
UNION ALL
SELECT 'a payout fee above its amount, or not finite', p.id::text
FROM cocopay.payouts AS p
WHERE p.fee_usd > p.amount_usd OR NOT common.is_finite(p.amount_usd) OR NOT common.is_finite(p.fee_usd)
UNION ALL
SELECT 'a transaction amount that is not finite', t.id::text
FROM cocopay.transactions AS t WHERE NOT common.is_finite(t.amount_usd)
UNION ALL
SELECT 'a confirmed transaction without its confirmation time', t.id::text
FROM cocopay.transactions AS t
WHERE t.status = 'confirmed' AND (t.confirmed_at IS NULL OR t.confirmation_code IS NULL)
UNION ALL
SELECT 'a seeded confirmed payment changed', t.id::text
FROM cocopay.transactions AS t
WHERE t.idempotency_key = 'seed-confirmed' AND (t.status <> 'confirmed' OR t.amount_usd <> 20)
UNION ALL
SELECT 'the seeded deployed account went back', 'deploy_tx_hash 0x1212...'
WHERE NOT EXISTS (
    SELECT FROM cocopay.smart_accounts AS a WHERE a.deploy_tx_hash = '0x' || repeat('12', 32) AND a.deployed
)
UNION ALL
SELECT 'a balance that is not finite', b.id::text
FROM cocopay.token_balances AS b WHERE NOT (common.is_finite(b.balance) AND common.is_finite(b.balance_usd))
UNION ALL
SELECT 'the seeded revoked session came back', s.id::text
FROM cocopay.sessions AS s
WHERE s.token_hash = encode(sha256('jwt-1'), 'hex') AND s.created_at = '2024-05-01 12:00+00' AND s.revoked_at IS NULL
"""
