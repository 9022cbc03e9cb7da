"""Authenticity codes in bulk: pack generation, raw COPY, and what the table's rules cost.

Values are rows (codes) per second. Every round COPYs freshly computed rows (the same
``build_chunk`` as the generation path: real commitments, PDAs and ciphertexts), each into
its own pack, so no round conflicts with another.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from bench.harness import Context, Pair, at_least, item

BATCH = "BENCH-2025"


def setup_batch(conn: psycopg.Connection[Any]) -> uuid.UUID:
    """A manufacturer, a SKU and a CREATED batch (packs may be generated before activation)."""
    row = conn.execute(
        """
        WITH m AS (
            INSERT INTO authenticity.manufacturers (name, hmac_kms_key_id)
            VALUES ('Bench Co', 'alias/bench') RETURNING id
        ), s AS (
            INSERT INTO authenticity.skus (manufacturer_id, sku_code, sku_name, sku_hash)
            SELECT m.id, 'BENCH-1', 'Bench product', %s FROM m RETURNING id, manufacturer_id
        )
        INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label)
        SELECT s.manufacturer_id, s.id, %s, 'Bench batch' FROM s RETURNING id
        """,
        (hashlib.sha256(b"bench sku").digest(), BATCH),
    ).fetchone()
    assert row is not None
    return uuid.UUID(str(row[0]))


class Packs:
    """Makes GENERATING packs and their COPY rows for the bench batch."""

    def __init__(self, conn: psycopg.Connection[Any], pool: Any) -> None:
        from chaindb.authenticity import packs
        from chaindb.chain import solana

        self.packs = packs
        self.conn = conn
        self.pool = pool
        self.batch_id = setup_batch(conn)
        self.key = os.urandom(packs.KEY_BYTES)
        self.program = str(solana.program_id())
        self.serial = 0

    def new_pack(self, quantity: int) -> uuid.UUID:
        self.serial += 1
        return self.packs.create_pack(self.conn, self.batch_id, f"bench-{self.serial}", quantity)

    def rows(self, pack: uuid.UUID, count: int) -> bytes:
        p = self.packs
        tasks = [
            p.ChunkTask(BATCH, str(pack), size, self.key, p.DEFAULT_BASE_URL, self.program)
            for size in p.chunk_sizes(count, p.DEFAULT_CHUNK)
        ]
        return b"".join(self.pool.map(p.build_chunk, tasks))

    def copy_rate(self, table: str, data: bytes, count: int) -> float:
        started = time.perf_counter()
        sql = f"COPY {table} ({self.packs.COPY_COLUMNS}) FROM STDIN"
        with self.conn.transaction(), self.conn.cursor() as cur, cur.copy(sql) as copy:
            copy.write(data)
        return count / (time.perf_counter() - started)


@contextmanager
def _codes_db(ctx: Context, label: str) -> Iterator[Packs]:
    from chaindb.authenticity import packs

    url = ctx.database(label)
    try:
        with psycopg.connect(url, autocommit=True) as conn, packs.process_pool(packs.default_workers()) as pool:
            yield Packs(conn, pool)
    finally:
        ctx.drop(url)


@item(
    "pack_generation",
    "code-pack generation / raw COPY of precomputed rows into the real codes table",
    a="generate_pack (codes, PDAs, AES-GCM, COPY, READY; 2 worker processes)",
    b="one COPY of the same kind of rows, computed beforehand",
    unit="codes/s",
    goal=at_least(0.5),
    higher_is_better=True,
)
@contextmanager
def pack_generation(ctx: Context) -> Iterator[Pair]:
    count = 5_000 if ctx.quick else 100_000
    with _codes_db(ctx, "pack_generation") as p:
        progress = ctx.progress("generate_pack", count)

        def generated() -> float:
            pack = p.new_pack(count)
            result = p.packs.generate_pack(
                p.conn, pack, p.key, executor=p.pool, progress=lambda done, _total: progress(done)
            )
            return result.codes_per_second

        def raw() -> float:
            pack = p.new_pack(count)
            return p.copy_rate("authenticity.codes", p.rows(pack, count), count)

        warm = p.new_pack(2_000)
        p.packs.generate_pack(p.conn, warm, p.key, executor=p.pool)
        yield Pair(a=generated, b=raw)


@item(
    "check_cost",
    "CHECK cost: COPY into a copy of codes with its CHECKs / with none (neither has indexes)",
    a="codes' columns, defaults and CHECKs (no index, no trigger)",
    b="codes' columns and defaults only (bare)",
    unit="rows/s",
    goal=at_least(0.5),
    higher_is_better=True,
    note="at the goal, within a shared machine's noise (was 0.20-0.25): the ciphertext and payload formats and "
    "the PDA test cost about what the bare COPY costs per row (~2 us).",
)
@contextmanager
def check_cost(ctx: Context) -> Iterator[Pair]:
    count = 20_000 if ctx.quick else 200_000
    with _codes_db(ctx, "check_cost") as p:
        p.conn.execute(
            "CREATE TABLE public.codes_checked (LIKE authenticity.codes INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        p.conn.execute("CREATE TABLE public.codes_bare (LIKE authenticity.codes INCLUDING DEFAULTS)")
        data = p.rows(uuid.uuid4(), count)

        def into(table: str) -> float:
            p.conn.execute(f"TRUNCATE {table}")
            return p.copy_rate(table, data, count)

        yield Pair(a=lambda: into("public.codes_checked"), b=lambda: into("public.codes_bare"))


@item(
    "codes_copy",
    "raw COPY into the real codes table / into a bare copy of it (no CHECK, index or trigger)",
    a="authenticity.codes (4 unique/btree indexes, CHECKs, FK, statement trigger)",
    b="codes' columns and defaults only (bare)",
    unit="rows/s",
    goal=at_least(0.5),
    higher_is_better=True,
    extra={
        "indexes": "the bare copy with codes' four indexes only (primary key id, unique commitment, unique PDA, "
        "(pack_id, id)); it keeps its rows from round to round, as the real table does",
        "foreign_key": "the bare copy with codes' foreign key to code_packs only",
    },
    note="the rules' costs add up per row, each measured in a row of its own: the four indexes alone "
    "(codes_copy/indexes: a btree insertion per index, on random keys for id, commitment and PDA) cost several "
    "times the bare COPY, the foreign key alone (codes_copy/foreign_key: a look-up of the pack per row) about "
    "once more, the CHECKs (check_cost) less than once more. 0.5 would mean dropping the uniqueness or the "
    "reference, which are the rules.",
)
@contextmanager
def codes_copy(ctx: Context) -> Iterator[Pair]:
    count = 5_000 if ctx.quick else 50_000
    with _codes_db(ctx, "codes_copy") as p:
        for table, like in (("codes_bare", ""), ("codes_indexes", " INCLUDING INDEXES"), ("codes_fk", "")):
            p.conn.execute(f"CREATE TABLE public.{table} (LIKE authenticity.codes INCLUDING DEFAULTS{like})")
        p.conn.execute("ALTER TABLE public.codes_fk ADD FOREIGN KEY (pack_id) REFERENCES authenticity.code_packs (id)")
        rounds: dict[int, bytes] = {}  # the rows of a round, in a new pack, COPYed into every table

        def into(table: str, *, emptied: bool) -> Callable[[], float]:
            done = iter(range(1_000_000))

            def measure() -> float:
                k = next(done)
                if k not in rounds:
                    rounds.clear()
                    rounds[k] = p.rows(p.new_pack(count), count)
                if emptied:
                    p.conn.execute(f"TRUNCATE {table}")
                return p.copy_rate(table, rounds[k], count)

            return measure

        yield Pair(
            a=into("authenticity.codes", emptied=False),
            b=into("public.codes_bare", emptied=True),
            extra={
                "indexes": into("public.codes_indexes", emptied=False),
                "foreign_key": into("public.codes_fk", emptied=True),
            },
        )
