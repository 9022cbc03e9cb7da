"""Game market settlement throughput against pgbench's TPC-B, both driven by pgbench.

A settlement is what the Lightning provider's webhook makes the application do for a paid invoice: one call
of ``game_market.settle_invoice`` (one transaction, as the application role), which moves the purchase to paid
and writes its entitlement, its three ledger entries (the balance trigger checking them) and its payout. 16
webhook callers settle distinct pending invoices, each round 10,000 of them; pgbench's own C client drives
both sides, so the comparison is about the database, not about Python. Values are settlements (resp. TPC-B
transactions) per second, as pgbench reports them (without connection time). Afterwards every invoice handed
out is checked to be settled exactly once, with one entitlement, three entries and one payout.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from bench.harness import Context, Pair, at_least, item
from bench.items.verification import _script, pgbench

CLIENTS = 16
INVOICES_PER_ROUND = 10_000
SETTLE_SCRIPT = """\
SELECT p.status FROM game_market.settle_invoice('bench', 'bench-' || nextval('bench.invoice_n')) AS p;
"""


def seed(url: str, invoices: int) -> None:
    """A developer with a published game (through the generated functions), 1,000 buyers and `invoices` pending
    purchases 'bench-1' .. (bulk, as the owner); the sequence bench.invoice_n hands the invoices out in order."""
    from chaindb.game_market import queries as q

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA bench")
        conn.execute("GRANT USAGE ON SCHEMA bench TO chaindb_app")
        conn.execute("CREATE SEQUENCE bench.invoice_n")
        conn.execute("GRANT USAGE ON SEQUENCE bench.invoice_n TO chaindb_app")
        key = "02" + hashlib.sha256(b"bench developer").hexdigest()
        dev = q.user_get_or_create(conn, pubkey=key, display_name=None)
        q.developer_profile_upsert(conn, user_id=dev.id, payout_ln_address="bench@pay.example.com")
        game = q.game_create(conn, developer_user_id=dev.id, slug="bench-game", title="Bench", summary=None,
                             description_md=None)
        release = q.release_create(conn, game_id=game.id, version="1.0.0", release_notes_md=None)
        q.build_asset_create(conn, release_id=release.id, object_key="bench.zip", sha256="0" * 64, size_bytes=1,
                             content_type="application/zip")
        q.release_publish(conn, id=release.id)
        q.game_publish(conn, id=game.id)
        conn.execute(
            "INSERT INTO game_market.users (pubkey) SELECT '03' || encode(sha256(convert_to('buyer ' || g, 'UTF8')), "
            "'hex') FROM generate_series(1, 1000) AS g"
        )
        # buyers and guests alternate; amounts vary, so the fee rounds
        conn.execute(
            """
            INSERT INTO game_market.purchases (buyer_user_id, guest_receipt_code, game_id, invoice_provider, invoice_id,
                                               amount_msat)
            SELECT CASE WHEN g %% 2 = 0 THEN u.ids[1 + g %% 1000] END,
                   CASE WHEN g %% 2 = 1 THEN encode(extensions.gen_random_bytes(16), 'hex') END,
                   %s, 'bench', 'bench-' || g, 1000000 + g
            FROM generate_series(1, %s) AS g,
                 (SELECT array_agg(id ORDER BY id) AS ids FROM game_market.users WHERE id <> %s) AS u
            """,
            (game.id, invoices, dev.id),
        )
        conn.execute("VACUUM ANALYZE")


def check_exactly_once(url: str) -> None:
    """Every invoice handed out is paid, with one entitlement, three ledger entries and one payout; no other is."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            """
            SELECT (SELECT last_value FROM bench.invoice_n),
                   (SELECT count(*) FROM game_market.purchases WHERE status = 'paid'),
                   (SELECT count(*) FROM game_market.entitlements),
                   (SELECT count(*) FROM game_market.ledger_entries),
                   (SELECT count(*) FROM game_market.payouts)
            """
        ).fetchone()
    assert row is not None
    handed, paid, entitlements, entries, payouts = row
    assert (paid, entitlements, entries, payouts) == (handed, handed, 3 * handed, handed), f"not exactly once: {row}"


@item(
    "game_market_settlement",
    "game market settlements (settle_invoice: paid, entitlement, ledger split, payout), 16 webhook callers, 10,000 "
    "invoices a round / pgbench TPC-B, 16 clients",
    a="pgbench -c16 -M prepared: game_market.settle_invoice of a distinct pending invoice, as chaindb_app",
    b="pgbench -c16 -M prepared, built-in TPC-B (scale 16; scale 1 in the quick profile)",
    unit="tx/s",
    goal=at_least(0.5),
    higher_is_better=True,
)
@contextmanager
def game_market_settlement(ctx: Context) -> Iterator[Pair]:
    rounds = 2 if ctx.quick else 5
    per_client = 20 if ctx.quick else INVOICES_PER_ROUND // CLIENTS
    warm_up = 5 if ctx.quick else 20
    scale = 1 if ctx.quick else 16
    tpcb = ctx.database("tpcb_settlement", migrated=False)
    ctx.log(f"pgbench -i -s {scale}")
    subprocess.run([ctx.tool("pgbench"), "-i", "-q", "-s", str(scale), tpcb], check=True, capture_output=True)
    url = ctx.database("game_market_settlement")
    invoices = CLIENTS * (warm_up + rounds * per_client)
    ctx.log(f"{invoices:,} pending purchases")
    seed(url, invoices)
    app = ctx.as_app(url)
    common = ["-n", "-M", "prepared", "-c", str(CLIENTS), "-j", "2"]
    with _script(SETTLE_SCRIPT) as script:
        pgbench(ctx, app, [*common, "-t", str(warm_up), "-f", script])
        pgbench(ctx, tpcb, [*common, "-t", str(warm_up)])
        yield Pair(
            a=lambda: pgbench(ctx, app, [*common, "-t", str(per_client), "-f", script]),
            b=lambda: pgbench(ctx, tpcb, [*common, "-t", str(per_client)]),
        )
    check_exactly_once(url)
    ctx.drop(url)
    ctx.drop(tpcb)
