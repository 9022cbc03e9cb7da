"""common's chain-value checks give the same answers as an exact decode (and solders).

The checks compare strings instead of decoding (common 0003): every sample is judged three
ways, by the check, by ``length(common.base58_decode(v))`` (the exact decoder) and by Python.
"""

from __future__ import annotations

import random
import re

import psycopg
import pytest
from solders.pubkey import Pubkey
from solders.signature import Signature

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58(raw: bytes) -> str:
    n = int.from_bytes(raw, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = ALPHABET[r] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def b58_len(text: str) -> int | None:
    """Bytes that base58 text decodes to (None: not base58)."""
    if not text or any(c not in ALPHABET for c in text):
        return None
    n = 0
    for c in text:
        n = n * 58 + ALPHABET.index(c)
    zeros = len(text) - len(text.lstrip("1"))
    return zeros + (n.bit_length() + 7) // 8


def samples(size: int, rng: random.Random) -> list[str]:
    """Edges (leading 1s, the thresholds, 33- and 65-byte numbers of the same length) and random values."""
    edge = [
        "1" * (size - 1),
        "1" * size,
        "1" * (size + 1),
        "1" * (size - 1) + "2",
        "1" * (size - 1) + "z",
        b58(bytes(size)),
        b58(b"\xff" * size),
        b58(b"\x01" + bytes(size)),  # size + 1 bytes: the smallest such number
        b58(b"\x01" + bytes(size - 1)),
        b58(b"\x00\x01" + bytes(size - 2)),
        b58(b"\x00" + b"\xff" * (size - 1)),
        "z" * len(b58(b"\xff" * size)),  # longest length, too big
        "0" * len(b58(b"\xff" * size)),  # not base58
        "l" + b58(b"\xff" * size)[1:],
    ]
    out = list(edge)
    for _ in range(300):
        zeros = rng.choice([0, 0, 0, 1, 2, 5])
        out.append(b58(bytes(zeros) + rng.randbytes(size - zeros)))
        out.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(len(edge[0]) - 2, len(edge[6]) + 2))))
        out.append("1" * rng.randint(0, 3) + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(size - 4, 90))))
    return out


@pytest.mark.parametrize(("check", "size"), [("is_solana_pubkey", 32), ("is_solana_signature", 64)])
def test_base58_checks_agree_with_the_exact_decoder(conn: psycopg.Connection, check: str, size: int) -> None:
    values = samples(size, random.Random(size))
    assert any(len(v) == len(b58(b"\xff" * size)) and b58_len(v) == size + 1 for v in values), (
        "the sample has strings of the longest length that decode to one byte too many"
    )
    rows = conn.execute(
        f"SELECT v, common.{check}(v), length(common.base58_decode(v)), common.base58_has_bytes(v, %s), "
        "authenticity.is_solana_address(v) FROM unnest(%s::text[]) AS v",
        (size, values),
    ).fetchall()
    valid = 0
    for value, fast, decoded, has_bytes, address in rows:
        assert has_bytes == (b58_len(value) == size), value
        if size == 32:
            assert address == fast, value
        expected = b58_len(value) == size and len(value) <= len(b58(b"\xff" * size))
        assert fast == expected, value
        assert (decoded == size and len(value) <= len(b58(b"\xff" * size))) == expected, value
        valid += expected
    assert valid > 300, "the sample has many valid values"


def test_base58_checks_agree_with_solders(conn: psycopg.Connection) -> None:
    keys = [str(Pubkey.new_unique()) for _ in range(50)] + [str(Pubkey(bytes(32)))]
    signatures = [str(Signature(random.Random(i).randbytes(64))) for i in range(50)] + [str(Signature.default())]
    rows = conn.execute(
        "SELECT bool_and(common.is_solana_pubkey(k)), bool_or(common.is_solana_signature(k)) FROM unnest(%s::text[]) k",
        (keys,),
    ).fetchone()
    assert rows == (True, False)
    rows = conn.execute(
        "SELECT bool_and(common.is_solana_signature(s)), bool_or(common.is_solana_pubkey(s)) FROM unnest(%s::text[]) s",
        (signatures,),
    ).fetchone()
    assert rows == (True, False)


def test_null_gives_null_and_the_bulk_check_is_inlined(conn: psycopg.Connection) -> None:
    for check in ("is_solana_pubkey", "is_solana_signature", "is_evm_address", "is_evm_hash"):
        assert conn.execute(f"SELECT common.{check}(NULL)").fetchone() == (None,), check
    assert conn.execute("SELECT common.base58_has_bytes(NULL, 32)").fetchone() == (None,)
    # codes' CHECK runs once per row of a million-row COPY: no function call may remain in it
    plan = conn.execute(
        "EXPLAIN (VERBOSE) SELECT authenticity.is_solana_address(md5(g::text)) FROM generate_series(1, 2) AS g"
    ).fetchall()
    text = "\n".join(r[0] for r in plan)
    assert "is_solana_address(" not in text and "base58_has_bytes(" not in text and "base58_pow256(" not in text, text


@pytest.mark.parametrize(("check", "digits"), [("is_evm_address", 40), ("is_evm_hash", 64)])
def test_evm_checks_agree_with_a_regex(conn: psycopg.Connection, check: str, digits: int) -> None:
    rng = random.Random(digits)
    hexdigits = "0123456789abcdefABCDEF"
    values = ["0x" + "".join(rng.choice(hexdigits) for _ in range(n)) for n in (digits - 1, digits, digits + 1) * 20]
    values += ["0X" + "a" * digits, "0x" + "g" * digits, "x" + "a" * (digits + 1), "0x" + "a" * (digits - 1) + "é", ""]
    pattern = re.compile(rf"0x[0-9a-fA-F]{{{digits}}}")
    rows = conn.execute(f"SELECT v, common.{check}(v) FROM unnest(%s::text[]) AS v", (values,)).fetchall()
    for value, answer in rows:
        assert answer == bool(pattern.fullmatch(value)), value
    assert sum(1 for _, answer in rows if answer) >= 20


OLD_QR_CHECK = (
    "qr ~ '^https://[A-Za-z0-9.-]+(:[0-9]+)?/v/[A-Za-z0-9_-]+/[1-9A-HJ-NP-Za-km-z]+$' "
    "AND right(qr, length(pda) + 1) = '/' || pda"
)


def test_codes_qr_payload_check_accepts_the_rows_the_old_expression_accepted(conn: psycopg.Connection) -> None:
    """authenticity 0018/0019 rewrote codes_qr_payload_check without the long regex: with the PDA check
    (base58), it accepts exactly the rows the old expression accepted."""
    rng = random.Random(3)
    pda = str(Pubkey.new_unique())
    good = f"https://verify.example.com:8443/v/ACME-2025_01/{pda}"
    mutations = [
        good, good.replace(":8443", ""), good.replace("https", "http"), good.replace("/v/", "/w/"),
        good + "#CODE", good + "/", good.replace("/v/ACME", "/v//ACME"), good.replace("ACME", "AC/ME"),
        good.replace("verify.example.com", ""), good.replace(":8443", ":"), good.replace(":8443", ":84a3"),
        good.replace("ACME-2025_01", ""), good.replace(pda, pda[:-1]), f"https://h/v/B/{pda}", f"https://h/v/B/x/{pda}",
        "https:///v/B/" + pda, "https://h/v/B" + pda, " " + good, good.replace("verify", "véřify"),
    ]
    for _ in range(200):
        chars = list(good)
        for _ in range(rng.randint(1, 3)):
            chars[rng.randrange(len(chars))] = rng.choice("/:.-_#?aZ9 ")
        mutations.append("".join(chars))
    check = conn.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'codes_qr_payload_check'"
    ).fetchone()
    assert check is not None
    new = check[0].removeprefix("CHECK ").replace("qr_payload", "qr").replace("onchain_code_pda", "pda")
    rows = conn.execute(
        f"SELECT qr, coalesce({new}, false), coalesce({OLD_QR_CHECK}, false) "
        "FROM unnest(%s::text[]) AS qr, (SELECT %s::text AS pda) AS p",
        (mutations, pda),
    ).fetchall()
    for qr, new_answer, old_answer in rows:
        assert new_answer == old_answer, qr
    assert sum(1 for _, answer, _ in rows if answer) >= 3
