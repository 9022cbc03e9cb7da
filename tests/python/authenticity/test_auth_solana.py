"""PDA derivation and Solana value validation (chaindb.chain.solana)."""

from __future__ import annotations

import hashlib
import os
import random

import psycopg
import pytest
from solders.pubkey import Pubkey

from chaindb.chain import solana

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def test_code_pda_is_the_program_derived_address_of_the_commitment() -> None:
    commitment = hashlib.sha256(b"BATCH:CODE").digest()
    program = Pubkey.from_string(solana.DEFAULT_PROGRAM_ID)
    expected, bump = Pubkey.find_program_address([b"code", commitment], program)
    pda = solana.code_pda(commitment)
    assert pda == str(expected)
    assert Pubkey.create_program_address([b"code", commitment, bytes([bump])], program) == expected
    assert not Pubkey.from_string(pda).is_on_curve(), "a PDA is off the ed25519 curve"
    assert solana.code_pdas([commitment]) == [pda]
    assert solana.code_pda(hashlib.sha256(b"other").digest()) != pda


def test_program_id_is_fixed_documented_and_overridable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert str(solana.program_id()) == solana.DEFAULT_PROGRAM_ID
    assert bytes(solana.program_id()) == hashlib.sha256(b"chaindb:authenticity:program:v1").digest()
    commitment = os.urandom(32)
    other = str(Pubkey.new_unique())
    monkeypatch.setenv(solana.PROGRAM_ID_ENV, other)
    assert str(solana.program_id()) == other
    assert solana.code_pda(commitment) == str(
        Pubkey.find_program_address([b"code", commitment], Pubkey.from_string(other))[0]
    )


def test_seed_lengths_are_checked_before_solders_panics() -> None:
    program = solana.program_id()
    with pytest.raises(ValueError, match="at most 32"):
        solana.find_program_address([b"x" * 33], program)
    with pytest.raises(ValueError, match="at most 15 seeds"):
        solana.find_program_address([b"x"] * 16, program)
    with pytest.raises(ValueError, match="32 bytes"):
        solana.code_pda(b"short")
    assert solana.find_program_address([b"x" * 32], program)[0]


def test_pubkey_and_signature_validation() -> None:
    assert solana.is_pubkey(str(Pubkey.new_unique()))
    assert solana.is_pubkey("1" * 32)
    assert not solana.is_pubkey("1" * 33)
    assert not solana.is_pubkey("0" * 44)  # 0 is not base58
    assert not solana.is_pubkey(None)
    assert solana.is_signature("1" * 64)
    assert not solana.is_signature(str(Pubkey.new_unique()))
    with pytest.raises(ValueError):
        solana.parse_pubkey("not a key")
    with pytest.raises(ValueError):
        solana.parse_signature("not a signature")


def _b58(raw: bytes) -> str:
    n = int.from_bytes(raw, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = ALPHABET[r] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def test_database_key_checks_agree_with_solders(conn: psycopg.Connection) -> None:
    """authenticity.is_solana_address (string comparisons) == common.is_solana_pubkey (decoding) == solders."""
    rng = random.Random(7)
    samples = [
        "1" * 32,
        "1" * 33,
        "1" * 31 + "2",
        "1" * 31 + "z",
        "JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFG",
        "JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFH",
    ]
    for _ in range(300):
        zeros = rng.choice([0, 0, 0, 1, 2, 5])
        samples.append(_b58(bytes(zeros) + rng.randbytes(32 - zeros)))
        samples.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(30, 46))))
        samples.append("1" * rng.randint(0, 3) + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(28, 44))))
    rows = conn.execute(
        "SELECT v, common.is_solana_pubkey(v), authenticity.is_solana_address(v) FROM unnest(%s::text[]) AS v",
        (samples,),
    ).fetchall()
    assert sum(1 for _, slow, _ in rows if slow) > 300, "the sample has many valid keys"
    for value, slow, fast in rows:
        assert fast == slow, value
        assert solana.is_pubkey(value) == slow, value
