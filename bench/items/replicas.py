"""A streaming read replica under a write load (issue 16): how far behind it replays, and what
read-your-writes costs (wait for the write's WAL position on the replica, chaindb.replicas) against
reading the primary. Its own throwaway primary (cocopay migrated) and a hot standby made from it with
``pg_basebackup -R`` (chaindb.standby), both on 127.0.0.1, whatever server the suite runs on."""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from bench.harness import INFO, Context, Pair, item
from chaindb import admin, db
from chaindb.cocopay import queries as q
from chaindb.embedded import throwaway
from chaindb.standby import Standby


class WriteLoad:
    """A thread appending analytics events in batches on the primary until stopped."""

    def __init__(self, url: str, batch: int) -> None:
        self.url, self.batch = url, batch
        self.stopped = threading.Event()
        self.rows = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        row = {"event_name": "load", "properties": {}, "user_id": None, "session_id": None, "device_id": "bench",
               "ip_address": None, "user_agent": None}
        rows = [row] * self.batch
        with db.connect(self.url, role=admin.APP_ROLE) as conn:
            while not self.stopped.is_set():
                q.analytics_event_append_many(conn, rows)
                conn.commit()
                self.rows += self.batch

    def __enter__(self) -> WriteLoad:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()


@item(
    "replica_read_your_writes",
    "a write then its read, under a write load: read on the replica after waiting for the write / on the primary",
    a="pools.read(after=token) on a streaming replica (the wait for replay included)",
    b="the same read on the primary",
    unit="ms",
    goal=INFO,
    note="the wait is the replica's replay lag: WAL shipped, then applied",
)
@contextmanager
def replica_read_your_writes(ctx: Context) -> Iterator[Pair]:
    calls = 20 if ctx.quick else 200
    primary = throwaway()
    standby = Standby(Path(primary.base_dir) / "standby")
    try:
        url = admin.create_database(primary.url(database="postgres"), "chaindb")
        admin.migrate(url, ["cocopay"])
        with psycopg.connect(url, autocommit=True) as conn:
            # the throwaway server commits asynchronously: its WAL would reach the replica only when the WAL
            # writer flushes it (wal_writer_delay, 200 ms). Commits wait for their flush, as by default.
            conn.execute("ALTER DATABASE chaindb SET synchronous_commit = on")
        standby.create(url)
        standby.start(fast=True)
        waits: list[float] = []
        with db.pool(url, replicas=[standby.url("chaindb")], role=admin.APP_ROLE, autocommit=True,
                     max_size=2) as pools, WriteLoad(url, 50 if ctx.quick else 200) as load:

            def round_trip(on_replica: bool) -> float:
                total = 0.0
                for _ in range(calls):
                    name = f"flag_{uuid.uuid4().hex[:12]}"
                    with pools.connection() as conn:
                        q.feature_flag_upsert(conn, name=name, description=None, enabled=True, rules=[])
                        token = pools.token(conn)
                    started = time.perf_counter()
                    reader: Any = pools.read(after=token, wait=5.0) if on_replica else pools.connection()
                    with reader as conn:
                        if on_replica:
                            waits.append(time.perf_counter() - started)
                            assert conn.pgconn.parameter_status(b"in_hot_standby") == b"on", "the replica caught up"
                        assert q.feature_flag_get(conn, name=name) is not None
                    total += time.perf_counter() - started
                return total / calls * 1e3

            def replica_round() -> float:
                waits.clear()
                ms = round_trip(True)
                with psycopg.connect(url, autocommit=True) as conn:
                    lag = conn.execute(
                        "SELECT coalesce(extract(epoch FROM replay_lag), 0) * 1e3 FROM pg_stat_replication"
                    ).fetchone()
                ctx.log(
                    f"replica: read-your-writes wait median {statistics.median(waits) * 1e3:.2f} ms, "
                    f"max {max(waits) * 1e3:.2f} ms; replay_lag {lag[0] if lag else 'n/a'} ms; "
                    f"{load.rows:,} rows written by the load so far"
                )
                return ms

            yield Pair(a=replica_round, b=lambda: round_trip(False))
    finally:
        standby.stop()
        primary.stop()
