"""Bulk generation and download of authenticity code packs (hand-written; not generated).

A code pack is created GENERATING (named query ``code_pack_create``); :func:`generate_pack`
fills it with its ``quantity`` codes and moves it to READY in one transaction:

- **code**: 16 random bytes (``os.urandom``), RFC 4648 base32 without padding: 26 characters
  of ``A-Z2-7`` (short, case-insensitive, QR alphanumeric friendly).
- **commitment**: ``sha256(f"{batch_public_id}:{code}")`` (UTF-8), 32 bytes. The batch public
  id cannot contain ``:`` (its CHECK), so the preimage is unambiguous, and the same code in
  another batch has another commitment.
- **PDA**: ``find_program_address([b"code", commitment], program_id)`` with solders
  (:mod:`chaindb.chain.solana`), the expensive part (~10 us a code).
- **qr_payload** (stored, public): ``{base_url}/v/{batch_public_id}/{pda}``. The QR that is
  printed is ``{qr_payload}#{code}``: the code travels in the URL fragment, which browsers
  never send to a server, and is never stored in clear (see :func:`printed_qr`).
- **code_plaintext** (stored, secret until the print is confirmed): AES-256-GCM under the
  caller's 32-byte key, a random 96-bit nonce per code and the commitment as associated data
  (a ciphertext cannot be moved to another code): ``"v1:" + base64(nonce || ciphertext || tag)``.
  The database checks the format and never sees the key. Random nonces are safe far beyond a
  pack's size (NIST's bound is 2**32 messages per key).

Rows are computed in chunks by a pool of worker processes (both cores: PDA derivation is
CPU-bound and releases nothing to threads) while the parent streams finished chunks, in
order, into one ``COPY authenticity.codes (...) FROM STDIN`` (text format). The ids are
generated here too: a volatile column default (``gen_random_uuid()``) would make COPY insert
row by row instead of in batches. The ``codes_check_insert`` trigger then validates the whole
COPY once, set-based, and ``authenticity.mark_code_pack_ready`` checks the count.

:func:`download_pack` counts a download (``authenticity.record_code_pack_download``) and
returns the printable QR payloads, decrypted; after printing,
``authenticity.confirm_print`` purges every ciphertext.

Errors: every function here raises ``chaindb.errors`` exceptions only (``TypeError`` aside, for a
value of the wrong Python type): ``errors.InvalidInput`` (also a ``ValueError``) for a bad key,
base URL, QR payload or ciphertext, ``errors.NotFound`` / ``errors.PreconditionFailed`` for a pack
that is missing or not GENERATING, and the database's own errors translated.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import multiprocessing
import os
import re
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg.rows import tuple_row
from solders.pubkey import Pubkey

from chaindb import errors
from chaindb.chain import solana

#: Where the printed QR codes point unless the caller says otherwise.
DEFAULT_BASE_URL = "https://verify.chaindb.example"
#: Prefix of the ciphertext format stored in codes.code_plaintext.
CIPHERTEXT_PREFIX = "v1:"
KEY_BYTES = 32
NONCE_BYTES = 12
CODE_BYTES = 16
#: Codes per chunk handed to a worker.
DEFAULT_CHUNK = 5_000

COPY_COLUMNS = "id, pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda"
COPY_SQL = f"COPY authenticity.codes ({COPY_COLUMNS}) FROM STDIN"

_BASE_URL = re.compile(r"https://[A-Za-z0-9.-]+(:[0-9]{1,5})?")
_BATCH_PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

#: ``progress(done, total)``, called after each chunk is written.
Progress = Callable[[int, int], None]


# ----------------------------------------------------------------------------------------
# One code


def new_code() -> str:
    """A fresh random code: base32 (no padding) of 16 random bytes, 26 characters."""
    return base64.b32encode(os.urandom(CODE_BYTES)).decode().rstrip("=")


def commitment(batch_public_id: str, code: str) -> bytes:
    """The code's 32-byte commitment: SHA-256 of UTF-8 ``"<batch_public_id>:<code>"``."""
    return hashlib.sha256(_utf8(f"{batch_public_id}:{code}")).digest()


def _utf8(text: str) -> bytes:
    try:
        return text.encode()
    except UnicodeEncodeError as exc:
        raise errors.InvalidInput(f"text is not valid UTF-8: {exc}") from exc


def qr_payload(base_url: str, batch_public_id: str, pda: str) -> str:
    """The stored, public part of the QR payload: ``<base_url>/v/<batch_public_id>/<pda>``."""
    return f"{check_base_url(base_url)}/v/{batch_public_id}/{pda}"


def printed_qr(payload: str, code: str) -> str:
    """What the QR encodes: the stored payload, ``#`` and the code (a URL fragment)."""
    return f"{payload}#{code}"


def parse_printed_qr(text: str) -> tuple[str, str, str]:
    """(batch_public_id, pda, code) from a scanned QR, or ``ValueError``."""
    match = re.fullmatch(
        r"https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?/v/([A-Za-z0-9_-]{1,64})/([1-9A-HJ-NP-Za-km-z]{32,44})#([A-Z2-7]{26})",
        text,
    )
    if not match:
        raise errors.InvalidInput("not an authenticity QR payload")
    return match.group(1), match.group(2), match.group(3)


def encrypt_code(key: bytes, code: str, commitment_: bytes) -> str:
    """``"v1:" + base64(nonce || AES-256-GCM(code) || tag)``, the commitment as associated data."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(check_key(key)).encrypt(nonce, _utf8(code), commitment_)
    return CIPHERTEXT_PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt_code(key: bytes, ciphertext: str, commitment_: bytes) -> str:
    """The code back from :func:`encrypt_code`'s output (``errors.InvalidInput`` on a wrong key or row)."""
    if not ciphertext.startswith(CIPHERTEXT_PREFIX):
        raise errors.InvalidInput("unknown ciphertext format")
    return _open(AESGCM(check_key(key)), ciphertext, commitment_)


def _open(aes: AESGCM, ciphertext: str, commitment_: bytes) -> str:
    try:
        raw = base64.b64decode(ciphertext[len(CIPHERTEXT_PREFIX) :], validate=True)
        return aes.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], commitment_).decode()
    except (InvalidTag, binascii.Error, UnicodeDecodeError, ValueError) as exc:  # ValueError: a nonce too short
        raise errors.InvalidInput("the ciphertext does not decrypt with this key and commitment") from exc


def check_key(key: bytes) -> bytes:
    if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
        raise errors.InvalidInput(f"the code key is {KEY_BYTES} bytes (AES-256)")
    return bytes(key)


def check_base_url(base_url: str) -> str:
    if not _BASE_URL.fullmatch(base_url):
        raise errors.InvalidInput(f"base_url must be https://host[:port] without a path, got {base_url!r}")
    return base_url


# ----------------------------------------------------------------------------------------
# Chunks of COPY rows


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs to compute ``count`` rows (picklable)."""

    batch_public_id: str
    code_pack_id: str
    count: int
    key: bytes
    base_url: str
    program_id: str


def build_chunk(task: ChunkTask) -> bytes:
    """``task.count`` new codes as COPY text rows (``COPY_COLUMNS``, tab-separated)."""
    aes = AESGCM(task.key)
    program = Pubkey.from_string(task.program_id)
    find = Pubkey.find_program_address
    b32 = base64.b32encode
    b64 = base64.b64encode
    sha256 = hashlib.sha256
    seed = solana.CODE_SEED
    count = task.count
    secrets = os.urandom(CODE_BYTES * count)
    nonces = os.urandom(NONCE_BYTES * count)
    ids = bytearray(os.urandom(16 * count))
    preimage_prefix = f"{task.batch_public_id}:".encode()
    payload_prefix = f"{task.base_url}/v/{task.batch_public_id}/"
    pack = task.code_pack_id
    lines: list[str] = []
    append = lines.append
    for i in range(count):
        code = b32(secrets[i * CODE_BYTES : (i + 1) * CODE_BYTES])[:26]
        digest = sha256(preimage_prefix + code).digest()
        pda = str(find([seed, digest], program)[0])
        nonce = nonces[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]
        sealed = b64(nonce + aes.encrypt(nonce, code, digest)).decode()
        j = i * 16
        ids[j + 6] = (ids[j + 6] & 0x0F) | 0x40  # uuid version 4
        ids[j + 8] = (ids[j + 8] & 0x3F) | 0x80  # RFC 4122 variant
        append(f"{ids[j : j + 16].hex()}\t{pack}\tv1:{sealed}\t{payload_prefix}{pda}\t\\\\x{digest.hex()}\t{pda}\n")
    return "".join(lines).encode()


def chunk_sizes(total: int, chunk: int) -> Iterator[int]:
    done = 0
    while done < total:
        size = min(chunk, total - done)
        yield size
        done += size


def iter_chunks(tasks: list[ChunkTask], executor: Executor | None, window: int) -> Iterator[tuple[ChunkTask, bytes]]:
    """Chunks in order; with an executor, at most ``window`` computed ahead (bounded memory)."""
    if executor is None:
        for task in tasks:
            yield task, build_chunk(task)
        return
    pending: deque[tuple[ChunkTask, Future[bytes]]] = deque()
    queue = iter(tasks)
    for task in queue:
        pending.append((task, executor.submit(build_chunk, task)))
        if len(pending) >= window:
            break
    while pending:
        task, future = pending.popleft()
        result = future.result()
        following = next(queue, None)
        if following is not None:
            pending.append((following, executor.submit(build_chunk, following)))
        yield task, result


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes (fork where available: fast start, nothing re-imported)."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


# ----------------------------------------------------------------------------------------
# Packs


@dataclass(frozen=True)
class GeneratedPack:
    code_pack_id: uuid.UUID
    pack_id: str
    quantity: int
    seconds: float

    @property
    def codes_per_second(self) -> float:
        return self.quantity / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True)
class PrintableCode:
    commitment: bytes
    code: str
    qr: str


def _pack_for_generation(conn: psycopg.Connection[Any], code_pack_id: uuid.UUID) -> tuple[str, int, str, int]:
    with conn.cursor(row_factory=tuple_row) as cur:
        row = cur.execute(
            """
            SELECT p.pack_id, p.quantity, b.batch_public_id, p.status::text,
                   (SELECT count(*) FROM authenticity.codes AS c WHERE c.pack_id = p.id)
            FROM authenticity.code_packs AS p
            INNER JOIN authenticity.batches AS b ON b.id = p.batch_id
            WHERE p.id = %s
            """,
            (code_pack_id,),
        ).fetchone()
    if row is None:
        raise errors.NotFound(f"no code pack {code_pack_id}", schema="authenticity", table="code_packs")
    pack_id, quantity, batch_public_id, status, existing = row
    if status != "GENERATING":
        raise errors.PreconditionFailed(
            f"code pack {pack_id} is {status}, not GENERATING",
            constraint="codes_pack_generating",
            schema="authenticity",
            table="codes",
            detail=f"status={status}",
        )
    if not _BATCH_PUBLIC_ID.fullmatch(batch_public_id):  # pragma: no cover - the CHECK guarantees it
        raise errors.InvalidInput(f"batch public id {batch_public_id!r} is not URL-safe")
    return str(pack_id), int(quantity), str(batch_public_id), int(existing)


@errors.translated
def generate_pack(
    conn: psycopg.Connection[Any],
    code_pack_id: uuid.UUID,
    key: bytes,
    *,
    base_url: str = DEFAULT_BASE_URL,
    program_id: str | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
    mark_ready: bool = True,
) -> GeneratedPack:
    """Fill a GENERATING pack with its codes by COPY and mark it READY, in one transaction.

    ``workers`` processes compute the rows (default: the CPUs available; 1 computes inline);
    pass ``executor`` to reuse a pool across packs. ``progress(done, total)`` is called after
    each chunk. Returns the timing. Nothing is committed if anything fails.
    """
    check_key(key)
    check_base_url(base_url)
    program = program_id or str(solana.program_id())
    solana.parse_pubkey(program)
    if chunk <= 0:
        raise errors.InvalidInput("chunk must be positive")
    started = time.perf_counter()
    with conn.transaction():
        pack_id, quantity, batch_public_id, existing = _pack_for_generation(conn, code_pack_id)
        remaining = quantity - existing
        tasks = [
            ChunkTask(batch_public_id, str(code_pack_id), size, bytes(key), base_url, program)
            for size in chunk_sizes(remaining, chunk)
        ]
        own_pool: ProcessPoolExecutor | None = None
        count = workers if workers is not None else default_workers()
        if executor is None and count > 1 and len(tasks) > 1:
            own_pool = executor = process_pool(count)
        try:
            done = existing
            with conn.cursor() as cur, cur.copy(COPY_SQL) as copy:
                window = 2 * (count if executor is not None else 1) + 1
                for task, data in iter_chunks(tasks, executor, window):
                    copy.write(data)
                    done += task.count
                    if progress is not None:
                        progress(done, quantity)
        finally:
            if own_pool is not None:
                own_pool.shutdown(cancel_futures=True)
        if mark_ready:
            conn.execute("SELECT (authenticity.mark_code_pack_ready(%s)).id", (code_pack_id,))
    return GeneratedPack(code_pack_id, pack_id, quantity, time.perf_counter() - started)


@errors.translated
def create_pack(
    conn: psycopg.Connection[Any],
    batch_id: uuid.UUID,
    pack_id: str,
    quantity: int,
    download_expires_at: datetime | None = None,
) -> uuid.UUID:
    """Insert a GENERATING pack through the named query ``code_pack_create`` and return its id."""
    from chaindb.authenticity import queries  # here, not at the top: the pack workers never need it

    return queries.code_pack_create(
        conn, batch_id=batch_id, pack_id=pack_id, quantity=quantity, download_expires_at=download_expires_at
    ).id


@errors.translated
def download_pack(conn: psycopg.Connection[Any], code_pack_id: uuid.UUID, key: bytes) -> list[PrintableCode]:
    """Count one download and return every code of the pack, decrypted, with its printable QR.

    Raises the database's errors: CD007 (not READY/DOWNLOADED), CD006 (download window closed by
    the database's clock), CD005 (no such pack); ``errors.InvalidInput`` when a code does not
    decrypt with ``key`` (nothing is counted then). The count and the read happen in one transaction.
    """
    aes = AESGCM(check_key(key))
    out: list[PrintableCode] = []
    with conn.transaction(), conn.cursor(row_factory=tuple_row) as cur:
        cur.execute("SELECT (authenticity.record_code_pack_download(%s)).id", (code_pack_id,))
        cur.execute(
            """
            SELECT c.commitment, c.code_plaintext, c.qr_payload
            FROM authenticity.codes AS c
            WHERE c.pack_id = %s
            """,
            (code_pack_id,),
        )
        for digest, sealed, payload in cur:
            if sealed is None:
                raise errors.PreconditionFailed(f"code pack {code_pack_id} has a code without plaintext")
            code = _open(aes, sealed, bytes(digest))
            out.append(PrintableCode(bytes(digest), code, printed_qr(payload, code)))
    return out
