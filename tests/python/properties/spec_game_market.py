"""Property-test spec of game_market (loaded by tests/python/properties/conftest.py): seed, invariants, values."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import psycopg
from hypothesis import strategies as st

from chaindb.game_market import queries as q

UTC = datetime.UTC
T0 = datetime.datetime(2024, 5, 1, 12, tzinfo=UTC)
PROVIDER = "lnbits"


def key(seed: str, prefix: str = "02") -> str:
    return prefix + hashlib.sha256(seed.encode()).hexdigest()


#: Well-formed values by parameter name (mixed into the valid side of each parameter).
STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "pubkey": st.tuples(st.sampled_from(["02", "03"]), st.binary(min_size=32, max_size=32)).map(
        lambda t: t[0] + t[1].hex()
    ),
    "payout_ln_address": st.from_regex(r"[a-z0-9._+-]{1,20}@[a-z0-9]{1,10}\.[a-z]{2,6}", fullmatch=True),
    "slug": st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,3}", fullmatch=True),
    "title": st.sampled_from(["Moon Runner", "Star Farm", "Dune Drift"]),
    "version": st.from_regex(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(-rc[0-9])?", fullmatch=True),
    "sha256": st.binary(min_size=32, max_size=32).map(lambda b: b.hex()),
    "object_key": st.from_regex(r"builds/[a-z0-9-]{1,20}\.zip", fullmatch=True),
    "content_type": st.sampled_from(["application/zip", "application/x-tar", "application/octet-stream"]),
    "size_bytes": st.integers(1, 2**40),
    "avatar_url": st.from_regex(r"https://[a-z]{1,10}\.example/[a-z0-9]{1,10}\.png", fullmatch=True),
    "invoice_provider": st.sampled_from([PROVIDER, "btcpay", "strike"]),
    "invoice_id": st.uuids().map(lambda u: f"inv-{u.hex}"),
    "amount_msat": st.integers(1, 10**12),
    "ip": st.ip_addresses().map(str),
    "error": st.sampled_from(["no route", "timeout", "insufficient balance"]),
    "max_rows": st.integers(1, 1000),
}

#: Parameters that name rows of a column with another name.
POOLS = {"developer_user_id": "user_id", "buyer_user_id": "user_id"}


def seed(conn: psycopg.Connection[Any], clock: Any) -> None:
    """A developer with a published game (a published release, an unpublished one), a draft and an unlisted game,
    buyers, purchases in every state (users and guests), payouts in every state, downloads."""
    clock.freeze(T0)
    conn.execute("SET ROLE chaindb_app")
    dev = q.user_get_or_create(conn, pubkey=key("dev"), display_name="Dev")
    q.developer_profile_upsert(conn, user_id=dev.id, payout_ln_address="dev@pay.example.com")
    buyer = q.user_get_or_create(conn, pubkey=key("buyer", "03"), display_name=None)
    q.user_get_or_create(conn, pubkey=key("nobody"), display_name="Nobody")

    def game(slug: str, publish: bool) -> tuple[q.Game, q.Release]:
        g = q.game_create(conn, developer_user_id=dev.id, slug=slug, title=slug.title(), summary=None,
                          description_md=None)
        r = q.release_create(conn, game_id=g.id, version="1.0.0", release_notes_md=None)
        q.build_asset_create(conn, release_id=r.id, object_key=f"builds/{slug}.zip",
                             sha256=hashlib.sha256(slug.encode()).hexdigest(), size_bytes=10,
                             content_type="application/zip")
        if publish:
            r = q.release_publish(conn, id=r.id)
            g = q.game_publish(conn, id=g.id)
        return g, r

    shop, release = game("moon-runner", True)
    q.release_create(conn, game_id=shop.id, version="1.1.0-rc", release_notes_md="unpublished")
    game("draft-game", False)
    unlisted, _ = game("old-game", True)

    def buy(n: int, guest: bool = False, settle: bool = True) -> q.Purchase:
        inv = f"seed-{n}"
        if guest:
            p = q.purchase_create_for_guest(conn, game_id=shop.id, invoice_provider=PROVIDER, invoice_id=inv,
                                            amount_msat=1000 + n)
        else:
            p = q.purchase_create_for_user(conn, game_id=shop.id, buyer_user_id=buyer.id, invoice_provider=PROVIDER,
                                           invoice_id=inv, amount_msat=1000 + n)
        return q.purchase_settle(conn, invoice_provider=PROVIDER, invoice_id=inv) if settle else p

    # payouts sending, completed and failed; a refund after the money left
    sending, completed, failed, refunded_late = buy(1), buy(2, guest=True), buy(3), buy(4)
    for p in q.payout_claim(conn, max_rows=10):
        if p.purchase_id == completed.id:
            q.payout_complete(conn, id=p.id)
        elif p.purchase_id == failed.id:
            q.payout_fail(conn, id=p.id, attempt_count=p.attempt_count, error="no route")
    q.purchase_refund(conn, id=refunded_late.id)
    assert sending.status is q.PurchaseStatus.PAID
    # pending payouts, a cancelled one (refunded before the money left), unpaid and expired purchases
    buy(5)
    buy(6, guest=True)
    q.purchase_refund(conn, id=buy(7, guest=True).id)
    buy(8, settle=False)
    buy(9, guest=True, settle=False)
    buy(10, settle=False)
    q.purchase_expire(conn, invoice_provider=PROVIDER, invoice_id="seed-10")
    entitlement = q.entitlement_check_user(conn, buyer_user_id=buyer.id, game_id=shop.id)
    assert entitlement is not None
    q.download_record(conn, entitlement_id=entitlement.id, release_id=release.id, ip="203.0.113.1", user_agent="seed")
    q.game_unlist(conn, id=unlisted.id)
    conn.execute("RESET ROLE")


#: One row per broken invariant; none after any accepted call.
INVARIANTS = """
SELECT 'a paid or refunded purchase without exactly one matching entitlement' AS what, p.id::text AS detail
FROM game_market.purchases AS p
WHERE p.status IN ('paid', 'refunded') AND (
    SELECT count(*) FROM game_market.entitlements AS e
    WHERE e.purchase_id = p.id AND e.game_id = p.game_id AND e.granted_at = p.paid_at
        AND e.buyer_user_id IS NOT DISTINCT FROM p.buyer_user_id
        AND e.guest_receipt_code IS NOT DISTINCT FROM p.guest_receipt_code
        AND (e.revoked_at IS NOT NULL) = (p.status = 'refunded')
) <> 1
UNION ALL
SELECT 'an unpaid purchase with an entitlement, entries or a payout', p.id::text
FROM game_market.purchases AS p
WHERE p.status IN ('pending', 'expired') AND (
    EXISTS (SELECT FROM game_market.entitlements AS e WHERE e.purchase_id = p.id)
    OR EXISTS (SELECT FROM game_market.ledger_entries AS l WHERE l.purchase_id = p.id)
    OR EXISTS (SELECT FROM game_market.payouts AS po WHERE po.purchase_id = p.id)
)
UNION ALL
SELECT 'a paid purchase whose ledger does not split its amount', p.id::text
FROM game_market.purchases AS p
WHERE p.status IN ('paid', 'refunded') AND (
    SELECT count(*) FILTER (WHERE l.type = 'sale' AND l.amount_msat = p.amount_msat) = 1
        AND sum(l.amount_msat) FILTER (WHERE l.type IN ('platform_fee', 'developer_share')) = p.amount_msat
        AND count(*) FILTER (WHERE l.type IN ('refund', 'platform_fee_refund', 'developer_share_refund'))
        = CASE WHEN p.status = 'refunded' THEN 3 ELSE 0 END
    FROM game_market.ledger_entries AS l WHERE l.purchase_id = p.id
) IS NOT TRUE
UNION ALL
SELECT 'a paid purchase without its one payout of the developer share to the developer', p.id::text
FROM game_market.purchases AS p
INNER JOIN game_market.games AS g ON g.id = p.game_id
WHERE p.status IN ('paid', 'refunded') AND NOT EXISTS (
    SELECT FROM game_market.payouts AS po
    INNER JOIN game_market.ledger_entries AS l ON l.purchase_id = po.purchase_id AND l.type = 'developer_share'
    WHERE po.purchase_id = p.id AND po.amount_msat = l.amount_msat AND po.developer_user_id = g.developer_user_id
)
UNION ALL
SELECT 'a refunded purchase whose unsent payout was not cancelled', p.id::text
FROM game_market.purchases AS p
INNER JOIN game_market.payouts AS po ON po.purchase_id = p.id
WHERE p.status = 'refunded' AND po.status IN ('pending', 'failed')
UNION ALL
SELECT 'a download of an unpublished release or of another game', d.id::text
FROM game_market.download_events AS d
INNER JOIN game_market.entitlements AS e ON e.id = d.entitlement_id
INNER JOIN game_market.releases AS r ON r.id = d.release_id
WHERE r.published_at IS NULL OR r.game_id <> e.game_id
UNION ALL
SELECT 'a published game without a published release', g.id::text
FROM game_market.games AS g
WHERE g.status <> 'draft' AND NOT EXISTS (
    SELECT FROM game_market.releases AS r WHERE r.game_id = g.id AND r.published_at IS NOT NULL
)
UNION ALL
SELECT 'a published release without its build', r.id::text
FROM game_market.releases AS r
WHERE r.published_at IS NOT NULL AND NOT EXISTS (SELECT FROM game_market.build_assets AS b WHERE b.release_id = r.id)
UNION ALL
SELECT 'a purchase of a game that was never published', p.id::text
FROM game_market.purchases AS p
INNER JOIN game_market.games AS g ON g.id = p.game_id
WHERE g.status = 'draft'
"""
