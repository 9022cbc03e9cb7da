"""The store's flows through the generated functions, as the application connects (chaindb_app): publish, buy as a
user or a guest, settle (and replay), check entitlements, download, refund, payouts, sales and balances; errors
arrive as chaindb.errors classes naming the rule."""

from __future__ import annotations

import hashlib
import ipaddress
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from chaindb import errors
from chaindb.game_market import queries as q

PROVIDER = "lnbits"


def counts(conn: psycopg.Connection, purchase_id: uuid.UUID) -> tuple[int, int, int]:
    row = conn.execute(
        """
        SELECT (SELECT count(*) FROM game_market.entitlements WHERE purchase_id = %(p)s),
               (SELECT count(*) FROM game_market.ledger_entries WHERE purchase_id = %(p)s),
               (SELECT count(*) FROM game_market.payouts WHERE purchase_id = %(p)s)
        """,
        {"p": purchase_id},
    ).fetchone()
    assert row is not None
    return row


def test_publishing_asks_for_a_build_and_a_published_release(app: psycopg.Connection[Any], player: q.User) -> None:
    dev = q.user_get_or_create(app, pubkey="03" + "ab" * 32, display_name=None)
    with pytest.raises(errors.ForeignKeyViolation) as no_profile:
        q.game_create(app, developer_user_id=dev.id, slug="dune", title="Dune", summary=None, description_md=None)
    assert no_profile.value.constraint == "games_developer_profile_fkey"
    q.developer_profile_upsert(app, user_id=dev.id, payout_ln_address="dune@pay.example.com")
    game = q.game_create(app, developer_user_id=dev.id, slug="dune", title="Dune", summary=None, description_md=None)
    assert game.status is q.GameStatus.DRAFT
    release = q.release_create(app, game_id=game.id, version="0.1.0", release_notes_md="alpha")
    with pytest.raises(errors.PreconditionFailed) as no_release:
        q.game_publish(app, id=game.id)
    assert no_release.value.constraint == "games_published_with_release"
    with pytest.raises(errors.PreconditionFailed) as no_build:
        q.release_publish(app, id=release.id)
    assert no_build.value.constraint == "releases_published_with_build"
    with pytest.raises(errors.PreconditionFailed) as not_for_sale:
        q.purchase_create_for_user(
            app, game_id=game.id, buyer_user_id=player.id, invoice_provider=PROVIDER, invoice_id="x", amount_msat=1
        )
    assert not_for_sale.value.constraint == "purchases_game_published"
    q.build_asset_create(
        app, release_id=release.id, object_key="dune/0.1.0.zip", sha256="0" * 64, size_bytes=1,
        content_type="application/zip",
    )
    published = q.release_publish(app, id=release.id)
    assert published.published_at is not None
    assert q.game_publish(app, id=game.id).status is q.GameStatus.PUBLISHED
    assert q.release_get_latest_published(app, game_id=game.id) == published
    assert [g.id for g in q.game_list_published(app, max_rows=10)] == [game.id]
    assert q.game_unlist(app, id=game.id).status is q.GameStatus.UNLISTED
    assert q.game_list_published(app, max_rows=10) == []
    with pytest.raises(errors.UniqueViolation) as taken:
        q.game_create(app, developer_user_id=dev.id, slug="dune", title="Dune 2", summary=None, description_md=None)
    assert taken.value.constraint == "games_slug_key"
    with pytest.raises(errors.CheckViolation) as unsafe:
        q.game_update(app, id=game.id, slug="Dune!", title="Dune", summary=None, description_md=None)
    assert unsafe.value.constraint == "games_slug_check"


def test_a_user_buys_and_the_settlement_is_exactly_once(
    app: psycopg.Connection[Any], conn: psycopg.Connection, store: Any, player: q.User, invoice: Callable[[], str]
) -> None:
    inv = invoice()
    purchase = q.purchase_create_for_user(
        app, game_id=store.game.id, buyer_user_id=player.id, invoice_provider=PROVIDER, invoice_id=inv,
        amount_msat=21_000_000,
    )
    assert (purchase.status, purchase.guest_receipt_code, purchase.paid_at) == (q.PurchaseStatus.PENDING, None, None)
    assert q.entitlement_check_user(app, buyer_user_id=player.id, game_id=store.game.id) is None
    assert counts(conn, purchase.id) == (0, 0, 0)

    paid = q.purchase_settle(app, invoice_provider=PROVIDER, invoice_id=inv)
    assert paid.status is q.PurchaseStatus.PAID and paid.paid_at is not None
    for _ in range(3):
        assert q.purchase_settle(app, invoice_provider=PROVIDER, invoice_id=inv) == paid
    assert counts(conn, purchase.id) == (1, 3, 1)

    entitlement = q.entitlement_check_user(app, buyer_user_id=player.id, game_id=store.game.id)
    assert entitlement is not None
    assert (entitlement.purchase_id, entitlement.granted_at, entitlement.revoked_at) == (paid.id, paid.paid_at, None)
    assert q.entitlement_get_by_purchase(app, purchase_id=paid.id) == entitlement
    ledger = q.ledger_entry_list_by_purchase(app, purchase_id=paid.id)
    assert [(e.type, e.amount_msat) for e in ledger] == [
        (q.LedgerEntryType.SALE, 21_000_000),
        (q.LedgerEntryType.PLATFORM_FEE, 2_100_000),
        (q.LedgerEntryType.DEVELOPER_SHARE, 18_900_000),
    ]
    assert ledger[1].meta_json == {"fee_bps": 1000}
    payout = q.payout_get_by_purchase(app, purchase_id=paid.id)
    assert payout is not None
    assert (payout.amount_msat, payout.destination_ln_address, payout.developer_user_id, payout.idempotency_key) == (
        18_900_000, "moon-runner@pay.example.com", store.developer.id, f"game_market:payout:{paid.id}"
    )
    assert q.payout_create(app, purchase_id=paid.id) == payout

    download = q.download_record(
        app, entitlement_id=entitlement.id, release_id=store.release.id, ip=ipaddress.ip_address("198.51.100.23"),
        user_agent="Launcher/2",
    )
    assert len(download.ip_hash) == 64 and set(download.ip_hash) <= set("0123456789abcdef")
    assert download.ip_hash != hashlib.sha256(b"198.51.100.23").hexdigest()
    assert q.download_count_by_entitlement(app, entitlement_id=entitlement.id) == 1
    assert q.download_list_by_entitlement(app, entitlement_id=entitlement.id, max_rows=5) == [download]
    assert [p.id for p in q.purchase_list_by_buyer(app, buyer_user_id=player.id)] == [paid.id]
    assert q.purchase_get_by_invoice(app, invoice_id=inv) == paid


def test_a_guest_buys_with_a_receipt_code(
    app: psycopg.Connection[Any], store: Any, invoice: Callable[[], str]
) -> None:
    inv = invoice()
    guest = q.purchase_create_for_guest(
        app, game_id=store.game.id, invoice_provider=PROVIDER, invoice_id=inv, amount_msat=5_000
    )
    assert guest.buyer_user_id is None and guest.guest_receipt_code is not None
    assert len(guest.guest_receipt_code) == 32
    again = q.purchase_create_for_guest(
        app, game_id=store.game.id, invoice_provider=PROVIDER, invoice_id=inv, amount_msat=5_000
    )
    assert again == guest, "a retried guest purchase returns the same purchase and receipt code"
    with pytest.raises(errors.IdempotencyConflict) as conflict:
        q.purchase_create_for_guest(
            app, game_id=store.game.id, invoice_provider=PROVIDER, invoice_id=inv, amount_msat=5_001
        )
    assert conflict.value.constraint == "purchases_invoice_id_key"
    assert conflict.value.detail is not None and conflict.value.detail.endswith("differs in: amount_msat")
    assert q.entitlement_check_receipt(app, guest_receipt_code=guest.guest_receipt_code) is None

    q.purchase_settle(app, invoice_provider=PROVIDER, invoice_id=inv)
    entitlement = q.entitlement_check_receipt(app, guest_receipt_code=guest.guest_receipt_code)
    assert entitlement is not None and entitlement.buyer_user_id is None
    q.download_record(app, entitlement_id=entitlement.id, release_id=store.release.id, ip="2001:db8::7")
    assert q.entitlement_check_receipt(app, guest_receipt_code="0" * 32) is None

    refunded = q.purchase_refund(app, id=guest.id)
    assert refunded.status is q.PurchaseStatus.REFUNDED
    assert q.entitlement_check_receipt(app, guest_receipt_code=guest.guest_receipt_code) is None
    with pytest.raises(errors.PreconditionFailed) as revoked:
        q.download_record(app, entitlement_id=entitlement.id, release_id=store.release.id, ip="2001:db8::7")
    assert revoked.value.constraint == "download_events_entitlement_active"
    assert q.purchase_refund(app, id=guest.id) == refunded, "a repeated refund changes nothing"


def test_webhooks_for_expiry_and_late_payment(
    app: psycopg.Connection[Any], store: Any, player: q.User, invoice: Callable[[], str]
) -> None:
    inv = invoice()
    q.purchase_create_for_user(
        app, game_id=store.game.id, buyer_user_id=player.id, invoice_provider=PROVIDER, invoice_id=inv, amount_msat=1
    )
    expired = q.purchase_expire(app, invoice_provider=PROVIDER, invoice_id=inv)
    assert expired.status is q.PurchaseStatus.EXPIRED
    assert q.purchase_expire(app, invoice_provider=PROVIDER, invoice_id=inv) == expired
    paid = q.purchase_settle(app, invoice_provider=PROVIDER, invoice_id=inv)
    assert paid.status is q.PurchaseStatus.PAID, "a payment landing after the expiry is honoured"
    with pytest.raises(errors.ForbiddenTransition) as late_expiry:
        q.purchase_expire(app, invoice_provider=PROVIDER, invoice_id=inv)
    assert (late_expiry.value.constraint, late_expiry.value.detail) == (
        "purchases_status_transition", "from=paid to=expired"
    )
    with pytest.raises(errors.NotFound) as unknown:
        q.purchase_settle(app, invoice_provider="btcpay", invoice_id=inv)
    assert unknown.value.detail == f"key=btcpay:{inv}"
    assert q.PURCHASE_STATUS_TRANSITIONS[q.PurchaseStatus.EXPIRED] == {q.PurchaseStatus.PAID}


def test_payout_attempts_retries_and_stale_workers(
    app: psycopg.Connection[Any], conn: psycopg.Connection, store: Any, player: q.User, invoice: Callable[[], str]
) -> None:
    inv = invoice()
    q.purchase_create_for_user(
        app, game_id=store.game.id, buyer_user_id=player.id, invoice_provider=PROVIDER, invoice_id=inv,
        amount_msat=10_000,
    )
    paid = q.purchase_settle(app, invoice_provider=PROVIDER, invoice_id=inv)
    with pytest.raises(errors.DataError):
        q.payout_claim(app, max_rows=0)
    (first,) = q.payout_claim(app, max_rows=10)
    assert (first.purchase_id, first.status, first.attempt_count) == (paid.id, q.PayoutStatus.SENDING, 1)
    assert q.payout_claim(app, max_rows=10) == []
    failed = q.payout_fail(app, id=first.id, attempt_count=1, error="no route")
    assert (failed.status, failed.last_error) == (q.PayoutStatus.FAILED, "no route")
    assert q.payout_claim(app, max_rows=10) == [], "a failed payout waits its backoff"
    # a minute later, on the database's clock (which only the owner moves; the app cannot)
    conn.execute("SELECT common.set_clock_offset(interval '61 seconds')")
    (second,) = q.payout_claim(app, max_rows=10)
    assert (second.id, second.attempt_count) == (first.id, 2)
    with pytest.raises(errors.PreconditionFailed) as stale:
        q.payout_fail(app, id=first.id, attempt_count=1, error="late report of attempt 1")
    assert stale.value.constraint == "payouts_attempt_current"
    done = q.payout_complete(app, id=first.id)
    assert (done.status, done.attempt_count, done.last_error) == (q.PayoutStatus.COMPLETED, 2, "no route")
    assert q.payout_complete(app, id=first.id) == done
    with pytest.raises(errors.ForbiddenTransition):
        q.payout_fail(app, id=first.id, attempt_count=2, error="too late")
    assert q.payout_list_by_developer(app, developer_user_id=store.developer.id, max_rows=10) == [done]


def test_sales_and_balance_of_a_developer(
    app: psycopg.Connection[Any], store: Any, new_store: Any, player: q.User, invoice: Callable[[], str]
) -> None:
    other = new_store(app, "star-farm")
    bought = []
    for game, amount in ((store.game, 10_000), (store.game, 20_001), (store.game, 3_000), (other.game, 7_000)):
        inv = invoice()
        q.purchase_create_for_user(
            app, game_id=game.id, buyer_user_id=player.id, invoice_provider=PROVIDER, invoice_id=inv,
            amount_msat=amount,
        )
        bought.append(q.purchase_settle(app, invoice_provider=PROVIDER, invoice_id=inv))
    q.purchase_create_for_user(
        app, game_id=store.game.id, buyer_user_id=player.id, invoice_provider=PROVIDER, invoice_id=invoice(),
        amount_msat=99_999,
    )  # unpaid: no sale
    for p in q.payout_claim(app, max_rows=10):
        if p.purchase_id in (bought[0].id, bought[2].id):
            q.payout_complete(app, id=p.id)
    q.purchase_refund(app, id=bought[2].id)  # after its payout completed: the developer owes it back
    q.purchase_refund(app, id=bought[1].id)  # its payout was sending: it stays

    balance = q.developer_balance_get(app, developer_user_id=store.developer.id)
    assert balance == q.DeveloperBalanceGetRow(
        sales_count=3, refund_count=2, gross_msat=33_001, refunded_msat=23_001, platform_fee_msat=1_000,
        earned_msat=9_000, paid_out_msat=9_000 + 2_700, payout_open_msat=18_001, balance_msat=9_000 - 11_700,
    )
    sales = q.developer_sales_list(app, developer_user_id=store.developer.id, max_rows=10)
    assert sorted((s.amount_msat, s.status, s.platform_fee_msat, s.developer_share_msat, s.payout_status)
                  for s in sales) == [
        (3_000, q.PurchaseStatus.REFUNDED, 300, 2_700, q.PayoutStatus.COMPLETED),
        (10_000, q.PurchaseStatus.PAID, 1_000, 9_000, q.PayoutStatus.COMPLETED),
        (20_001, q.PurchaseStatus.REFUNDED, 2_000, 18_001, q.PayoutStatus.SENDING),
    ]
    assert {s.slug for s in sales} == {store.game.slug}
    empty = q.developer_balance_get(app, developer_user_id=uuid.uuid4())
    assert (empty.sales_count, empty.balance_msat) == (0, 0)
    assert q.fee_rate_get_for_game(app, game_id=other.game.id) == 1000


def test_bad_input_names_the_rule_and_writes_nothing(
    app: psycopg.Connection[Any], conn: psycopg.Connection, store: Any, player: q.User
) -> None:
    with pytest.raises(errors.CheckViolation) as bad_key:
        q.user_get_or_create(app, pubkey="02" + "AB" * 32, display_name=None)
    assert bad_key.value.constraint == "users_pubkey_check"
    with pytest.raises(errors.CheckViolation) as bad_address:
        q.developer_profile_upsert(app, user_id=player.id, payout_ln_address="player at example.com")
    assert bad_address.value.constraint == "developer_profiles_payout_ln_address_check"
    with pytest.raises(errors.CheckViolation) as bad_amount:
        q.purchase_create_for_user(
            app, game_id=store.game.id, buyer_user_id=player.id, invoice_provider=PROVIDER, invoice_id="i-0",
            amount_msat=0,
        )
    assert bad_amount.value.constraint == "purchases_amount_msat_check"
    with pytest.raises(errors.CheckViolation) as bad_hash:
        q.build_asset_create(
            app, release_id=store.release.id, object_key="k", sha256="xyz", size_bytes=1, content_type="a/b"
        )
    assert bad_hash.value.constraint == "build_assets_sha256_check"
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app.execute("UPDATE game_market.purchases SET status = 'paid'")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app.execute("SELECT salt FROM game_market.ip_hash_salt")
    assert conn.execute("SELECT count(*) FROM game_market.purchases").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM game_market.developer_profiles").fetchone() == (1,)
