"""The authenticity flows through the named queries (queries/authenticity, loaded with aiosql)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiosql
import psycopg
import pytest
from psycopg.rows import dict_row

from chaindb.authenticity import packs
from chaindb.chain import solana

QUERIES = Path(__file__).resolve().parents[3] / "queries" / "authenticity"


@pytest.fixture(scope="module")
def q() -> Any:
    return aiosql.from_path(QUERIES, "psycopg")


@pytest.fixture
def dconn(db_url: str) -> Iterator[psycopg.Connection[dict[str, Any]]]:
    with psycopg.connect(db_url, autocommit=True, row_factory=dict_row) as connection:
        yield connection


def _sqlstate(call: Callable[[], object]) -> str | None:
    try:
        call()
    except psycopg.Error as error:
        return error.sqlstate
    return None


def test_manufacturer_to_verified_code(q: Any, dconn: psycopg.Connection, key: bytes, sig: Callable[[], str]) -> None:
    c = dconn
    m = q.manufacturer_create(c, name="Acme", hmac_kms_key_id="arn:aws:kms:eu-west-1:111122223333:key/acme")
    assert m["status"] == "active"
    s = q.sku_create(
        c, manufacturer_id=m["id"], sku_code="ANV-1", sku_name="Anvil", sku_hash=hashlib.sha256(b"ANV-1").digest()
    )
    assert [r["id"] for r in list(q.sku_list_by_manufacturer(c, manufacturer_id=m["id"]))] == [s["id"]]

    b = q.batch_create(
        c,
        manufacturer_id=m["id"],
        sku_id=s["id"],
        batch_public_id="ACME-2025-01",
        batch_label="Spring run",
        expiry_date=None,
        reward_usd_target=None,
        onchain_batch_pubkey=None,
    )
    assert (b["status"], b["reward_usd_target"], b["activated_at"]) == ("CREATED", Decimal("0.10"), None)
    b = q.batch_set_onchain_pubkey(c, id=b["id"], onchain_batch_pubkey=solana.code_pda(bytes(32)))
    activated_at = datetime(2030, 1, 1, 9, tzinfo=UTC)
    b = q.batch_activate(c, id=b["id"], tx_signature=sig(), now=activated_at)
    assert (b["status"], b["activated_at"]) == ("ACTIVE", activated_at)
    assert q.batch_get_by_public_id(c, batch_public_id="ACME-2025-01")["id"] == b["id"]

    p = q.code_pack_create(
        c, batch_id=b["id"], pack_id="PK-0001", quantity=40, download_expires_at=datetime.now(UTC) + timedelta(days=1)
    )
    assert p["status"] == "GENERATING"
    packs.generate_pack(c, p["id"], key, workers=1)
    assert q.code_pack_get(c, id=p["id"])["status"] == "READY"
    assert next(iter(q.code_pack_list_by_batch(c, batch_id=b["id"])))["code_count"] == 40

    p = q.code_pack_download(c, id=p["id"], now=None)
    assert (p["status"], p["download_count"]) == ("DOWNLOADED", 1)
    printed = []
    for row in q.code_pack_codes(c, id=p["id"]):
        code = packs.decrypt_code(key, row["code_plaintext"], bytes(row["commitment"]))
        printed.append(packs.printed_qr(row["qr_payload"], code))
    assert len(printed) == 40
    p = q.code_pack_confirm_print(c, id=p["id"], now=None)
    assert p["status"] == "PRINT_CONFIRMED" and p["plaintext_purged_at"] == p["print_confirmed_at"]
    assert q.code_count_by_pack(c, pack_id=p["id"]) == {"total": 40, "with_plaintext": 0}

    alice = q.user_create(c, email="Alice@Example.com", privy_user_id="did:privy:alice")
    assert q.user_get_by_email(c, email="alice@example.COM")["id"] == alice["id"]
    early = q.user_wallet_link(c, user_id=alice["id"], wallet_pubkey=solana.code_pda(b"\1" * 32))
    assert early["created_after_first_success"] is False
    bob = q.user_create(c, email="bob@example.com", privy_user_id=None)
    q.user_set_privy_user_id(c, id=bob["id"], privy_user_id="did:privy:bob")
    assert q.user_get_by_privy_user_id(c, privy_user_id="did:privy:bob")["id"] == bob["id"]

    # a consumer scans the first QR; another scans a copy of it at the same time
    batch_public_id, pda, code = packs.parse_printed_qr(printed[0])
    commitment = packs.commitment(batch_public_id, code)
    looked_up = q.code_get_by_commitment(c, commitment=commitment)
    assert (looked_up["onchain_code_pda"], looked_up["batch_status"]) == (pda, "ACTIVE")
    assert q.code_get_by_pda(c, onchain_code_pda=pda)["commitment"] == commitment
    first = q.verify_intent_issue(
        c, commitment=commitment, reward_lamports=1_000_000, ttl=None, now=None, verify_intent_id=None
    )
    q.verify_intent_issue(
        c,
        commitment=commitment,
        reward_lamports=1_000_000,
        ttl=timedelta(minutes=1),
        now=None,
        verify_intent_id="copy-scan",
    )
    assert first["status"] == "ISSUED" and first["verify_intent_id"].startswith("vi_")
    assert len(list(q.verify_intent_list_open(c, commitment=commitment, now=None))) == 2

    v = q.verification_confirm(
        c, verify_intent_id=first["verify_intent_id"], user_id=alice["id"], tx_signature=sig(), now=None
    )
    assert (v["result"], v["reward_lamports"], v["code_pda"]) == ("SUCCESS", 1_000_000, pda)
    lost = q.verification_confirm(c, verify_intent_id="copy-scan", user_id=bob["id"], tx_signature=sig(), now=None)
    assert (lost["result"], lost["reward_lamports"], lost["failure_reason"]) == ("FAIL", 0, "ALREADY_VERIFIED")
    assert q.verify_intent_get(c, verify_intent_id="copy-scan")["status"] == "FAILED"
    assert (
        _sqlstate(
            lambda: q.verify_intent_issue(
                c, commitment=commitment, reward_lamports=1, ttl=None, now=None, verify_intent_id=None
            )
        )
        == "CD007"
    )
    assert (
        _sqlstate(
            lambda: q.verification_confirm(
                c, verify_intent_id=first["verify_intent_id"], user_id=bob["id"], tx_signature=sig(), now=None
            )
        )
        == "CD001"
    )

    assert q.verification_get_success(c, commitment=commitment)["user_id"] == alice["id"]
    assert [r["result"] for r in list(q.verification_list_by_commitment(c, commitment=commitment))] == [
        "SUCCESS",
        "FAIL",
    ]
    history = list(q.verification_list_by_user(c, user_id=alice["id"]))
    assert [(r["result"], r["batch_public_id"]) for r in history] == [("SUCCESS", "ACME-2025-01")]
    assert q.verification_reward_total_by_user(c, user_id=alice["id"]) == 1_000_000
    assert q.verification_reward_total_by_user(c, user_id=bob["id"]) == 0
    late = q.user_wallet_link(c, user_id=alice["id"], wallet_pubkey=solana.code_pda(b"\2" * 32))
    assert late["created_after_first_success"] is True
    assert [w["wallet_pubkey"] for w in list(q.user_wallet_list(c, user_id=alice["id"]))] == [
        early["wallet_pubkey"],
        late["wallet_pubkey"],
    ]
    assert q.user_wallet_get_by_pubkey(c, wallet_pubkey=late["wallet_pubkey"])["user_id"] == alice["id"]

    # a chain failure, then expiry
    _, _, code2 = packs.parse_printed_qr(printed[1])
    c2 = packs.commitment(batch_public_id, code2)
    failing = q.verify_intent_issue(c, commitment=c2, reward_lamports=5, ttl=None, now=None, verify_intent_id=None)
    f = q.verification_fail(
        c,
        verify_intent_id=failing["verify_intent_id"],
        user_id=bob["id"],
        tx_signature=sig(),
        failure_reason="chain: blockhash not found",
        now=None,
    )
    assert (f["result"], f["failure_reason"]) == ("FAIL", "chain: blockhash not found")
    q.verify_intent_issue(c, commitment=c2, reward_lamports=5, ttl=None, now=None, verify_intent_id="stale")
    assert q.verify_intent_expire(c, now=datetime.now(UTC) + timedelta(hours=1)) == 1
    assert q.verify_intent_get(c, verify_intent_id="stale")["status"] == "EXPIRED"

    # pausing stops verification; closing is final
    q.batch_pause(c, id=b["id"])
    assert (
        _sqlstate(
            lambda: q.verify_intent_issue(
                c, commitment=c2, reward_lamports=5, ttl=None, now=None, verify_intent_id=None
            )
        )
        == "CD007"
    )
    assert q.batch_resume(c, id=b["id"])["status"] == "ACTIVE"
    assert q.batch_close(c, id=b["id"])["status"] == "CLOSED"
    assert _sqlstate(lambda: q.batch_resume(c, id=b["id"])) == "CD001"
    assert [r["status"] for r in list(q.batch_list_by_manufacturer(c, manufacturer_id=m["id"]))] == ["CLOSED"]

    # manufacturer management
    assert q.manufacturer_set_status(c, id=m["id"], status="suspended")["status"] == "suspended"
    assert q.manufacturer_get(c, id=m["id"])["name"] == "Acme"
    assert [r["name"] for r in list(q.manufacturer_list(c))] == ["Acme"]
    assert q.sku_get(c, id=s["id"])["sku_code"] == "ANV-1"
    assert q.batch_get(c, id=b["id"])["activated_at"] == activated_at
    assert q.code_pack_get_by_pack_id(c, pack_id="PK-0001")["download_count"] == 1
    page = list(q.code_list_by_pack(c, pack_id=p["id"], after_id=None, max_rows=25))
    rest = list(q.code_list_by_pack(c, pack_id=p["id"], after_id=page[-1]["id"], max_rows=25))
    assert len(page) == 25 and len(rest) == 15 and "code_plaintext" not in page[0]


def test_pack_download_rules(q: Any, dconn: psycopg.Connection, batch: Any, key: bytes) -> None:
    c = dconn
    deadline = datetime(2030, 1, 1, tzinfo=UTC)
    p = q.code_pack_create(c, batch_id=batch.id, pack_id="PK-DL", quantity=3, download_expires_at=deadline)
    assert _sqlstate(lambda: q.code_pack_download(c, id=p["id"], now=None)) == "CD007"
    assert _sqlstate(lambda: q.code_pack_confirm_print(c, id=p["id"], now=None)) == "CD001"
    packs.generate_pack(c, p["id"], key, workers=1, mark_ready=False)
    assert q.code_pack_mark_ready(c, id=p["id"])["status"] == "READY"
    assert _sqlstate(lambda: q.code_pack_download(c, id=p["id"], now=deadline)) == "CD006"
    first = q.code_pack_download(c, id=p["id"], now=deadline - timedelta(hours=2))
    second = q.code_pack_download(c, id=p["id"], now=deadline - timedelta(hours=1))
    assert (first["download_count"], second["download_count"]) == (1, 2)
    assert second["downloaded_at"] == deadline - timedelta(hours=2)
    confirmed = q.code_pack_confirm_print(c, id=p["id"], now=deadline)
    assert confirmed["print_confirmed_at"] == deadline
    assert _sqlstate(lambda: q.code_pack_download(c, id=p["id"], now=deadline - timedelta(hours=1))) == "CD007"


def test_treasury_refills(q: Any, dconn: psycopg.Connection, sig: Callable[[], str]) -> None:
    c = dconn
    route = {"inputMint": "2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo", "outAmount": "150000000", "routePlan": []}
    tx = sig()
    op = q.treasury_op_record_refill_swap(
        c, pyusd_in=25_000_000, sol_out_lamports=150_000_000, jupiter_route=json.dumps(route), tx_signature=tx
    )
    assert (op["type"], op["jupiter_route"]) == ("REFILL_SWAP", route)
    assert q.treasury_op_get_by_tx_signature(c, tx_signature=tx)["id"] == op["id"]
    q.treasury_op_record_refill_swap(c, pyusd_in=1, sol_out_lamports=2, jupiter_route="{}", tx_signature=sig())
    assert [r["pyusd_in"] for r in list(q.treasury_op_list_recent(c, max_rows=10))] == [1, 25_000_000]
    assert q.treasury_op_totals(c, since=None) == {
        "operations": 2,
        "pyusd_in": 25_000_001,
        "sol_out_lamports": 150_000_002,
    }
    assert (
        _sqlstate(
            lambda: q.treasury_op_record_refill_swap(
                c, pyusd_in=0, sol_out_lamports=2, jupiter_route="{}", tx_signature=sig()
            )
        )
        == "23514"
    )
    assert (
        _sqlstate(
            lambda: q.treasury_op_record_refill_swap(
                c, pyusd_in=1, sol_out_lamports=2, jupiter_route="[]", tx_signature=sig()
            )
        )
        == "23514"
    )
    assert (
        _sqlstate(
            lambda: q.treasury_op_record_refill_swap(
                c, pyusd_in=1, sol_out_lamports=2, jupiter_route="{}", tx_signature=tx
            )
        )
        == "23505"
    )
