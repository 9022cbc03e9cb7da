"""Every ordered list query is served by an index, checked by EXPLAIN ANALYZE at 10^5 rows.

Each listed table gets 10^5 rows (triggers and foreign keys off while loading: the plans are
the point, not the rules); one parent owns a hundredth of them (1,000 rows), where the rules
allow it (a user has at most one smart account per chain), the others about ten each. The
named query (read from queries/ with aiosql, exactly as the application runs it) must then, on
that parent:

- never read the table sequentially,
- never throw rows away after reading them (no "Rows Removed by Filter" or by index recheck),
- and, when it has a LIMIT (the "newest N" lists), never sort: an index must give the order,
  so that it reads N rows and stops.

The indexes added for this (issue 14) are then dropped, one at a time in a rolled-back
transaction, to show that the same plan checks fail without them. Every query of queries/
with an ORDER BY is either a case here or exempt, with the reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiosql
import psycopg
import pytest

from chaindb import admin

ROOT = Path(__file__).resolve().parents[2]
ROWS = 100_000
HOT = "00000000-0000-4000-8000-000000000001"
HOT_COMMITMENT = "\\x" + "ab" * 32

# uuid of parent g: the hot one for every hundredth row (1,000 rows), else one of 9,000 others
PARENT = f"(CASE WHEN g % 100 = 0 THEN '{HOT}' ELSE md5((g % 9000)::text) END)::uuid"
TEXT_PARENT = f"(CASE WHEN g % 100 = 0 THEN '{HOT}' ELSE md5((g % 9000)::text) END)"
AT = "(timestamptz '2025-01-01' + g * interval '1 minute')"
# a valid base58 value of 44 (pubkey) or 88 (signature) characters, distinct per g
PUBKEY = "'A' || left(translate(md5(g::text) || md5((-g)::text), '0', 'z'), 43)"
SIGNATURE = (
    "'3' || left(translate(md5(g::text) || md5((-g)::text) || md5((g + 7)::text), '0', 'z'), 87)"
)
EVM = "'0x' || lpad(to_hex(g), 40, '0')"


def base58ish(first: str, seed: str) -> str:
    """A valid 44-character base58 public key, as PUBKEY builds them (hex digits, 0 made z)."""
    return (first + (hashlib.md5(seed.encode()).hexdigest() + hashlib.md5(seed[::-1].encode()).hexdigest())
            .replace("0", "z"))[:44]


# tips: hosts' keys start with C, mints' with D, signers' (PUBKEY) with A: a signer is never its host
HOT_HOST = base58ish("C", "hot host")
HOT_SIGNER = base58ish("A", "hot signer")
USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"

LOADERS = {
    "cocopay.transactions": f"""
        INSERT INTO cocopay.transactions (type, status, amount_usd, chain_id, store_id, confirmation_code,
                                          created_at, confirmed_at)
        SELECT 'payment', 'confirmed', 1 + g % 7, '8453', {PARENT}, 'ABCDEF', {AT}, {AT}
        FROM generate_series(1, {ROWS}) AS g;
        INSERT INTO cocopay.store_daily_stats
        SELECT store_id, date(created_at AT TIME ZONE 'UTC'), count(*), sum(amount_usd), count(DISTINCT from_user_id),
               avg(amount_usd)
        FROM cocopay.transactions GROUP BY 1, 2""",
    "cocopay.payouts": f"""
        INSERT INTO cocopay.payouts (store_id, requested_by, amount_usd, payout_type, destination, status,
                                     processed_at, created_at)
        SELECT {PARENT}, gen_random_uuid(), 1, 'pix', '{{"pix_key": "k"}}',
               (CASE WHEN g % 3 = 0 THEN 'pending' ELSE 'completed' END)::cocopay.payout_status,
               CASE WHEN g % 3 = 0 THEN NULL ELSE {AT} END, {AT}
        FROM generate_series(1, {ROWS}) AS g""",
    "cocopay.analytics_events": f"""
        INSERT INTO cocopay.analytics_events (event_name, user_id, created_at)
        SELECT 'app_open', {PARENT}, {AT} FROM generate_series(1, {ROWS}) AS g""",
    "cocopay.audit_logs": f"""
        INSERT INTO cocopay.audit_logs (user_id, action, resource_type, resource_id, created_at)
        SELECT {PARENT}, 'update', 'store', {PARENT}, {AT} FROM generate_series(1, {ROWS}) AS g""",
    "cocopay.passkeys": f"""
        INSERT INTO cocopay.passkeys (user_id, credential_id, public_key, created_at)
        SELECT {PARENT}, 'cred-' || g, '\\x01', {AT} FROM generate_series(1, {ROWS}) AS g""",
    "cocopay.smart_accounts": f"""
        INSERT INTO cocopay.smart_accounts (user_id, chain_id, address, salt, owner_address, created_at)
        SELECT CASE WHEN g <= 8 THEN '{HOT}'::uuid ELSE md5((g / 8)::text)::uuid END,
               (enum_range(NULL::cocopay.chain_id))[1 + g % 8], {EVM}, '0x' || md5(g::text) || md5((-g)::text),
               {EVM}, {AT}
        FROM generate_series(1, {ROWS}) AS g""",
    "cocopay.store_members": f"""
        INSERT INTO cocopay.store_members (store_id, user_id, role, invited_at, accepted_at)
        SELECT {PARENT}, md5(g::text)::uuid, 'staff', {AT}, {AT} FROM generate_series(1, {ROWS}) AS g;
        INSERT INTO cocopay.store_members (store_id, user_id, role, invited_at, accepted_at)
        SELECT md5((-g)::text)::uuid, '{HOT}', 'staff', {AT}, {AT} FROM generate_series(1, {ROWS // 100}) AS g;
        INSERT INTO cocopay.stores (id, name, symbol)
        SELECT m.store_id, 'Store', 'S' FROM cocopay.store_members AS m WHERE m.user_id = '{HOT}'""",
    "cocopay.token_balances": f"""
        INSERT INTO cocopay.token_balances (user_id, chain_id, token_address)
        SELECT {PARENT}, '8453', {EVM} FROM generate_series(1, {ROWS}) AS g""",
    "authenticity.manufacturers": f"""
        INSERT INTO authenticity.manufacturers (name, hmac_kms_key_id, created_at)
        SELECT CASE WHEN g % 100 = 0 THEN 'Hot Co' ELSE 'Maker ' || g % 9000 END, 'alias/k', {AT}
        FROM generate_series(1, {ROWS}) AS g""",
    "authenticity.skus": f"""
        INSERT INTO authenticity.skus (manufacturer_id, sku_code, sku_name, sku_hash)
        SELECT {PARENT}, 'SKU-' || g, 'Product', sha256(g::text::bytea) FROM generate_series(1, {ROWS}) AS g""",
    "authenticity.batches": f"""
        INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label, created_at)
        SELECT {PARENT}, gen_random_uuid(), 'B-' || g, 'Batch', {AT} FROM generate_series(1, {ROWS}) AS g""",
    "authenticity.code_packs": f"""
        INSERT INTO authenticity.code_packs (batch_id, pack_id, quantity, created_at)
        SELECT {PARENT}, 'P-' || g, 1, {AT} FROM generate_series(1, {ROWS}) AS g""",
    "authenticity.codes": f"""
        INSERT INTO authenticity.codes (pack_id, qr_payload, commitment, onchain_code_pda)
        SELECT {PARENT}, 'https://verify.example/v/B-1/' || {PUBKEY}, sha256(g::text::bytea), {PUBKEY}
        FROM generate_series(1, {ROWS}) AS g""",
    "authenticity.treasury_ops": f"""
        INSERT INTO authenticity.treasury_ops (type, pyusd_in, sol_out_lamports, jupiter_route, tx_signature,
                                               created_at)
        SELECT 'REFILL_SWAP', 1, 1, '{{}}', {SIGNATURE}, {AT} FROM generate_series(1, {ROWS}) AS g""",
    "authenticity.user_wallets": f"""
        INSERT INTO authenticity.user_wallets (user_id, wallet_pubkey, created_at)
        SELECT {PARENT}, {PUBKEY}, {AT} FROM generate_series(1, {ROWS}) AS g""",
    "authenticity.verifications": f"""
        INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
                                                verified_at, result, failure_reason, intent_id)
        SELECT (SELECT b.id FROM authenticity.batches AS b LIMIT 1), {PARENT},
               CASE WHEN g % 100 = 0 THEN '{HOT_COMMITMENT}'::bytea ELSE sha256((g % 9000)::text::bytea) END,
               {PUBKEY}, 0, {SIGNATURE}, {AT}, 'FAIL', 'ALREADY_VERIFIED', gen_random_uuid()
        FROM generate_series(1, {ROWS}) AS g""",
    "authenticity.verify_intents": f"""
        INSERT INTO authenticity.verify_intents (verify_intent_id, batch_id, commitment, reward_lamports, expires_at,
                                                 created_at)
        SELECT 'vi_' || g, gen_random_uuid(),
               CASE WHEN g % 100 = 0 THEN '{HOT_COMMITMENT}'::bytea ELSE sha256((g % 9000)::text::bytea) END,
               1, timestamptz '2100-01-01', {AT}
        FROM generate_series(1, {ROWS}) AS g""",
    # game_market: the hot parent is a developer, a game, a buyer, an entitlement and a purchase at once; the sales
    # list joins payouts to purchases and games, so their ids match (md5 of 'p' || g, 'g' || g)
    "game_market.games": f"""
        INSERT INTO game_market.games (id, developer_user_id, slug, title, status, created_at)
        SELECT md5('g' || g)::uuid, {PARENT}, 'g-' || g, 'Game',
               (CASE WHEN g % 4 = 0 THEN 'draft' ELSE 'published' END)::game_market.game_status, {AT}
        FROM generate_series(1, {ROWS}) AS g""",
    "game_market.releases": f"""
        INSERT INTO game_market.releases (game_id, version, published_at, created_at)
        SELECT {PARENT}, 'v' || g, {AT}, {AT} FROM generate_series(1, {ROWS}) AS g""",
    "game_market.purchases": f"""
        INSERT INTO game_market.purchases (id, buyer_user_id, game_id, invoice_provider, invoice_id, status,
                                           amount_msat, paid_at, created_at)
        SELECT md5('p' || g)::uuid, {PARENT}, md5('g' || (1 + g % 1000))::uuid, 'lnbits', 'i' || g, 'paid', 1000, {AT},
               {AT}
        FROM generate_series(1, {ROWS}) AS g""",
    "game_market.entitlements": f"""
        INSERT INTO game_market.entitlements (purchase_id, buyer_user_id, game_id, granted_at)
        SELECT md5('e' || g)::uuid, {PARENT}, {PARENT}, {AT} FROM generate_series(1, {ROWS}) AS g""",
    "game_market.download_events": f"""
        INSERT INTO game_market.download_events (entitlement_id, release_id, ip_hash, created_at)
        SELECT {PARENT}, gen_random_uuid(), repeat('a', 64), {AT} FROM generate_series(1, {ROWS}) AS g""",
    "game_market.ledger_entries": f"""
        INSERT INTO game_market.ledger_entries (purchase_id, type, amount_msat, created_at)
        SELECT CASE WHEN g <= 6 THEN '{HOT}'::uuid ELSE md5('p' || g)::uuid END,
               (enum_range(NULL::game_market.ledger_entry_type))[1 + g % 6], 100, {AT}
        FROM generate_series(1, {ROWS}) AS g""",
    "game_market.payouts": f"""
        INSERT INTO game_market.payouts (purchase_id, developer_user_id, destination_ln_address, amount_msat,
                                         idempotency_key, created_at)
        SELECT md5('p' || g)::uuid, {PARENT}, 'dev@pay.example.com', 900, 'game_market:payout:' || md5('p' || g)::uuid,
               {AT}
        FROM generate_series(1, {ROWS}) AS g""",
    # tips: every hundredth tip to the hot host (1,000, over 11 mints), the others to one of 9,000 hosts;
    # every hundredth (another) by the hot signer, a Dynamic session's wallet; 9 in 10 verified
    "tips.events": f"""
        INSERT INTO tips.events (id, host, signer, amount, mint, signature, created_at)
        SELECT 'tip-' || g,
               CASE WHEN g % 100 = 0 THEN '{HOT_HOST}'
                    ELSE 'C' || left(translate(md5((g % 9000)::text) || md5((-(g % 9000))::text), '0', 'z'), 43) END,
               CASE WHEN g % 100 = 1 THEN '{HOT_SIGNER}' ELSE {PUBKEY} END,
               1000 + g,
               CASE WHEN g % 11 = 0 THEN '{USDC}'
                    ELSE 'D' || left(translate(md5('m' || g % 11) || md5('n' || g % 11), '0', 'z'), 43) END,
               {SIGNATURE}, {AT}
        FROM generate_series(1, {ROWS}) AS g""",
    "tips.event_verifications": """
        INSERT INTO tips.event_verifications (event_id, signature, status, slot, helius_response, verified_at,
                                              created_at, available_at)
        SELECT e.id, e.signature, 'verified'::tips.verification_status, e.amount, jsonb_build_object('slot', e.amount),
               e.created_at,
               e.created_at, e.created_at
        FROM tips.events AS e WHERE e.amount % 10 <> 5
        UNION ALL
        SELECT e.id, e.signature, 'pending', NULL, '{}', NULL, e.created_at, e.created_at
        FROM tips.events AS e WHERE e.amount % 10 = 5""",
    "tips.dynamic_sessions": f"""
        INSERT INTO tips.dynamic_sessions (id, external_id, status, custodial_wallet)
        VALUES ('{HOT}', 'hot-session', 'wallet_created', '{HOT_SIGNER}')""",
    "tips.host_metrics": "REFRESH MATERIALIZED VIEW tips.host_metrics",
    # bloxtr8 ids are text (cuids): the hot parent is HOT as text, the others md5 text; game ids are digits
    "bloxtr8.accounts": f"""
        INSERT INTO bloxtr8.accounts (id, account_id, provider_id, user_id, created_at)
        SELECT 'a' || g, g::text, 'discord', {TEXT_PARENT}, {AT} FROM generate_series(1, {ROWS}) AS g""",
    "bloxtr8.guild_members": f"""
        INSERT INTO bloxtr8.guild_members (guild_id, user_id, created_at)
        SELECT md5(g::text), {TEXT_PARENT}, {AT} FROM generate_series(1, {ROWS}) AS g""",
    "bloxtr8.listings": f"""
        INSERT INTO bloxtr8.listings (title, summary, price, category, user_id, status, created_at)
        SELECT 'Game', 'A game', 100, CASE WHEN g % 100 = 0 THEN 'hot' ELSE 'c' || g % 9000 END, {TEXT_PARENT},
               (CASE WHEN g % 3 = 0 THEN 'INACTIVE' ELSE 'ACTIVE' END)::bloxtr8.listing_status, {AT}
        FROM generate_series(1, {ROWS}) AS g""",
    "bloxtr8.offers": f"""
        INSERT INTO bloxtr8.offers (amount, expiry, listing_id, buyer_id, seller_id, created_at)
        SELECT 100, {AT} + interval '1 day', {TEXT_PARENT}, 'b' || g, 's', {AT} FROM generate_series(1, {ROWS}) AS g""",
    "bloxtr8.signatures": f"""
        INSERT INTO bloxtr8.signatures (user_id, contract_id, signed_at)
        SELECT 'u' || g, {TEXT_PARENT}, {AT} FROM generate_series(1, {ROWS}) AS g""",
    "bloxtr8.contract_sign_tokens": f"""
        INSERT INTO bloxtr8.contract_sign_tokens (token, contract_id, user_id, expires_at, created_at)
        SELECT encode(sha256(g::text::bytea), 'hex'), {TEXT_PARENT}, 'u', {AT} + interval '15 minutes', {AT}
        FROM generate_series(1, {ROWS}) AS g""",
    "bloxtr8.escrows": f"""
        INSERT INTO bloxtr8.escrows (rail, amount, status, offer_id, contract_id, created_at)
        SELECT 'STRIPE', 100, 'CANCELLED', 'o' || g, {TEXT_PARENT}, {AT} FROM generate_series(1, {ROWS}) AS g""",
    "bloxtr8.milestone_escrows": f"""
        INSERT INTO bloxtr8.milestone_escrows (escrow_id, title, amount, created_at)
        SELECT {TEXT_PARENT}, 'Part', 1, {AT} FROM generate_series(1, {ROWS}) AS g""",
    "bloxtr8.roblox_snapshots": f"""
        INSERT INTO bloxtr8.roblox_snapshots (game_id, game_name, listing_id, created_at)
        SELECT CASE WHEN g % 100 = 0 THEN '424242' ELSE (1 + g % 9000)::text END, 'Game', {TEXT_PARENT}, {AT}
        FROM generate_series(1, {ROWS}) AS g""",
    "bloxtr8.audit_logs": f"""
        INSERT INTO bloxtr8.audit_logs (action, user_id, escrow_id, created_at)
        SELECT 'escrow_created', {TEXT_PARENT}, {TEXT_PARENT}, {AT} FROM generate_series(1, {ROWS}) AS g""",
}


@dataclass(frozen=True)
class Case:
    schema: str
    query: str
    table: str  # the table whose scan is judged
    params: dict[str, Any] = field(default_factory=dict)
    index: str | None = None  # the index added for it (issue 14), dropped to show the checks fail


CASES = [
    Case("cocopay", "transaction_list_by_store", "transactions", {"store_id": HOT, "max_rows": 20},
         "transactions_store_id_created_at_id_idx"),
    Case("cocopay", "analytics_event_list_by_user", "analytics_events", {"user_id": HOT, "max_rows": 20},
         "analytics_events_user_id_created_at_id_idx"),
    Case("cocopay", "audit_log_list_by_user", "audit_logs", {"user_id": HOT, "max_rows": 20},
         "audit_logs_user_id_created_at_id_idx"),
    Case("cocopay", "audit_log_list_by_resource", "audit_logs", {"resource_type": "store", "resource_id": HOT}),
    Case("cocopay", "payout_list_open", "payouts", {"max_rows": 20}, "payouts_created_at_id_idx"),
    Case("cocopay", "payout_list_by_store", "payouts", {"store_id": HOT}),
    Case("cocopay", "passkey_list_by_user", "passkeys", {"user_id": HOT}),
    Case("cocopay", "smart_account_list_by_user", "smart_accounts", {"user_id": HOT}),
    Case("cocopay", "store_member_list", "store_members", {"store_id": HOT}),
    Case("cocopay", "store_list_by_member", "store_members", {"user_id": HOT}),
    Case("cocopay", "token_balance_list_by_user", "token_balances", {"user_id": HOT}),
    Case("cocopay", "store_daily_stats_list", "store_daily_stats",
         {"store_id": HOT, "from_date": "2025-01-01", "to_date": "2025-12-31"}),
    Case("authenticity", "manufacturer_get_by_name", "manufacturers", {"name": "Hot Co"},
         "manufacturers_name_created_at_id_idx"),
    Case("authenticity", "sku_list_by_manufacturer", "skus", {"manufacturer_id": HOT}),
    Case("authenticity", "batch_list_by_manufacturer", "batches", {"manufacturer_id": HOT}),
    Case("authenticity", "code_pack_list_by_batch", "code_packs", {"batch_id": HOT}),
    Case("authenticity", "code_list_by_pack", "codes", {"pack_id": HOT, "after_id": None, "max_rows": 100}),
    Case("authenticity", "treasury_op_list_recent", "treasury_ops", {"max_rows": 20}),
    Case("authenticity", "user_wallet_list", "user_wallets", {"user_id": HOT}),
    Case("authenticity", "verification_list_by_user", "verifications", {"user_id": HOT}),
    Case("authenticity", "verification_list_by_commitment", "verifications", {"commitment": bytes.fromhex("ab" * 32)}),
    Case("authenticity", "verify_intent_list_open", "verify_intents",
         {"commitment": bytes.fromhex("ab" * 32), "now": None}),
    Case("game_market", "game_list_published", "games", {"max_rows": 20}, "games_published_created_at_id_idx"),
    Case("game_market", "game_list_by_developer", "games", {"developer_user_id": HOT}),
    Case("game_market", "release_list_by_game", "releases", {"game_id": HOT}),
    Case("game_market", "release_get_latest_published", "releases", {"game_id": HOT},
         "releases_game_id_published_at_id_idx"),
    Case("game_market", "purchase_list_by_buyer", "purchases", {"buyer_user_id": HOT}),
    Case("game_market", "entitlement_check_user", "entitlements", {"buyer_user_id": HOT, "game_id": HOT},
         "entitlements_buyer_user_id_game_id_granted_at_id_idx"),
    Case("game_market", "entitlement_list_by_user", "entitlements", {"buyer_user_id": HOT}),
    Case("game_market", "download_list_by_entitlement", "download_events", {"entitlement_id": HOT, "max_rows": 20},
         "download_events_entitlement_id_created_at_id_idx"),
    Case("game_market", "ledger_entry_list_by_purchase", "ledger_entries", {"purchase_id": HOT}),
    Case("game_market", "payout_list_by_developer", "payouts", {"developer_user_id": HOT, "max_rows": 20},
         "payouts_developer_user_id_created_at_id_idx"),
    Case("game_market", "developer_sales_list", "payouts", {"developer_user_id": HOT, "max_rows": 20},
         "payouts_developer_user_id_created_at_id_idx"),
    Case("tips", "overview_recent_tips", "events", {"host": HOT_HOST, "max_rows": 20},
         "events_host_created_at_id_idx"),
    Case("tips", "overview_host", "events", {"host": HOT_HOST}),
    Case("tips", "overview_session_tips", "events", {"session_id": HOT}),
    Case("tips", "host_metrics_list_by_host", "host_metrics", {"host": HOT_HOST}),
    Case("tips", "host_metrics_top", "host_metrics", {"mint": USDC, "max_rows": 20},
         "host_metrics_mint_verified_amount_idx"),
    Case("bloxtr8", "account_list_by_user", "accounts", {"user_id": HOT}),
    Case("bloxtr8", "guild_member_list_by_user", "guild_members", {"user_id": HOT}),
    Case("bloxtr8", "listing_list_active", "listings", {"max_rows": 20}, "listings_created_at_id_active_idx"),
    Case("bloxtr8", "listing_list_active_by_category", "listings", {"category": "hot", "max_rows": 20},
         "listings_category_created_at_id_active_idx"),
    Case("bloxtr8", "listing_list_by_user", "listings", {"user_id": HOT}),
    Case("bloxtr8", "offer_list_by_listing", "offers", {"listing_id": HOT}),
    Case("bloxtr8", "signature_list_by_contract", "signatures", {"contract_id": HOT}),
    Case("bloxtr8", "sign_token_list_by_contract", "contract_sign_tokens", {"contract_id": HOT}),
    Case("bloxtr8", "escrow_list_by_contract", "escrows", {"contract_id": HOT}),
    Case("bloxtr8", "escrow_milestone_list", "milestone_escrows", {"escrow_id": HOT}),
    Case("bloxtr8", "roblox_snapshot_list_by_listing", "roblox_snapshots", {"listing_id": HOT}),
    Case("bloxtr8", "roblox_snapshot_latest_by_game", "roblox_snapshots", {"game_id": "424242"},
         "roblox_snapshots_game_id_created_at_id_idx"),
    Case("bloxtr8", "audit_log_list_by_escrow", "audit_logs", {"escrow_id": HOT}),
    Case("bloxtr8", "audit_log_list_by_user", "audit_logs", {"user_id": HOT, "max_rows": 20},
         "audit_logs_user_id_created_at_id_idx"),
]

#: Ordered queries (schema, name) that are not lists of a parent, and why they need no index here.
EXEMPT = {
    ("authenticity", "manufacturer_list"): "every manufacturer, by name: the whole (small) table",
    ("cocopay", "feature_flag_list_enabled"): "every enabled flag, by name: a small configuration table",
    ("cocopay", "transaction_search"): "one statement per @optional variant: each one's plan is checked at 10^5 rows in"
    " tests/python/cocopay/test_search_nested.py",
    ("cocopay", "store_get_with_members"): (
        "ORDER BY inside json_agg: one store's memberships, by the members' store"
        " index"
    ),
    ("tips", "verification_claim"): (
        "orders the rows it claimed (max_rows at most): claimed by"
        " event_verifications_pending_idx"
    ),
    ("tips", "payout_claim"): "orders the rows it claimed (max_rows at most): claimed by reflect_payouts_open_idx",
    ("tips", "verification_count_by_status"): "counts every verification per state: a full aggregate of three groups",
    ("tips", "overview_totals"): "totals of every verified tip per mint: a full aggregate of a few groups",
    ("bloxtr8", "contract_template_list"): "every template version, newest first: a small table of legal texts",
    ("bloxtr8", "offer_thread"): "one negotiation, walked from an offer to its first by primary key (a few rows)",
}


def named_queries() -> dict[tuple[str, str], str]:
    """(schema, name) -> SQL of every named query in queries/<schema>/*.sql (aiosql, psycopg placeholders);
    names are unique per schema only (cocopay and bloxtr8 both have audit_log_list_by_user)."""
    out: dict[tuple[str, str], str] = {}
    for folder in sorted((ROOT / "queries").iterdir()):
        queries = aiosql.from_path(folder, "psycopg")
        for name in queries.available_queries:
            if "." not in name and not name.endswith("_cursor"):
                out[(folder.name, name)] = getattr(queries, name).sql
    return out


def problems(plan: dict[str, Any], table: str, *, limited: bool) -> list[str]:
    """What is wrong with a plan for an ordered list on ``table``."""
    found: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        kind = node["Node Type"]
        relation = node.get("Relation Name") or ""
        if relation == table or re.fullmatch(rf"{table}_(p[0-9]{{6}}|default)", relation):  # or one of its months
            # (an empty month's partition is read by a sequential scan of nothing: no cost)
            scanned = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
            if kind == "Seq Scan" and (relation == table or scanned):
                found.append(f"sequential scan of {relation}")
            for key in ("Rows Removed by Filter", "Rows Removed by Index Recheck"):
                if node.get(key):
                    found.append(f"{kind} on {relation}: {key} {node[key]}")
        if limited and kind == "Sort":
            found.append(f"Sort of {node.get('Actual Rows')} rows under a LIMIT ({', '.join(node['Sort Key'])})")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    return found


@pytest.fixture(scope="module")
def lists_url(pg_url: str, template_url: str) -> Iterator[str]:
    template = urlsplit(template_url).path.lstrip("/")
    url = admin.create_database(pg_url, "chaindb_test_list_plans", template=template)
    by_schema: dict[str, list[tuple[str, str]]] = defaultdict(list)  # a schema's loaders in order
    for table, sql in LOADERS.items():
        by_schema[table.split(".")[0]].append((table, sql))

    def load(loaders: list[tuple[str, str]]) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET session_replication_role = replica")  # no triggers, no FK checks: plans only
            for table, sql in loaders:
                conn.execute(sql)
                conn.execute(f"ANALYZE {table}")

    with ThreadPoolExecutor(max_workers=2) as pool:  # schemas load independently: two at a time
        list(pool.map(load, by_schema.values()))
    with psycopg.connect(url, autocommit=True) as conn:
        # the months of the rows get their partitions (the rows move out of the default partition,
        # foreign keys unchecked as when they were loaded)
        conn.execute("SET session_replication_role = replica")
        conn.execute("SELECT common.create_partitions()")
        for (table,) in conn.execute("SELECT format('%I.%I', schema_name, table_name) FROM common.partitioned_tables"):
            conn.execute(f"ANALYZE {table}")
        conn.execute("ANALYZE cocopay.stores")
        conn.execute("ANALYZE cocopay.store_daily_stats")
    yield url
    admin.drop_database(pg_url, "chaindb_test_list_plans")


def explain(conn: psycopg.Connection, sql: str, params: dict[str, Any]) -> dict[str, Any]:
    row = conn.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params).fetchone()
    assert row is not None
    plan = row[0] if not isinstance(row[0], str) else json.loads(row[0])
    return dict(plan[0])


def test_every_ordered_query_is_a_case_or_exempt() -> None:
    ordered = {key for key, sql in named_queries().items() if re.search(r"\bORDER\s+BY\b", sql, re.I)}
    assert ordered, "no ordered queries found"
    cases = {(c.schema, c.query) for c in CASES}
    exempt = {key for key in ordered if key in EXEMPT}
    assert ordered - cases - exempt == set(), "ordered queries without a plan check"
    assert cases - ordered == set(), "cases for queries that are gone or no longer ordered"
    assert set(EXEMPT) - exempt == set(), "exemptions for queries that are gone"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.query)
def test_list_is_served_by_an_index(lists_url: str, case: Case) -> None:
    sql = named_queries()[(case.schema, case.query)]
    limited = re.search(r"\bLIMIT\b", sql, re.I) is not None
    with psycopg.connect(lists_url) as conn:
        plan = explain(conn, sql, case.params)
        assert problems(plan, case.table, limited=limited) == [], json.dumps(plan["Plan"], indent=1)
        assert plan["Plan"]["Actual Rows"] > 0, "the hot parent has rows"
        if case.index:
            conn.execute(f"DROP INDEX {case.schema}.{case.index}")
            without = explain(conn, sql, case.params)
            conn.rollback()
            assert problems(without, case.table, limited=limited), (
                f"without {case.index} the plan is still fine: {json.dumps(without['Plan'], indent=1)}"
            )
