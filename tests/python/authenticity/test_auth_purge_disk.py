"""What the purge leaves on disk: dead row versions, vacuumed promptly (migration
0025_authenticity_codes_autovacuum); the bytes themselves, until the table is rewritten."""

from __future__ import annotations

import time
import uuid
from typing import Any

import psycopg

from chaindb.authenticity import packs


def _confirmed_pack(conn: psycopg.Connection, batch: Any, key: bytes, pack_id: str, quantity: int) -> tuple[
    uuid.UUID, list[str]
]:
    pack = packs.create_pack(conn, batch.id, pack_id, quantity)
    packs.generate_pack(conn, pack, key, workers=1)
    ciphertexts = [r[0] for r in conn.execute("SELECT code_plaintext FROM authenticity.codes WHERE pack_id = %s",
                                              (pack,))]
    packs.download_pack(conn, pack, key)
    conn.execute("SELECT authenticity.confirm_print(%s)", (pack,))
    return pack, ciphertexts


def _vacuum_due(conn: psycopg.Connection) -> tuple[int, float]:
    """(dead tuples of authenticity.codes, autovacuum's threshold for them), as autovacuum computes it."""
    row = conn.execute(
        """
        SELECT s.n_dead_tup,
               coalesce((SELECT split_part(o, '=', 2)::float8 FROM unnest(c.reloptions) AS o
                         WHERE o LIKE 'autovacuum_vacuum_threshold=%%'),
                        current_setting('autovacuum_vacuum_threshold')::float8)
               + coalesce((SELECT split_part(o, '=', 2)::float8 FROM unnest(c.reloptions) AS o
                           WHERE o LIKE 'autovacuum_vacuum_scale_factor=%%'),
                          current_setting('autovacuum_vacuum_scale_factor')::float8) * greatest(c.reltuples, 0)
        FROM pg_class AS c JOIN pg_stat_user_tables AS s ON s.relid = c.oid
        WHERE c.oid = 'authenticity.codes'::regclass
        """
    ).fetchone()
    assert row is not None
    return int(row[0]), float(row[1])


def test_a_purge_is_due_for_autovacuum_at_once(conn: psycopg.Connection, batch: Any, key: bytes) -> None:
    """A small pack purged in a large table: with the defaults (50 rows + 20% of the table) its
    dead ciphertext would wait for many more purges; tuned, autovacuum takes it at its next round."""
    # This copy of the database only: keep autovacuum from vacuuming before the counters are read
    # (the thresholds read below are the migration's).
    conn.execute("ALTER TABLE authenticity.codes SET (autovacuum_enabled = false)")
    bulk = packs.create_pack(conn, batch.id, "P-BULK", 3_000)
    packs.generate_pack(conn, bulk, key, workers=1)
    conn.execute("ANALYZE authenticity.codes")  # reltuples ~ 3,000, as autovacuum sees a grown table
    _confirmed_pack(conn, batch, key, "P-SMALL", 200)
    conn.execute("SELECT pg_stat_force_next_flush()")
    conn.execute("SELECT 1")  # the next statement's end flushes this backend's counters
    deadline = time.monotonic() + 10
    while True:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        dead, threshold = _vacuum_due(conn)
        if dead >= 200 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert dead >= 200, "the purge left one dead row version (with its ciphertext) per code"
    assert dead > threshold, f"{dead} dead tuples do not reach autovacuum's threshold {threshold}"


def test_vacuum_full_leaves_no_ciphertext_in_the_data_files(conn: psycopg.Connection, batch: Any, key: bytes) -> None:
    """The README's procedure for removing purged ciphertext from the table's files at once."""
    # This copy of the database only: autovacuum (due at once after a purge, 0025) may prune the
    # pages between the purge and the control below, which would then find no ciphertext.
    conn.execute("ALTER TABLE authenticity.codes SET (autovacuum_enabled = false)")
    _, ciphertexts = _confirmed_pack(conn, batch, key, "P-DISK", 200)
    probes = [c[3:43].encode() for c in ciphertexts]  # 40 base64 characters of each

    def on_disk() -> int:
        conn.execute("CHECKPOINT")
        path = conn.execute("SELECT pg_relation_filepath('authenticity.codes')").fetchone()
        assert path is not None
        data = conn.execute("SELECT pg_read_binary_file(%s)", (path[0],)).fetchone()
        assert data is not None
        return sum(1 for p in probes if p in data[0])

    assert on_disk() > 0, "control: right after the purge the old row versions still hold the ciphertext"
    # VACUUM FULL copies a dead row version that a snapshot of this database may still see (recently
    # dead): a session whose snapshot predates the purge (an autovacuum ANALYZE of another table, under
    # load) makes it keep the ciphertext. Once no snapshot is older, it drops them.
    deadline = time.monotonic() + 30
    while True:
        conn.execute("VACUUM FULL authenticity.codes")
        left = on_disk()
        holders = conn.execute(
            "SELECT backend_type, backend_xmin::text FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL"
        ).fetchall()
        if left == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert left == 0, f"{left} ciphertexts left after VACUUM FULL; sessions holding snapshots: {holders}"
