"""Property-test spec of authenticity (loaded by tests/python/properties/conftest.py): seed, invariants, values."""

from __future__ import annotations

import datetime
import hashlib
import os
from decimal import Decimal
from typing import Any

import psycopg
from hypothesis import strategies as st
from solders.pubkey import Pubkey
from solders.signature import Signature

from chaindb.authenticity import packs
from chaindb.authenticity import queries as q

UTC = datetime.UTC
T0 = datetime.datetime(2024, 5, 1, 12, tzinfo=UTC)

PUBKEY = st.binary(min_size=32, max_size=32).map(lambda b: str(Pubkey(b)))
PUBLIC_ID = st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)

#: Well-formed values by parameter name (mixed into the valid side of each parameter).
STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "tx_signature": st.binary(min_size=64, max_size=64).map(lambda b: str(Signature(b))),
    "onchain_batch_pubkey": PUBKEY,
    "wallet_pubkey": PUBKEY,
    "batch_public_id": PUBLIC_ID,
    "pack_id": PUBLIC_ID,
    "verify_intent_id": PUBLIC_ID,
    "sku_code": st.from_regex(r"[A-Z0-9-]{1,20}", fullmatch=True),
    "hmac_kms_key_id": st.from_regex(r"[A-Za-z0-9:/_.@-]{1,80}", fullmatch=True),
    "email": st.emails(),
    "privy_user_id": st.from_regex(r"did:privy:[a-z0-9]{1,30}", fullmatch=True),
    "reward_usd_target": st.decimals(min_value=0, max_value=100, places=4),
    "reward_lamports": st.integers(1, 10**9),
    "quantity": st.integers(1, 5),
    "pyusd_in": st.integers(1, 10**12),
    "sol_out_lamports": st.integers(1, 10**12),
    "jupiter_route": st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3),
    "failure_reason": st.text(min_size=1, max_size=40).filter(str.strip),
    # an intent that can still be confirmed or failed, or one that cannot
    "verification_confirm.verify_intent_id": st.sampled_from(["vi-issued", "vi-issued-2", "vi-late", "vi-confirmed"]),
    "verification_fail.verify_intent_id": st.sampled_from(["vi-issued", "vi-issued-2", "vi-late", "vi-failed"]),
}


def seed(conn: psycopg.Connection[Any], clock: Any) -> None:
    """Manufacturers (active, suspended), batches in every state, packs in every state, intents in every state."""
    key = os.urandom(32)
    clock.freeze(T0)
    conn.execute("SET ROLE chaindb_app")
    acme = q.manufacturer_create(conn, name="Acme", hmac_kms_key_id="alias/acme")
    susp = q.manufacturer_create(conn, name="Suspended", hmac_kms_key_id="alias/susp")
    skus = {
        m.id: q.sku_create(conn, manufacturer_id=m.id, sku_code=f"SKU-{m.name}", sku_name="Anvil",
                           sku_hash=hashlib.sha256(m.name.encode()).digest())
        for m in (acme, susp)
    }

    def batch(public_id: str, maker: q.Manufacturer = acme) -> q.Batch:
        return q.batch_create(conn, manufacturer_id=maker.id, sku_id=skus[maker.id].id, batch_public_id=public_id,
                              batch_label=public_id, expiry_date=None, reward_usd_target=None,
                              onchain_batch_pubkey=None)

    def sig() -> str:
        return str(Signature(os.urandom(64)))

    batch("B-CREATED")
    active = q.batch_activate(conn, id=batch("B-ACTIVE").id, tx_signature=sig())
    q.batch_pause(conn, id=q.batch_activate(conn, id=batch("B-PAUSED").id, tx_signature=sig()).id)
    q.batch_close(conn, id=batch("B-CLOSED").id)
    q.batch_activate(conn, id=batch("B-SUSP", susp).id, tx_signature=sig())
    q.manufacturer_set_status(conn, id=susp.id, status=q.ManufacturerStatus.SUSPENDED)

    def pack(pack_id: str, n: int, generate: bool = True, expires: datetime.datetime | None = None) -> q.CodePack:
        created = q.code_pack_create(conn, batch_id=active.id, pack_id=pack_id, quantity=n, download_expires_at=expires)
        if generate:
            packs.generate_pack(conn, created.id, key, workers=1)
        return created

    pack("P-GENERATING", 2, generate=False)
    full = q.code_pack_create(conn, batch_id=active.id, pack_id="P-FULL", quantity=2, download_expires_at=None)
    packs.generate_pack(conn, full.id, key, workers=1, mark_ready=False)  # GENERATING, with all its codes
    pack("P-READY", 2)
    pack("P-EXPIRED", 1, expires=T0 + datetime.timedelta(hours=1))
    q.code_pack_download(conn, id=pack("P-DOWNLOADED", 2, expires=T0 + datetime.timedelta(days=30_000)).id)
    printed = pack("P-PRINTED", 8)
    q.code_pack_download(conn, id=printed.id)
    q.code_pack_confirm_print(conn, id=printed.id)
    commitments = [r.commitment for r in q.code_list_by_pack(conn, pack_id=printed.id, after_id=None, max_rows=10)]

    alice = q.user_create(conn, email="alice@example.com", privy_user_id="did:privy:alice")
    bob = q.user_create(conn, email="bob@example.com", privy_user_id=None)
    q.user_wallet_link(conn, user_id=alice.id, wallet_pubkey=str(Pubkey(hashlib.sha256(b"alice").digest())))

    def intent(n: int, name: str, ttl: datetime.timedelta | None = None) -> q.VerifyIntent:
        return q.verify_intent_issue(conn, commitment=commitments[n], reward_lamports=1_000_000, ttl=ttl,
                                     verify_intent_id=name)

    intent(0, "vi-issued", datetime.timedelta(days=30_000))
    intent(6, "vi-issued-2", datetime.timedelta(days=30_000))
    q.verification_confirm(conn, verify_intent_id=intent(1, "vi-confirmed").verify_intent_id, user_id=alice.id,
                           tx_signature=sig())
    q.verification_fail(conn, verify_intent_id=intent(2, "vi-failed").verify_intent_id, user_id=bob.id,
                        tx_signature=sig(), failure_reason="chain refused")
    intent(3, "vi-expired")
    intent(4, "vi-stale")  # ISSUED, past its deadline on the server clock
    clock.freeze(T0 + datetime.timedelta(hours=1))
    q.verify_intent_expire(conn)  # vi-expired and vi-stale: EXPIRED
    clock.freeze(T0 + datetime.timedelta(hours=2))
    intent(5, "vi-late")  # ISSUED, expired by the real clock
    q.user_wallet_link(conn, user_id=alice.id, wallet_pubkey=str(Pubkey(hashlib.sha256(b"alice 2").digest())))
    q.treasury_op_record_refill_swap(conn, pyusd_in=1_000_000, sol_out_lamports=6_000_000, jupiter_route={"r": 1},
                                     tx_signature=sig())
    conn.execute("RESET ROLE")
    assert Decimal(active.reward_usd_target) == Decimal("0.10")


#: One row per broken invariant; none after any accepted call.
INVARIANTS = """
SELECT 'two SUCCESS verifications of one code' AS what, encode(v.commitment, 'hex') AS detail
FROM authenticity.verifications AS v WHERE v.result = 'SUCCESS' GROUP BY v.commitment HAVING count(*) > 1
UNION ALL
SELECT 'a reward paid at or after its intent expired, or not the intent''s reward', v.id::text
FROM authenticity.verifications AS v
INNER JOIN authenticity.verify_intents AS i ON i.id = v.intent_id
WHERE v.result = 'SUCCESS' AND (v.verified_at >= i.expires_at OR v.reward_lamports <> i.reward_lamports)
UNION ALL
SELECT 'an intent settled without its verification', i.verify_intent_id
FROM authenticity.verify_intents AS i
WHERE i.status IN ('CONFIRMED', 'FAILED') AND NOT EXISTS (
    SELECT FROM authenticity.verifications AS v
    WHERE v.intent_id = i.id
        AND v.result::text = CASE i.status WHEN 'CONFIRMED' THEN 'SUCCESS' ELSE 'FAIL' END
)
UNION ALL
SELECT 'a printed or purged pack whose codes keep plaintext', p.pack_id
FROM authenticity.code_packs AS p
WHERE (p.status = 'PRINT_CONFIRMED' OR p.plaintext_purged_at IS NOT NULL) AND EXISTS (
    SELECT FROM authenticity.codes AS c WHERE c.pack_id = p.id AND c.code_plaintext IS NOT NULL
)
UNION ALL
SELECT 'a pack past GENERATING without exactly its codes', p.pack_id
FROM authenticity.code_packs AS p
WHERE p.status <> 'GENERATING' AND (SELECT count(*) FROM authenticity.codes AS c WHERE c.pack_id = p.id) <> p.quantity
UNION ALL
SELECT 'a first download at or after the download deadline', p.pack_id
FROM authenticity.code_packs AS p WHERE p.downloaded_at >= p.download_expires_at
UNION ALL
SELECT 'a reward target that is not finite', b.batch_public_id
FROM authenticity.batches AS b WHERE NOT common.is_finite(b.reward_usd_target)
UNION ALL
SELECT 'a SUCCESS in a batch never activated', v.id::text
FROM authenticity.verifications AS v
INNER JOIN authenticity.batches AS b ON b.id = v.batch_id
WHERE v.result = 'SUCCESS' AND b.activated_at IS NULL
UNION ALL
SELECT 'a wallet whose created_after_first_success is wrong', w.wallet_pubkey
FROM authenticity.user_wallets AS w
WHERE w.created_after_first_success IS DISTINCT FROM EXISTS (
    SELECT FROM authenticity.verifications AS v
    WHERE v.user_id = w.user_id AND v.result = 'SUCCESS' AND v.verified_at <= w.created_at
)
"""
