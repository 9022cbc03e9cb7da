"""The authenticity flow (seed 000), through the generated functions of ``chaindb.authenticity.queries``.

The bulk work is hand-written by design: ``packs.generate_pack`` (COPY of the codes) and
``packs.download_pack`` (count the download, decrypt the codes for printing). The steps:

- a manufacturer and its SKU (create-or-get: found again on later runs);
- a batch with a fresh public id (one per run), activated with a valid Solana signature (random
  bytes: nothing is sent to a chain);
- a pack of 1,000 codes generated (codes per second shown), downloaded and decrypted with this
  run's key, then print-confirmed: the database purges every code's plaintext in the same
  transaction (codes holding plaintext before → 0 after, ``plaintext_purged_at`` set);
- a consumer (create-or-get by email) with a Solana wallet scans one printed code while a copy
  of the same QR is scanned too: the consumer's verification succeeds and pays the reward in
  lamports, the copy's is recorded as FAIL ALREADY_VERIFIED, and any later scan of the code is
  refused by the schema (CD007 ``verify_intents_code_unverified``).

The code key is ``os.urandom(32)``, made per run and never stored: after the print
confirmation nothing in the database can be decrypted anyway. Re-runnable on the same database.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
from solders.pubkey import Pubkey
from solders.signature import Signature

from chaindb import errors
from chaindb.authenticity import packs
from chaindb.authenticity import queries as q
from chaindb.demo import Reporter, short_id

MANUFACTURER_NAME = "Acme Watches"
#: A reference to the manufacturer's HMAC key in the KMS (never the key).
HMAC_KMS_KEY_ID = "alias/acme-watches-demo"
SKU_CODE = "AW-CHRONO-42"
SKU_NAME = "Chronograph 42 mm"
CONSUMER_EMAIL = "consumer@demo.chaindb.example"
#: The consumer's wallet: a fixed, valid Solana public key (32 bytes, base58).
CONSUMER_WALLET = str(Pubkey(hashlib.sha256(b"chaindb demo consumer wallet").digest()))
PACK_QUANTITY = 1_000
#: The SOL price the demo converts the batch's USD reward target with.
SOL_USD = Decimal("150")
LAMPORTS_PER_SOL = 10**9


class DemoError(RuntimeError):
    """The database answered something the flow does not expect."""


@dataclass(frozen=True)
class Result:
    manufacturer: q.Manufacturer
    sku: q.Skus
    batch: q.Batch
    pack: q.CodePack
    generated: packs.GeneratedPack
    plaintext_before: int
    plaintext_after: int
    user: q.User
    wallet: q.UserWallet
    success: q.Verification
    copy: q.Verification
    refused: errors.PreconditionFailed


def signature() -> str:
    """A valid Solana transaction signature (base58 of 64 random bytes); nothing is sent to a chain."""
    return str(Signature(os.urandom(64)))


def reward_lamports(usd: Decimal) -> int:
    """The reward in lamports for ``usd`` at the demo's SOL price."""
    return int(usd / SOL_USD * LAMPORTS_PER_SOL)


def _manufacturer(conn: psycopg.Connection[Any]) -> tuple[q.Manufacturer, str]:
    found = q.manufacturer_get_by_name(conn, name=MANUFACTURER_NAME)
    if found is not None:
        return found, "found"
    return q.manufacturer_create(conn, name=MANUFACTURER_NAME, hmac_kms_key_id=HMAC_KMS_KEY_ID), "created"


def _sku(conn: psycopg.Connection[Any], manufacturer: q.Manufacturer) -> tuple[q.Skus, str]:
    found = q.sku_get_by_code(conn, manufacturer_id=manufacturer.id, sku_code=SKU_CODE)
    if found is not None:
        return found, "found"
    try:
        created = q.sku_create(
            conn,
            manufacturer_id=manufacturer.id,
            sku_code=SKU_CODE,
            sku_name=SKU_NAME,
            sku_hash=hashlib.sha256(f"{manufacturer.id}:{SKU_CODE}".encode()).digest(),
        )
        return created, "created"
    except errors.UniqueViolation as exc:  # another run created it meanwhile
        if exc.constraint != "skus_manufacturer_id_sku_code_key":
            raise
        found = q.sku_get_by_code(conn, manufacturer_id=manufacturer.id, sku_code=SKU_CODE)
        if found is None:
            raise DemoError(f"SKU {SKU_CODE} vanished") from exc
        return found, "found"


def _consumer(conn: psycopg.Connection[Any]) -> tuple[q.User, q.UserWallet, str]:
    user = q.user_get_by_email(conn, email=CONSUMER_EMAIL)
    how = "found"
    if user is None:
        try:
            user, how = q.user_create(conn, email=CONSUMER_EMAIL, privy_user_id=None), "created"
        except errors.UniqueViolation as exc:  # another run created it meanwhile
            if exc.constraint != "users_email_key":
                raise
            user = q.user_get_by_email(conn, email=CONSUMER_EMAIL)
            if user is None:
                raise DemoError(f"user {CONSUMER_EMAIL} vanished") from exc
    wallet = q.user_wallet_get_by_pubkey(conn, wallet_pubkey=CONSUMER_WALLET)
    if wallet is None:
        wallet = q.user_wallet_link(conn, user_id=user.id, wallet_pubkey=CONSUMER_WALLET)
    if wallet.user_id != user.id:
        raise DemoError(f"wallet {CONSUMER_WALLET} belongs to another user")
    return user, wallet, how


def run(conn: psycopg.Connection[Any], report: Reporter) -> Result:
    manufacturer, how = _manufacturer(conn)
    report.step(
        f"manufacturer {manufacturer.name}", f"manufacturer {short_id(manufacturer.id)} {how}, {manufacturer.status}"
    )

    sku, how = _sku(conn, manufacturer)
    report.step(f"SKU {sku.sku_code} ({sku.sku_name})", f"sku {short_id(sku.id)} {how}")

    public_id = f"DEMO-{uuid.uuid4().hex[:12].upper()}"
    batch = q.batch_create(
        conn,
        manufacturer_id=manufacturer.id,
        sku_id=sku.id,
        batch_public_id=public_id,
        batch_label="Demo run",
        expiry_date=None,
        reward_usd_target=None,
        onchain_batch_pubkey=None,
    )
    report.step(
        f"batch {batch.batch_public_id} created",
        f"batch {short_id(batch.id)} {batch.status}, reward target {batch.reward_usd_target} USD per code",
    )

    batch = q.batch_activate(conn, id=batch.id, tx_signature=signature())
    if batch.activated_at is None or batch.activated_tx_signature is None:
        raise DemoError("an activated batch has no activation time or transaction")
    report.step(
        "batch activated on Solana",
        f"{batch.status} at {batch.activated_at:%H:%M:%S}, tx {batch.activated_tx_signature[:8]}…",
    )

    key = os.urandom(packs.KEY_BYTES)  # this run's code key: never stored
    pack = q.code_pack_create(
        conn, batch_id=batch.id, pack_id=f"{public_id}-P1", quantity=PACK_QUANTITY, download_expires_at=None
    )
    generated = packs.generate_pack(conn, pack.id, key)
    pack = q.code_pack_get(conn, id=pack.id) or pack
    report.step(
        f"pack {pack.pack_id} of {PACK_QUANTITY:,} codes generated (COPY)",
        f"{pack.status}: {generated.quantity:,} codes in {generated.seconds:.2f} s, "
        f"{generated.codes_per_second:,.0f} codes/s",
    )

    printable = packs.download_pack(conn, pack.id, key)
    pack = q.code_pack_get(conn, id=pack.id) or pack
    report.step(
        "pack downloaded, codes decrypted with this run's key",
        f"{len(printable):,} printable QR codes, {pack.status} (download {pack.download_count})",
    )

    before = q.code_count_by_pack(conn, pack_id=pack.id)
    pack = q.code_pack_confirm_print(conn, id=pack.id)
    after = q.code_count_by_pack(conn, pack_id=pack.id)
    if pack.plaintext_purged_at is None or after.with_plaintext != 0:
        raise DemoError(f"pack {pack.pack_id} still holds plaintext after the print confirmation")
    report.step(
        "print confirmed",
        f"{pack.status}: codes with plaintext {before.with_plaintext:,} → {after.with_plaintext}, "
        f"plaintext_purged_at {pack.plaintext_purged_at:%H:%M:%S}",
    )

    user, wallet, how = _consumer(conn)
    report.step(
        f"consumer {user.email} with a Solana wallet",
        f"user {short_id(user.id)} {how}, wallet {wallet.wallet_pubkey[:8]}…",
    )

    batch_public_id, pda, code = packs.parse_printed_qr(printable[0].qr)
    commitment = packs.commitment(batch_public_id, code)
    scanned = q.code_get_by_commitment(conn, commitment=commitment)
    if scanned is None or scanned.onchain_code_pda != pda:
        raise DemoError(f"the printed code {pda} is unknown")
    lamports = reward_lamports(scanned.reward_usd_target)
    intent = q.verify_intent_issue(
        conn, commitment=commitment, reward_lamports=lamports, ttl=None, verify_intent_id=None
    )
    copy_intent = q.verify_intent_issue(
        conn, commitment=commitment, reward_lamports=lamports, ttl=None, verify_intent_id=None
    )
    report.step(
        f"consumer scans code {pda[:8]}…, a copy of its QR is scanned too",
        f"2 intents {intent.status}, expiring at {intent.expires_at:%H:%M:%S}",
    )

    success = q.verification_confirm(
        conn, verify_intent_id=intent.verify_intent_id, user_id=user.id, tx_signature=signature()
    )
    if success.result != q.VerificationResult.SUCCESS:
        raise DemoError(f"the first verification gave {success.result} {success.failure_reason}")
    report.step(
        "consumer's verification",
        f"{success.result}, reward {success.reward_lamports:,} lamports "
        f"({scanned.reward_usd_target} USD at {SOL_USD} USD/SOL) to {wallet.wallet_pubkey[:8]}…",
    )

    copy = q.verification_confirm(
        conn, verify_intent_id=copy_intent.verify_intent_id, user_id=user.id, tx_signature=signature()
    )
    if copy.result != q.VerificationResult.FAIL:
        raise DemoError("the copy's verification succeeded too: the reward would be paid twice")
    report.step("the copy's verification", f"{copy.result} {copy.failure_reason}, reward {copy.reward_lamports}")

    try:
        q.verify_intent_issue(
            conn, commitment=commitment, reward_lamports=lamports, ttl=None, verify_intent_id=None
        )
    except errors.PreconditionFailed as exc:
        refused = exc
        report.step("the same code scanned again", f"refused: {exc.constraint} ({exc.rule}, SQLSTATE {exc.sqlstate})")
    else:
        raise DemoError("a verified code was accepted for another verification")

    return Result(
        manufacturer,
        sku,
        batch,
        pack,
        generated,
        before.with_plaintext,
        after.with_plaintext,
        user,
        wallet,
        success,
        copy,
        refused,
    )
