"""The game market's flow (seed 001), through the generated functions of ``chaindb.game_market.queries``.

- a developer signs in with their key and sets a Lightning payout address; their game, its
  release 1.0.0 with the build and both published (create-or-get: found again on later runs);
- a player buys the game: a purchase backed by a fresh Lightning invoice (made up: nothing is
  sent to a Lightning node), then the provider's settlement webhook, delivered four times: one
  purchase paid, one entitlement, one ledger split, one payout;
- the player's entitlement is checked and a download recorded (the IP address only as a salted
  hash, the salt out of the application's reach);
- a guest buys too and proves it with the receipt code the database made;
- the payout worker claims the payouts: the player's is paid, the guest's first attempt fails;
- the guest is refunded: the receipt grants nothing any more, the failed payout is cancelled and
  the ledger mirrors the sale;
- the developer's sales and balance.

Re-runnable on the same database: each run buys with new invoices.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import psycopg

from chaindb import errors
from chaindb.demo import Reporter, short_id
from chaindb.game_market import queries as q

PROVIDER = "lnbits"
DEVELOPER_KEY = "02" + hashlib.sha256(b"chaindb demo developer").hexdigest()
PLAYER_KEY = "03" + hashlib.sha256(b"chaindb demo player").hexdigest()
PAYOUT_ADDRESS = "moonforge@pay.example.com"
SLUG = "moon-runner"
VERSION = "1.0.0"
BUILD = b"moon-runner 1.0.0 build"
PRICE_MSAT = 21_000_000
GUEST_PRICE_MSAT = 15_000_000


class DemoError(RuntimeError):
    """The database answered something the flow does not expect."""


@dataclass(frozen=True)
class Result:
    developer: q.User
    game: q.Game
    release: q.Release
    purchase: q.Purchase
    guest_purchase: q.Purchase
    payouts: list[q.Payout]
    balance: q.DeveloperBalanceGetRow


def sat(msat: int) -> str:
    return f"{msat // 1000:,} sat"


def _published_game(conn: psycopg.Connection[Any], developer: q.User) -> tuple[q.Game, q.Release, str]:
    game = q.game_get_by_slug(conn, slug=SLUG)
    how = "found"
    if game is None:
        try:
            game = q.game_create(
                conn, developer_user_id=developer.id, slug=SLUG, title="Moon Runner",
                summary="Run across the moon; mind the craters.", description_md=None,
            )
            how = "created"
        except errors.UniqueViolation as exc:  # another run created it meanwhile
            if exc.constraint != "games_slug_key":
                raise
            game = q.game_get_by_slug(conn, slug=SLUG)
            if game is None:
                raise DemoError(f"game {SLUG} vanished") from exc
    release = q.release_get_by_version(conn, game_id=game.id, version=VERSION)
    if release is None:
        release = q.release_create(conn, game_id=game.id, version=VERSION, release_notes_md="First release.")
    if q.build_asset_get_by_release(conn, release_id=release.id) is None:
        q.build_asset_create(
            conn, release_id=release.id, object_key=f"builds/{SLUG}/{VERSION}.zip",
            sha256=hashlib.sha256(BUILD).hexdigest(), size_bytes=48_213_504, content_type="application/zip",
        )
    release = q.release_publish(conn, id=release.id)
    game = q.game_publish(conn, id=game.id)
    return game, release, how


def run(conn: psycopg.Connection[Any], report: Reporter) -> Result:
    developer = q.user_get_or_create(conn, pubkey=DEVELOPER_KEY, display_name="Moonforge Games")
    profile = q.developer_profile_upsert(conn, user_id=developer.id, payout_ln_address=PAYOUT_ADDRESS)
    report.step(
        f"developer {developer.display_name} signs in with their key",
        f"user {short_id(developer.id)}, payouts to {profile.payout_ln_address}",
    )

    game, release, how = _published_game(conn, developer)
    build = q.build_asset_get_by_release(conn, release_id=release.id)
    if build is None or release.published_at is None:
        raise DemoError("the release was published without its build")
    fee_bps = q.fee_rate_get_for_game(conn, game_id=game.id)
    report.step(
        f"game {game.slug} {how}, release {release.version} with its build",
        f"{game.status}, build sha256 {build.sha256[:8]}… ({build.size_bytes / 1e6:.1f} MB), "
        f"platform fee {fee_bps} bps",
    )

    player = q.user_get_or_create(conn, pubkey=PLAYER_KEY, display_name="Player One")
    invoice = f"demo-{uuid.uuid4().hex}"
    purchase = q.purchase_create_for_user(
        conn, game_id=game.id, buyer_user_id=player.id, invoice_provider=PROVIDER, invoice_id=invoice,
        amount_msat=PRICE_MSAT,
    )
    report.step(
        f"{player.display_name} buys {game.slug} for {sat(PRICE_MSAT)}",
        f"invoice {PROVIDER}:{invoice[:13]}…, purchase {short_id(purchase.id)} {purchase.status}",
    )

    paid = q.purchase_settle(conn, invoice_provider=PROVIDER, invoice_id=invoice)
    ledger = {e.type: e.amount_msat for e in q.ledger_entry_list_by_purchase(conn, purchase_id=paid.id)}
    payout = q.payout_get_by_purchase(conn, purchase_id=paid.id)
    if paid.paid_at is None or payout is None:
        raise DemoError("a settled purchase without paid_at or payout")
    report.step(
        "the provider's settlement webhook arrives",
        f"{paid.status} at {paid.paid_at:%H:%M:%S}; ledger: sale {sat(ledger[q.LedgerEntryType.SALE])} = fee "
        f"{sat(ledger[q.LedgerEntryType.PLATFORM_FEE])} + developer {sat(ledger[q.LedgerEntryType.DEVELOPER_SHARE])}; "
        f"payout {short_id(payout.id)} {payout.status}",
    )

    replays = [q.purchase_settle(conn, invoice_provider=PROVIDER, invoice_id=invoice) for _ in range(3)]
    entitlements = [e for e in q.entitlement_list_by_user(conn, buyer_user_id=player.id) if e.purchase_id == paid.id]
    if any(r.paid_at != paid.paid_at for r in replays) or len(entitlements) != 1 or len(ledger) != 3:
        raise DemoError("a replayed settlement changed something")
    report.step(
        "the same webhook, delivered 3 more times",
        f"purchase unchanged (paid at {paid.paid_at:%H:%M:%S}), 1 entitlement, 3 ledger entries, 1 payout",
    )

    entitlement = q.entitlement_check_user(conn, buyer_user_id=player.id, game_id=game.id)
    if entitlement is None:
        raise DemoError("the player is not entitled to the game they paid for")
    download = q.download_record(
        conn, entitlement_id=entitlement.id, release_id=release.id, ip="203.0.113.7", user_agent="MoonLauncher/1.0"
    )
    report.step(
        f"{player.display_name} downloads {game.slug} {release.version}",
        f"entitlement {short_id(entitlement.id)} holds; IP stored as HMAC {download.ip_hash[:8]}… (salt unreadable "
        f"by the app)",
    )

    guest_invoice = f"demo-{uuid.uuid4().hex}"
    guest = q.purchase_create_for_guest(
        conn, game_id=game.id, invoice_provider=PROVIDER, invoice_id=guest_invoice, amount_msat=GUEST_PRICE_MSAT
    )
    q.purchase_settle(conn, invoice_provider=PROVIDER, invoice_id=guest_invoice)
    code = guest.guest_receipt_code
    if code is None or q.entitlement_check_receipt(conn, guest_receipt_code=code) is None:
        raise DemoError("a paid guest purchase grants nothing")
    report.step(
        f"a guest buys {game.slug} for {sat(GUEST_PRICE_MSAT)} without an account",
        f"receipt code {code[:8]}… grants the game",
    )

    claimed = q.payout_claim(conn, max_rows=100)
    done: list[q.Payout] = []
    for p in claimed:
        if p.purchase_id == guest.id:
            done.append(q.payout_fail(conn, id=p.id, attempt_count=p.attempt_count, error="no route to destination"))
        else:
            done.append(q.payout_complete(conn, id=p.id))
    mine = {p.purchase_id: p for p in done}
    if mine.get(paid.id) is None or mine.get(guest.id) is None:
        raise DemoError(f"the worker did not claim this run's payouts: {[p.purchase_id for p in claimed]}")
    report.step(
        f"the payout worker claims {len(claimed)} payout(s)",
        f"{sat(mine[paid.id].amount_msat)} to {mine[paid.id].destination_ln_address} {mine[paid.id].status}; "
        f"the guest sale's attempt {mine[guest.id].attempt_count} {mine[guest.id].status}: {mine[guest.id].last_error}",
    )

    refunded = q.purchase_refund(conn, id=guest.id)
    guest_payout = q.payout_get_by_purchase(conn, purchase_id=guest.id)
    if q.entitlement_check_receipt(conn, guest_receipt_code=code) is not None or guest_payout is None:
        raise DemoError("a refunded receipt still grants the game")
    report.step(
        "the guest is refunded",
        f"purchase {refunded.status}, receipt grants nothing, payout {guest_payout.status}, ledger mirrored",
    )

    balance = q.developer_balance_get(conn, developer_user_id=developer.id)
    report.step(
        "the developer's sales and balance",
        f"{balance.sales_count} sale(s), {balance.refund_count} refunded; earned {sat(balance.earned_msat)}, paid out "
        f"{sat(balance.paid_out_msat)}, owed {sat(balance.balance_msat)}",
    )
    return Result(developer, game, release, paid, refunded, done, balance)
