"""CocoPay's main flow, through the generated functions of ``chaindb.cocopay.queries`` only.

A store with its owner (created once, found again on later runs by its short code), a
customer signing in by phone with a smart account on Base, a payment under a fresh
idempotency key, the app retrying the submit (no second payment), a replay with another
amount refused, the merchant confirming with the payment's code, and the daily stats
refreshed with the store's revenue. Re-runnable: users and the store are create-or-get,
every run makes exactly one new payment, which ends confirmed.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg

from chaindb import errors
from chaindb.cocopay import queries as q
from chaindb.cocopay.accounts import get_or_create_smart_account
from chaindb.demo import Reporter, short_id

OWNER_PHONE = "+5511900000001"
CUSTOMER_PHONE = "+5511900000002"
#: The customer's own EOA, owner of their smart account.
CUSTOMER_EOA = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
#: USDC on Base.
USDC_BASE = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
STORE_NAME = "Padaria Central"
STORE_SHORT_CODE = "PADARIA"
AMOUNT_USD = Decimal("12.50")


class DemoError(RuntimeError):
    """The database answered something the flow does not expect."""


@dataclass(frozen=True)
class Result:
    owner: q.User
    customer: q.User
    store: q.Store
    account: q.SmartAccount
    transaction: q.Transaction
    stats: q.StoreDailyStat


def _store_with_owner(conn: psycopg.Connection[Any], owner: q.User) -> tuple[q.Store, str]:
    store = q.store_get_by_short_code(conn, short_code=STORE_SHORT_CODE)
    if store is not None:
        return store, "found"
    try:
        store = q.store_create(
            conn,
            owner_id=owner.id,
            name=STORE_NAME,
            symbol="PADA",
            short_code=STORE_SHORT_CODE,
            category="bakery",
            description="Pão na chapa since 1987",
            latitude=Decimal("-23.5505200"),
            longitude=Decimal("-46.6333080"),
            address="Rua Augusta 100, São Paulo",
            website=None,
            instagram="padariacentral",
            qr_code_url=None,
        )
        return store, "created"
    except errors.UniqueViolation as exc:  # another run created it meanwhile
        if exc.constraint != "stores_short_code_key":
            raise
        store = q.store_get_by_short_code(conn, short_code=STORE_SHORT_CODE)
        if store is None:
            raise DemoError(f"store {STORE_SHORT_CODE} vanished") from exc
        return store, "found"


def run(conn: psycopg.Connection[Any], report: Reporter) -> Result:
    owner = q.user_get_or_create_by_phone(conn, phone=OWNER_PHONE, name="Ana Souza", locale="pt-BR")
    report.step(f"store owner {owner.name} signs in by phone", f"user {short_id(owner.id)}")

    store, how = _store_with_owner(conn, owner)
    member = q.store_member_get(conn, store_id=store.id, user_id=owner.id)
    role = f"{member.role} since {member.accepted_at:%Y-%m-%d}" if member and member.accepted_at else "no owner role"
    report.step(f"store {store.name} ({store.short_code}) with its owner", f"store {short_id(store.id)} {how}, {role}")

    customer = q.user_get_or_create_by_phone(conn, phone=CUSTOMER_PHONE, name="Bruno Lima", locale="pt-BR")
    account = get_or_create_smart_account(
        conn, user_id=customer.id, chain_id=q.ChainId.V_8453, owner_address=CUSTOMER_EOA
    )
    report.step(
        f"customer {customer.name} signs in, smart account on Base",
        f"user {short_id(customer.id)}, account {account.address[:10]}… (CREATE2, not deployed)",
    )

    key = f"demo-{uuid.uuid4()}"

    def submit(amount: Decimal) -> q.Transaction:
        return q.transaction_create(
            conn,
            idempotency_key=key,
            type=q.TransactionType.PAYMENT,
            amount_usd=amount,
            chain_id=q.ChainId.V_8453,
            from_user_id=customer.id,
            to_user_id=None,
            store_id=store.id,
            tokens_used=[{"token_address": USDC_BASE, "amount": str(int(amount * 10**6)), "amount_usd": str(amount)}],
            rewards_earned=None,
            bundle_id=None,
        )

    before = q.transaction_count_by_store(conn, store_id=store.id)
    tx = submit(AMOUNT_USD)
    code = tx.confirmation_code
    if code is None:
        raise DemoError("a new transaction has no confirmation code")
    report.step(
        f"customer pays {AMOUNT_USD} USD at {store.name}", f"transaction {short_id(tx.id)} {tx.status}, code {code}"
    )

    retry = submit(AMOUNT_USD)
    after = q.transaction_count_by_store(conn, store_id=store.id)
    if retry.id != tx.id or after != before + 1:
        raise DemoError(f"the retry made another payment: {retry.id} (store has {after}, had {before})")
    report.step(
        "the app retries the submit with the same idempotency key",
        f"same transaction {short_id(retry.id)}, store's transactions {before} → {after}: no second payment",
    )

    try:
        submit(AMOUNT_USD + 1)
    except errors.IdempotencyConflict as exc:
        report.step(f"the same key with {AMOUNT_USD + 1} USD instead", f"refused: {exc.rule} (SQLSTATE {exc.sqlstate})")
    else:
        raise DemoError("reusing a key for another amount was accepted")

    confirmed = q.transaction_confirm(
        conn,
        id=tx.id,
        confirmation_code=code,
        tx_hash="0x" + hashlib.sha256(key.encode()).hexdigest(),
        block_number=None,
    )
    when = f"{confirmed.confirmed_at:%H:%M:%S}" if confirmed.confirmed_at else "?"
    report.step(
        f"merchant confirms with code {code}", f"transaction {short_id(confirmed.id)} {confirmed.status} at {when}"
    )

    q.store_daily_stats_refresh(conn)
    day = confirmed.created_at.astimezone(datetime.UTC).date()
    stats = q.store_daily_stats_get(conn, store_id=store.id, date=day)
    if stats is None:
        raise DemoError(f"no daily stats for {store.name} on {day} after the refresh")
    report.step(
        "daily stats refresh",
        f"{store.name} on {day}: {stats.revenue_usd:.2f} USD from {stats.transaction_count} payment(s), "
        f"{stats.unique_customers} customer(s)",
    )
    return Result(owner, customer, store, account, confirmed, stats)
