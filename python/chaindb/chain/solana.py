"""Solana values for the authenticity product: program-derived addresses and validation.

Code PDAs
---------
Every printed code has an on-chain account at the program-derived address (PDA)::

    find_program_address(seeds=[b"code", commitment], program_id=AUTHENTICITY_PROGRAM_ID)

where ``commitment`` is the 32-byte SHA-256 commitment of the code (see
``chaindb.authenticity.packs``) and the bump seed is the canonical one that
``find_program_address`` finds (it is not stored: the program re-derives it).

The program id is :data:`DEFAULT_PROGRAM_ID`, a fixed placeholder of this project
(the public key made of SHA-256 of ``b"chaindb:authenticity:program:v1"``) until the
authenticity program is deployed; set ``CHAINDB_AUTHENTICITY_PROGRAM_ID`` (base58) to use
the deployed program, or pass ``program_id`` explicitly.

solders panics (``pyo3_runtime.PanicException``, a ``BaseException``, not an
``Exception``) on a seed longer than 32 bytes or on too many seeds, so
:func:`find_program_address` checks both before calling it and raises ``errors.InvalidInput``
(a ``ValueError``), like every bad value here.

Validation mirrors the database's CHECKs (``common.is_solana_pubkey``,
``common.is_solana_signature``): a public key is 32 to 44 base58 characters decoding to 32
bytes, a signature 64 to 88 characters decoding to 64 bytes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from functools import cache

from solders.pubkey import Pubkey
from solders.signature import Signature

from chaindb.errors import InvalidInput

#: Placeholder program id of the authenticity program: Pubkey(sha256(b"chaindb:authenticity:program:v1")).
DEFAULT_PROGRAM_ID = "5iPNBMBa3AuUKTPdP7bMnYvRQ2tHA4fQJtaYN7XfvK4s"
#: Environment variable that overrides :data:`DEFAULT_PROGRAM_ID`.
PROGRAM_ID_ENV = "CHAINDB_AUTHENTICITY_PROGRAM_ID"
#: First seed of a code PDA.
CODE_SEED = b"code"
#: Solana's limits: at most 32 bytes per seed, 16 seeds including the bump find_program_address adds.
MAX_SEED_LEN = 32
MAX_SEEDS = 16

_BASE58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")


@cache
def _pubkey(value: str) -> Pubkey:
    return parse_pubkey(value)


def program_id() -> Pubkey:
    """The authenticity program id: ``CHAINDB_AUTHENTICITY_PROGRAM_ID`` or :data:`DEFAULT_PROGRAM_ID`."""
    return _pubkey(os.environ.get(PROGRAM_ID_ENV) or DEFAULT_PROGRAM_ID)


def check_seeds(seeds: Sequence[bytes]) -> None:
    """Raise ``errors.InvalidInput`` for seeds solders would panic on (too long, too many)."""
    if len(seeds) > MAX_SEEDS - 1:
        raise InvalidInput(f"at most {MAX_SEEDS - 1} seeds (the bump is the last), got {len(seeds)}")
    for index, seed in enumerate(seeds):
        if len(seed) > MAX_SEED_LEN:
            raise InvalidInput(f"seed {index} is {len(seed)} bytes; at most {MAX_SEED_LEN}")


def find_program_address(seeds: Sequence[bytes], program: Pubkey) -> tuple[Pubkey, int]:
    """``Pubkey.find_program_address`` with its panics turned into ``errors.InvalidInput`` beforehand."""
    check_seeds(seeds)
    return Pubkey.find_program_address(list(seeds), program)


def code_pda(commitment: bytes, program: Pubkey | None = None) -> str:
    """The base58 PDA of a code: seeds ``[b"code", commitment]`` under the authenticity program."""
    if len(commitment) != 32:
        raise InvalidInput(f"a commitment is 32 bytes, got {len(commitment)}")
    address, _bump = find_program_address([CODE_SEED, commitment], program or program_id())
    return str(address)


def code_pdas(commitments: Iterable[bytes], program: Pubkey | str | None = None) -> list[str]:
    """:func:`code_pda` for many commitments (the bulk path; picklable arguments for worker processes)."""
    resolved = parse_pubkey(program) if isinstance(program, str) else (program or program_id())
    find = Pubkey.find_program_address
    out: list[str] = []
    for commitment in commitments:
        if len(commitment) != 32:
            raise InvalidInput(f"a commitment is 32 bytes, got {len(commitment)}")
        out.append(str(find([CODE_SEED, commitment], resolved)[0]))
    return out


def parse_pubkey(value: str) -> Pubkey:
    """A ``Pubkey`` from base58, or ``errors.InvalidInput`` (same rule as ``common.is_solana_pubkey``)."""
    if not isinstance(value, str) or not 32 <= len(value) <= 44 or not _BASE58.fullmatch(value):
        raise InvalidInput(f"not a Solana public key: {value!r}")
    try:
        return Pubkey.from_string(value)
    except ValueError as exc:  # base58, but not of 32 bytes
        raise InvalidInput(f"not a Solana public key: {value!r}") from exc


def is_pubkey(value: object) -> bool:
    """True when ``value`` is base58 text of 32 to 44 characters that decodes to 32 bytes."""
    if not isinstance(value, str):
        return False
    try:
        parse_pubkey(value)
    except ValueError:
        return False
    return True


def parse_signature(value: str) -> Signature:
    """A ``Signature`` from base58, or ``errors.InvalidInput`` (same rule as ``common.is_solana_signature``)."""
    if not isinstance(value, str) or not 64 <= len(value) <= 88 or not _BASE58.fullmatch(value):
        raise InvalidInput(f"not a Solana signature: {value!r}")
    try:
        return Signature.from_string(value)
    except ValueError as exc:  # base58, but not of 64 bytes
        raise InvalidInput(f"not a Solana signature: {value!r}") from exc


def is_signature(value: object) -> bool:
    """True when ``value`` is base58 text of 64 to 88 characters that decodes to 64 bytes."""
    if not isinstance(value, str):
        return False
    try:
        parse_signature(value)
    except ValueError:
        return False
    return True
