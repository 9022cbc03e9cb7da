"""The hot lookups are served by their indexes (EXPLAIN, with sequential scans discouraged)."""

from __future__ import annotations

import psycopg
import pytest

U = "'00000000-0000-4000-8000-000000000000'::uuid"
LOOKUPS = [
    ("SELECT * FROM authenticity.codes WHERE commitment = sha256('x')", "codes_commitment_key"),
    ("SELECT * FROM authenticity.codes WHERE onchain_code_pda = 'x'", "codes_onchain_code_pda_key"),
    (
        f"SELECT id FROM authenticity.codes WHERE pack_id = {U} AND id > {U} ORDER BY id",
        "codes_pack_id_id_idx",
    ),
    ("SELECT * FROM authenticity.batches WHERE batch_public_id = 'x'", "batches_batch_public_id_key"),
    ("SELECT * FROM authenticity.code_packs WHERE pack_id = 'x'", "code_packs_pack_id_key"),
    (f"SELECT * FROM authenticity.code_packs WHERE batch_id = {U}", "code_packs_batch_id_idx"),
    ("SELECT * FROM authenticity.verify_intents WHERE verify_intent_id = 'x'", "verify_intents_verify_intent_id_key"),
    (
        "SELECT * FROM authenticity.verify_intents WHERE status = 'ISSUED' AND expires_at <= now()",
        "verify_intents_expires_at_idx",
    ),
    (
        "SELECT * FROM authenticity.verifications WHERE commitment = sha256('x') AND result = 'SUCCESS'",
        "verifications_commitment_success_key",
    ),
    (
        f"SELECT * FROM authenticity.verifications WHERE user_id = {U} ORDER BY verified_at DESC",
        "verifications_user_id_verified_at_idx",
    ),
    ("SELECT * FROM authenticity.users WHERE lower(email) = lower('A@b.c')", "users_email_key"),
    ("SELECT * FROM authenticity.user_wallets WHERE wallet_pubkey = 'x'", "user_wallets_wallet_pubkey_key"),
    (f"SELECT * FROM authenticity.user_wallets WHERE user_id = {U}", "user_wallets_user_id_idx"),
    ("SELECT * FROM authenticity.treasury_ops WHERE tx_signature = 'x'", "treasury_ops_tx_signature_key"),
]


@pytest.mark.parametrize(("query", "index"), LOOKUPS, ids=[index for _, index in LOOKUPS])
def test_lookup_uses_its_index(conn: psycopg.Connection, query: str, index: str) -> None:
    with conn.transaction():
        conn.execute("SET LOCAL enable_seqscan = off")
        plan = "\n".join(row[0] for row in conn.execute(f"EXPLAIN {query}").fetchall())
    assert index in plan, plan
