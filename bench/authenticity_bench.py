"""Benchmark: authenticity code pack generation against the raw COPY limit.

    python bench/authenticity_bench.py [DATABASE_URL] [--codes 100000] [--workers N]

Uses the given URL, else ``DATABASE_URL``, else the embedded server (``make db``). Creates
its own scratch database (``chaindb_bench_authenticity``), migrates the authenticity schema
into it, and drops it at the end. In one run it reports, for a pack of ``--codes`` codes:

- raw COPY: the rows, computed beforehand by the same code, streamed by one
  ``COPY authenticity.codes ... FROM STDIN`` into a GENERATING pack and committed: the limit
  (the table's indexes, CHECKs, foreign key and insert trigger included);
- generation: ``chaindb.authenticity.packs.generate_pack`` on another pack of the same size,
  the real path: random codes, commitments, PDAs, AES-GCM, COPY, READY, commit.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))

import psycopg

from chaindb import admin
from chaindb.authenticity import packs
from chaindb.chain import solana

SCRATCH = "chaindb_bench_authenticity"


def progress_printer(label: str) -> packs.Progress:
    last = [-1]

    def report(done: int, total: int) -> None:
        tenth = done * 10 // total
        if tenth != last[0]:
            last[0] = tenth
            print(f"  {label}: {done:>9,} / {total:,} codes", flush=True)

    return report


def setup_batch(conn: psycopg.Connection[Any]) -> uuid.UUID:
    manufacturer = conn.execute(
        "INSERT INTO authenticity.manufacturers (name, hmac_kms_key_id) VALUES ('Bench Co', 'alias/bench') RETURNING id"
    ).fetchone()
    assert manufacturer is not None
    sku = conn.execute(
        "INSERT INTO authenticity.skus (manufacturer_id, sku_code, sku_name, sku_hash) "
        "VALUES (%s, 'BENCH-1', 'Bench product', %s) RETURNING id",
        (manufacturer[0], hashlib.sha256(b"bench sku").digest()),
    ).fetchone()
    assert sku is not None
    batch = conn.execute(
        "INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label) "
        "VALUES (%s, %s, 'BENCH-2025', 'Bench batch') RETURNING id",
        (manufacturer[0], sku[0]),
    ).fetchone()
    assert batch is not None
    return uuid.UUID(str(batch[0]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", help="server URL (default: $DATABASE_URL, else the embedded server)")
    parser.add_argument("--codes", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=packs.default_workers())
    parser.add_argument("--chunk", type=int, default=packs.DEFAULT_CHUNK)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)

    url = args.url or os.environ.get("DATABASE_URL")
    if not url:
        from chaindb.embedded import Embedded

        url = Embedded().start()
    url = admin.libpq_url(url)
    key = os.urandom(packs.KEY_BYTES)
    program = str(solana.program_id())

    print(f"scratch database {SCRATCH}: migrating the authenticity schema", flush=True)
    scratch_url = admin.create_database(url, SCRATCH)
    try:
        admin.migrate(scratch_url, ["authenticity"])
        with psycopg.connect(scratch_url, autocommit=True) as conn, packs.process_pool(args.workers) as pool:
            batch_id = setup_batch(conn)

            print("warm-up: a 5,000-code pack through the generation path", flush=True)
            warm = packs.create_pack(conn, batch_id, "warm-up", 5_000)
            packs.generate_pack(conn, warm, key, executor=pool, chunk=args.chunk)

            print(f"precomputing {args.codes:,} rows for the raw COPY (not timed)", flush=True)
            raw_pack = packs.create_pack(conn, batch_id, "raw-copy", args.codes)
            tasks = [
                packs.ChunkTask("BENCH-2025", str(raw_pack), size, key, packs.DEFAULT_BASE_URL, program)
                for size in packs.chunk_sizes(args.codes, args.chunk)
            ]
            chunks = list(pool.map(packs.build_chunk, tasks))
            size_mb = sum(len(c) for c in chunks) / 1e6

            print(f"raw COPY of the precomputed rows ({size_mb:.1f} MB)", flush=True)
            report = progress_printer("raw COPY")
            started = time.perf_counter()
            with conn.transaction(), conn.cursor() as cur, cur.copy(packs.COPY_SQL) as copy:
                done = 0
                for task, data in zip(tasks, chunks, strict=True):
                    copy.write(data)
                    done += task.count
                    report(done, args.codes)
            raw_seconds = time.perf_counter() - started
            del chunks

            print(f"generation path: generate_pack with {args.workers} worker process(es)", flush=True)
            gen_pack = packs.create_pack(conn, batch_id, "generated", args.codes)
            result = packs.generate_pack(
                conn, gen_pack, key, executor=pool, chunk=args.chunk, progress=progress_printer("generate")
            )
            count = conn.execute("SELECT count(*) FROM authenticity.codes WHERE pack_id = %s", (gen_pack,)).fetchone()
            assert count is not None and count[0] == args.codes

        raw_rate = args.codes / raw_seconds
        gen_rate = result.codes_per_second
        print()
        print(f"{'codes':<34}{args.codes:>12,}")
        print(f"{'raw COPY (limit)':<34}{raw_rate:>12,.0f} codes/s  ({raw_seconds:.2f} s)")
        print(f"{'generation (generate_pack)':<34}{gen_rate:>12,.0f} codes/s  ({result.seconds:.2f} s)")
        print(f"{'generation / limit':<34}{gen_rate / raw_rate:>12.0%}")
    finally:
        if args.keep:
            print(f"kept {scratch_url}")
        else:
            admin.drop_database(url, SCRATCH)
    return 0


if __name__ == "__main__":
    sys.exit(main())
