"""Bulk pack generation by COPY, download, print confirmation, the purge and pg_dump."""

from __future__ import annotations

import hashlib
import subprocess
import uuid
from typing import Any

import psycopg
import pytest
from cryptography.exceptions import InvalidTag

from chaindb import admin, errors
from chaindb.authenticity import packs
from chaindb.chain import solana


def _pack(conn: psycopg.Connection, batch: Any, pack_id: str, quantity: int) -> uuid.UUID:
    return packs.create_pack(conn, batch.id, pack_id, quantity)


def test_generate_pack_loads_every_code_by_copy_and_marks_ready(
    conn: psycopg.Connection, batch: Any, key: bytes
) -> None:
    pack = _pack(conn, batch, "P-1", 2_500)
    seen: list[tuple[int, int]] = []
    result = packs.generate_pack(conn, pack, key, workers=2, chunk=600, progress=lambda d, t: seen.append((d, t)))
    assert result.quantity == 2_500 and result.codes_per_second > 0
    assert seen[-1] == (2_500, 2_500) and [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) == 5
    status, count = conn.execute(
        "SELECT p.status::text, (SELECT count(*) FROM authenticity.codes c WHERE c.pack_id = p.id) "
        "FROM authenticity.code_packs p WHERE p.id = %s",
        (pack,),
    ).fetchone()
    assert (status, count) == ("READY", 2_500)

    rows = conn.execute(
        "SELECT commitment, code_plaintext, qr_payload, onchain_code_pda FROM authenticity.codes WHERE pack_id = %s "
        "LIMIT 50",
        (pack,),
    ).fetchall()
    for commitment, sealed, payload, pda in rows:
        commitment = bytes(commitment)
        code = packs.decrypt_code(key, sealed, commitment)
        assert len(code) == 26 and set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        assert code not in sealed
        assert commitment == hashlib.sha256(f"{batch.public_id}:{code}".encode()).digest()
        assert pda == solana.code_pda(commitment)
        assert payload == f"{packs.DEFAULT_BASE_URL}/v/{batch.public_id}/{pda}"
        assert packs.parse_printed_qr(packs.printed_qr(payload, code)) == (batch.public_id, pda, code)
        with pytest.raises(errors.InvalidInput) as wrong_key:
            packs.decrypt_code(bytes(32), sealed, commitment)
        assert isinstance(wrong_key.value.__cause__, InvalidTag)
        with pytest.raises(errors.InvalidInput):  # the commitment is associated data: ciphertexts do not move
            packs.decrypt_code(key, sealed, bytes(32))


def test_generation_is_one_transaction(conn: psycopg.Connection, batch: Any, key: bytes) -> None:
    pack = _pack(conn, batch, "P-2", 1_000)

    def boom(done: int, total: int) -> None:
        if done >= 500:
            raise RuntimeError("printer on fire")

    with pytest.raises(RuntimeError):
        packs.generate_pack(conn, pack, key, workers=1, chunk=250, progress=boom)
    assert conn.execute("SELECT count(*) FROM authenticity.codes WHERE pack_id = %s", (pack,)).fetchone() == (0,)
    assert conn.execute("SELECT status::text FROM authenticity.code_packs WHERE id = %s", (pack,)).fetchone() == (
        "GENERATING",
    )
    packs.generate_pack(conn, pack, key, workers=1, chunk=250)
    with pytest.raises(errors.PreconditionFailed, match="READY, not GENERATING") as not_generating:
        packs.generate_pack(conn, pack, key, workers=1)
    assert (not_generating.value.sqlstate, not_generating.value.constraint) == ("CD007", "codes_pack_generating")


def test_generation_checks_its_inputs(conn: psycopg.Connection, batch: Any, key: bytes) -> None:
    pack = _pack(conn, batch, "P-3", 10)
    with pytest.raises(errors.InvalidInput, match="32 bytes"):
        packs.generate_pack(conn, pack, b"short", workers=1)
    with pytest.raises(errors.InvalidInput, match="base_url"):
        packs.generate_pack(conn, pack, key, workers=1, base_url="http://insecure.example")
    with pytest.raises(errors.NotFound) as missing:
        packs.generate_pack(conn, uuid.uuid4(), key, workers=1)
    assert missing.value.sqlstate == "CD005"


def test_the_database_refuses_a_clear_code(conn: psycopg.Connection, batch: Any) -> None:
    pack = _pack(conn, batch, "P-4", 1)
    code = packs.new_code()
    commitment = packs.commitment(batch.public_id, code)
    pda = solana.code_pda(commitment)
    with pytest.raises(psycopg.errors.CheckViolation) as caught:
        conn.execute(
            "INSERT INTO authenticity.codes (pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda) "
            "VALUES (%s, %s, %s, %s, %s)",
            (pack, code, packs.qr_payload(packs.DEFAULT_BASE_URL, batch.public_id, pda), commitment, pda),
        )
    assert caught.value.diag.constraint_name == "codes_code_plaintext_check"
    with pytest.raises(psycopg.errors.CheckViolation) as caught:
        conn.execute(
            "INSERT INTO authenticity.codes (pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda) "
            "VALUES (%s, NULL, %s, %s, %s)",
            (
                pack,
                packs.printed_qr(packs.qr_payload(packs.DEFAULT_BASE_URL, batch.public_id, pda), code),
                commitment,
                pda,
            ),
        )
    assert caught.value.diag.constraint_name == "codes_qr_payload_check"


def test_download_counts_and_decrypts_then_print_confirmation_purges(
    conn: psycopg.Connection, batch: Any, key: bytes
) -> None:
    pack = _pack(conn, batch, "P-5", 300)
    packs.generate_pack(conn, pack, key, workers=1)
    printable = packs.download_pack(conn, pack, key)
    assert len(printable) == 300 and len({p.code for p in printable}) == 300
    assert all(p.qr.endswith("#" + p.code) for p in printable)
    again = packs.download_pack(conn, pack, key)
    assert {p.code for p in again} == {p.code for p in printable}
    assert conn.execute(
        "SELECT status::text, download_count FROM authenticity.code_packs WHERE id = %s", (pack,)
    ).fetchone() == ("DOWNLOADED", 2)

    conn.execute("SELECT authenticity.confirm_print(%s)", (pack,))
    assert conn.execute(
        "SELECT count(*), count(code_plaintext) FROM authenticity.codes WHERE pack_id = %s", (pack,)
    ).fetchone() == (300, 0)
    with pytest.raises(errors.PreconditionFailed) as refused:
        packs.download_pack(conn, pack, key)
    assert (refused.value.sqlstate, refused.value.constraint) == ("CD007", "code_packs_downloadable")
    with pytest.raises(psycopg.Error) as caught:
        conn.execute(
            "UPDATE authenticity.codes SET code_plaintext = %s WHERE commitment = %s",
            (packs.encrypt_code(key, printable[0].code, printable[0].commitment), printable[0].commitment),
        )
    assert (caught.value.sqlstate, caught.value.diag.constraint_name) == ("CD008", "codes_plaintext_purged")


def _dump(url: str) -> str:
    result = subprocess.run(
        [admin.pg_tool("pg_dump"), "--no-owner", admin.libpq_url(url)], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_pg_dump_after_print_confirmation_holds_no_plaintext(
    conn: psycopg.Connection, db_url: str, batch: Any, key: bytes
) -> None:
    pack = _pack(conn, batch, "P-DUMP", 500)
    packs.generate_pack(conn, pack, key, workers=1)
    ciphertexts = [
        row[0]
        for row in conn.execute("SELECT code_plaintext FROM authenticity.codes WHERE pack_id = %s", (pack,)).fetchall()
    ]
    codes = [p.code for p in packs.download_pack(conn, pack, key)]
    assert len(ciphertexts) == len(codes) == 500

    before = _dump(db_url)
    assert all(c in before for c in ciphertexts), "control: before the purge the dump holds the ciphertexts"
    assert not any(code in before for code in codes), "the clear codes are never stored"

    conn.execute("SELECT authenticity.confirm_print(%s)", (pack,))
    after = _dump(db_url)
    assert "P-DUMP" in after and batch.public_id in after, "the dump does hold the pack"
    leaked = [c for c in ciphertexts if c in after or c[3:] in after]
    assert not leaked, f"{len(leaked)} ciphertexts survive the purge"
    assert not any(code in after for code in codes)


def test_the_app_role_can_generate_download_and_confirm(db_url: str, conn: psycopg.Connection, batch: Any) -> None:
    key = bytes(range(32))
    with psycopg.connect(db_url, autocommit=True, options="-c role=chaindb_app") as app:
        assert app.execute("SELECT current_user").fetchone() == ("chaindb_app",)
        pack = packs.create_pack(app, batch.id, "P-APP", 1_200)
        packs.generate_pack(app, pack, key, workers=2, chunk=400)
        assert len(packs.download_pack(app, pack, key)) == 1_200
        app.execute("SELECT authenticity.confirm_print(%s)", (pack,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("UPDATE authenticity.codes SET code_plaintext = NULL WHERE pack_id = %s", (pack,))
    assert conn.execute(
        "SELECT status::text, count(c.code_plaintext) FROM authenticity.code_packs p "
        "JOIN authenticity.codes c ON c.pack_id = p.id WHERE p.id = %s GROUP BY p.status",
        (pack,),
    ).fetchone() == ("PRINT_CONFIRMED", 0)
