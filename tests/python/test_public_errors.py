"""The package's public functions raise only chaindb.errors for bad input (TypeError only for a
value of the wrong Python type): the driver's own refusals, and the hand-written helpers."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaindb import db, errors
from chaindb.authenticity import packs
from chaindb.chain import evm, solana
from chaindb.cocopay import accounts
from chaindb.cocopay import queries as q

BASE58 = st.from_regex(r"[1-9A-HJ-NP-Za-km-z]{30,90}", fullmatch=True)
HEX = st.from_regex(r"0x[0-9a-fA-F]{0,70}", fullmatch=True)
TEXT = st.text(max_size=120) | BASE58 | HEX | st.sampled_from(["", "\x00", "\ud800", "v1:", "v1:AAAA", "https://x"])
BYTES = st.binary(max_size=70)
evm.checksum("0x" + "00" * 20)  # import web3 now: it raises the recursion limit, which Hypothesis would warn about


def test_a_nul_byte_is_a_data_error(db_url: str) -> None:
    with db.connect(db_url, role="chaindb_app", autocommit=True) as app, pytest.raises(errors.DataError) as caught:
        q.user_get_or_create_by_phone(app, phone="+5511\x0099", name=None, locale=None)
    assert caught.value.sqlstate is None and "NUL" in str(caught.value)
    assert isinstance(caught.value.original, psycopg.DataError)


def test_a_lone_surrogate_is_a_data_error(db_url: str) -> None:
    with db.connect(db_url, role="chaindb_app", autocommit=True) as app, pytest.raises(errors.DataError):
        q.feature_flag_upsert(app, name="\ud800", description=None, enabled=True, rules=None)


@pytest.mark.parametrize(
    ("driver", "ours"),
    [
        (psycopg.DataError, errors.DataError),
        (psycopg.IntegrityError, errors.IntegrityViolation),
        (psycopg.ProgrammingError, errors.ProgrammingError),
        (psycopg.OperationalError, errors.OperationalError),
        (psycopg.InterfaceError, errors.DatabaseError),
    ],
)
def test_driver_errors_without_a_sqlstate_map_by_class(driver: type[psycopg.Error], ours: type[Exception]) -> None:
    translated = errors.translate(driver("refused by the driver"))
    assert type(translated) is ours and translated.sqlstate is None


def test_connect_errors_are_chaindb_errors(pg_url: str) -> None:
    with pytest.raises(errors.InvalidInput):
        db.connect(pg_url, role="not a role; DROP")
    with pytest.raises(errors.OperationalError):
        db.connect("postgresql://nobody@127.0.0.1:1/none", connect_timeout=2)
    with pytest.raises(errors.DatabaseError):
        db.connect(pg_url, role="chaindb_no_such_role")


def refuses_with_our_errors(fn: Callable[..., Any], *args: Any) -> None:
    with contextlib.suppress(errors.ChainDBError, TypeError):  # anything else fails the example
        fn(*args)


HELPERS: list[tuple[str, Callable[..., Any], tuple[st.SearchStrategy[Any], ...]]] = [
    ("packs.commitment", packs.commitment, (TEXT, TEXT)),
    ("packs.qr_payload", packs.qr_payload, (TEXT, TEXT, TEXT)),
    ("packs.parse_printed_qr", packs.parse_printed_qr, (TEXT,)),
    ("packs.encrypt_code", packs.encrypt_code, (BYTES, TEXT, BYTES)),
    ("packs.decrypt_code", packs.decrypt_code, (BYTES | st.just(bytes(32)), TEXT, BYTES)),
    ("packs.check_key", packs.check_key, (BYTES,)),
    ("packs.check_base_url", packs.check_base_url, (TEXT,)),
    ("solana.code_pda", solana.code_pda, (BYTES,)),
    ("solana.code_pdas", solana.code_pdas, (st.lists(BYTES, max_size=3),)),
    ("solana.parse_pubkey", solana.parse_pubkey, (TEXT,)),
    ("solana.parse_signature", solana.parse_signature, (TEXT,)),
    ("solana.is_pubkey", solana.is_pubkey, (TEXT,)),
    ("solana.is_signature", solana.is_signature, (TEXT,)),
    ("solana.check_seeds", solana.check_seeds, (st.lists(BYTES, max_size=20),)),
    ("solana.find_program_address", solana.find_program_address,
     (st.lists(BYTES, max_size=20), st.just(solana.program_id()))),
    ("evm.is_address", evm.is_address, (TEXT,)),
    ("evm.checksum", evm.checksum, (TEXT,)),
    ("evm.smart_account_salt", evm.smart_account_salt, (st.uuids(), st.integers(-(2**300), 2**300))),
    ("evm.smart_account_address", evm.smart_account_address, (TEXT, TEXT)),
    ("accounts.account_address", accounts.account_address,
     (st.uuids(), st.sampled_from(list(q.ChainId)) | TEXT, TEXT)),
]


@pytest.mark.parametrize(("name", "fn", "strategies"), HELPERS, ids=[h[0] for h in HELPERS])
def test_helpers_raise_only_chaindb_errors(name: str, fn: Callable[..., Any], strategies: tuple[Any, ...]) -> None:
    @settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.tuples(*strategies))
    def call(args: tuple[Any, ...]) -> None:
        refuses_with_our_errors(fn, *args)

    call()


def test_bad_input_errors_are_also_value_errors() -> None:
    """errors.InvalidInput keeps ``except ValueError`` callers working."""
    with pytest.raises(ValueError, match="32 bytes"):
        packs.check_key(b"short")
    with pytest.raises(errors.InvalidInput):
        solana.parse_pubkey("1" * 44)
    with pytest.raises(errors.InvalidInput):
        accounts.account_address(uuid.uuid4(), "not a chain", "0x" + "ab" * 20)  # type: ignore[arg-type]
