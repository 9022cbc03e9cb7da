"""Typed usage of the generated CocoPay functions, checked by ``mypy --strict`` (test_typed_usage.py).

Every call's result is pinned with ``assert_type`` (exact: a wider or narrower return type
fails the check) or assigned to a precisely annotated variable, so a wrong return type in
``chaindb.cocopay.queries`` fails mypy. The test also runs these functions on a database.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any, assert_type

import psycopg

from chaindb import errors
from chaindb.cocopay import queries as q

T0 = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)


def sync_usage(conn: psycopg.Connection[Any], phone: str) -> q.Transaction:
    user = q.user_get_or_create_by_phone(conn, phone=phone, name="Ana", locale=None)
    assert_type(user, q.User)
    user_id: uuid.UUID = user.id
    name: str | None = user.name
    assert_type(q.user_get(conn, id=user_id), q.User | None)
    assert_type(user.preferred_chain_id, q.ChainId | None)

    store: q.Store = q.store_create(
        conn,
        owner_id=user_id,
        name="Padaria",
        symbol="PADA",
        short_code=None,
        category=None,
        description=None,
        latitude=decimal.Decimal("-23.5"),
        longitude=None if name is None else decimal.Decimal("-46.6"),
        address=None,
        website=None,
        instagram=None,
        qr_code_url=None,
    )
    assert_type(store.deployment_status, q.DeploymentStatus)
    assert_type(store.latitude, decimal.Decimal | None)
    member = q.store_member_get(conn, store_id=store.id, user_id=user_id)
    assert_type(member, q.StoreMember | None)
    role: q.StoreRole | None = member.role if member else None
    assert_type(q.store_list_by_member(conn, user_id=user_id), list[q.StoreListByMemberRow])

    tx = q.transaction_create(
        conn,
        idempotency_key=f"typed-{phone}",
        type=q.TransactionType.PAYMENT,
        amount_usd=decimal.Decimal("12.50"),
        chain_id=q.ChainId.V_8453,
        from_user_id=user_id,
        to_user_id=None,
        store_id=store.id,
        tokens_used=[{"token_address": "0x0", "amount": "1"}],
        rewards_earned=None,
        bundle_id=None,
    )
    assert_type(tx, q.Transaction)
    code: str | None = tx.confirmation_code  # nullable in the seed (a DEFAULT, not NOT NULL)
    status: q.TransactionStatus = tx.status
    amount: decimal.Decimal = tx.amount_usd
    created: datetime.datetime = tx.created_at
    confirmed_at: datetime.datetime | None = tx.confirmed_at
    # the caller froze the database's clock at T0
    assert status is q.TransactionStatus.PENDING and confirmed_at is None and created == T0 and amount > 0
    assert_type(q.transaction_get(conn, id=tx.id), q.Transaction | None)

    confirmed = q.transaction_confirm(
        conn, id=tx.id, confirmation_code=code or "", tx_hash=None, block_number=None
    )
    assert_type(confirmed, q.Transaction)
    try:
        q.transaction_fail(conn, id=tx.id, error_code="LATE", error_message=None)
    except errors.ForbiddenTransition as exc:
        assert_type(exc.constraint, str | None)
        detail: str | None = exc.detail
        assert detail == "from=confirmed to=failed"

    n = q.transaction_count_by_store(conn, store_id=store.id)
    assert_type(n, int)
    rows = q.transaction_list_by_store(conn, store_id=store.id, max_rows=10)
    assert_type(rows, list[q.Transaction])
    streamed = q.transaction_list_by_store_iter(conn, store_id=store.id, max_rows=10)
    assert_type(streamed, Iterator[q.Transaction])
    assert [t.id for t in streamed] == [t.id for t in rows]

    synced = q.token_balance_sync(
        conn,
        user_id=user_id,
        chain_id=q.ChainId.V_8453,
        token_address="0x0",
        store_id=None,
        balance=10**18,
        balance_usd=decimal.Decimal("3000"),
        block_number=1,
    )
    assert_type(synced, q.TokenBalance | None)

    assert_type(q.store_daily_stats_refresh(conn), None)
    stats = q.store_daily_stats_list(conn, store_id=store.id, from_date=T0.date(), to_date=T0.date())
    assert_type(stats, list[q.StoreDailyStat])
    revenue: decimal.Decimal = stats[0].revenue_usd
    day: datetime.date = stats[0].date
    customers: int = stats[0].unique_customers
    assert revenue == decimal.Decimal("12.5") and day == T0.date() and customers == 1

    event: q.AnalyticsEventAppendManyParams = {
        "event_name": "typed",
        "properties": {},
        "user_id": user_id,
        "session_id": None,
        "device_id": None,
        "ip_address": "10.0.0.1",
        "user_agent": None,
    }
    written = q.analytics_event_append_many(conn, [event, event])
    assert_type(written, int)
    assert_type(q.session_revoke_all_for_user(conn, user_id=user_id), int)
    assert_type(q.feature_flag_list_enabled(conn), list[q.FeatureFlag])
    assert_type(role, q.StoreRole | None)
    return confirmed


async def async_usage(conn: psycopg.AsyncConnection[Any], phone: str) -> q.Transaction:
    user = await q.user_get_or_create_by_phone_async(conn, phone=phone, name=None, locale=None)
    assert_type(user, q.User)
    store = await q.store_create_async(
        conn,
        owner_id=user.id,
        name="Async",
        symbol="ASYN",
        short_code=None,
        category=None,
        description=None,
        latitude=None,
        longitude=None,
        address=None,
        website=None,
        instagram=None,
        qr_code_url=None,
    )
    assert_type(store, q.Store)
    tx = await q.transaction_create_async(
        conn,
        idempotency_key=f"typed-async-{phone}",
        type=q.TransactionType.PAYMENT,
        amount_usd=5,
        chain_id=q.ChainId.V_10,
        from_user_id=user.id,
        to_user_id=None,
        store_id=store.id,
        tokens_used=None,
        rewards_earned=None,
        bundle_id=None,
    )
    assert_type(tx, q.Transaction)
    again = await q.transaction_get_async(conn, id=tx.id)
    assert_type(again, q.Transaction | None)
    rows = q.transaction_list_by_store_iter_async(conn, store_id=store.id, max_rows=5)
    assert_type(rows, AsyncIterator[q.Transaction])
    ids = [t.id async for t in rows]
    assert ids == [tx.id]
    n = await q.transaction_count_by_store_async(conn, store_id=store.id)
    assert_type(n, int)
    written = await q.analytics_event_append_many_async(conn, [])
    assert_type(written, int)
    stale = await q.token_balance_sync_async(
        conn,
        user_id=user.id,
        chain_id=q.ChainId.V_10,
        token_address="0x0",
        store_id=None,
        balance=0,
        balance_usd=0,
        block_number=0,
    )
    assert_type(stale, q.TokenBalance | None)
    failed = await q.transaction_fail_async(conn, id=tx.id, error_code="E1", error_message="boom")
    assert_type(failed, q.Transaction)
    assert_type(failed.error_code, str | None)
    return failed
