"""Benchmark: a point read through the generated layer against raw psycopg on the same statement.

    python bench/point_read_bench.py [DATABASE_URL] [--rounds 30] [--reads 1000] [--quick]

Uses the given URL, else ``DATABASE_URL``, else a throwaway server of its own (never the embedded
server's port). Creates a scratch database (``chaindb_bench_point_read``), migrates cocopay into it,
writes 1,000 transactions and drops it at the end. In one process, on one connection, A and B
interleaved over ``--rounds`` rounds (the order alternates), each round ``--reads`` reads of
random ids:

- generated: ``q.transaction_get(conn, id=...)`` → a ``q.Transaction`` model;
- raw: ``conn.execute(<the same SQL>, {"id": ...}, prepare=True).fetchone()`` → a tuple;
- validated (for reference): the same statement with psycopg's ``class_row(q.Transaction)``, i.e.
  a pydantic-validated model per row, as the generated code built rows before.

Prints per path the median µs per read (wall clock and client CPU) with the spread over rounds
(min-max), and the ratios to raw: the median over rounds of each round's ratio (paired, so that a
machine busy with other work in one round weighs on both sides). Goal: generated / raw ≤ 1.05
(wall clock).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))

import psycopg
from psycopg.rows import class_row

from chaindb import admin
from chaindb.cocopay import queries as q
from chaindb.codegen.runtime import statements

SCRATCH = "chaindb_bench_point_read"
GOAL = 1.05


def seed(conn: psycopg.Connection[Any], n: int) -> list[uuid.UUID]:
    """``n`` transactions of one store, through the generated write path."""
    user = q.user_get_or_create_by_phone(conn, phone="+5511900000099", name="Bench")
    store = q.store_create(conn, owner_id=user.id, name="Bench store", symbol="BNCH")
    ids = []
    for i in range(n):
        tx = q.transaction_create(
            conn,
            idempotency_key=f"bench-{i}",
            type=q.TransactionType.PAYMENT,
            amount_usd=Decimal("1.25") + i,
            chain_id=q.ChainId.V_8453,
            from_user_id=user.id,
            store_id=store.id,
            tokens_used=[{"token": "USDC", "amount": str(i)}],
        )
        ids.append(tx.id)
    return ids


def paths(conn: psycopg.Connection[Any]) -> dict[str, Callable[[uuid.UUID], Any]]:
    sql = statements(q)["transaction_get"].sql
    validated = class_row(q.Transaction)

    def generated(id: uuid.UUID) -> Any:
        return q.transaction_get(conn, id=id)

    def raw(id: uuid.UUID) -> Any:
        return conn.execute(sql, {"id": id}, prepare=True).fetchone()

    def old(id: uuid.UUID) -> Any:
        with conn.cursor(row_factory=validated) as cur:
            cur.execute(sql, {"id": id}, prepare=True)
            return cur.fetchone()

    return {"generated": generated, "raw": raw, "validated": old}


def measure(url: str, *, rounds: int, reads: int) -> dict[str, tuple[list[float], list[float]]]:
    """µs per read for each path, per round: (wall clock, client CPU)."""
    with psycopg.connect(url, autocommit=True) as conn:
        ids = seed(conn, 1000)
        fns = paths(conn)
        # same answers: the model holds the tuple's values
        row, model = fns["raw"](ids[0]), fns["generated"](ids[0])
        assert model is not None and tuple(model.model_dump().values())[:3] == row[:3]
        assert fns["validated"](ids[0]) == model
        for fn in fns.values():  # prepare and warm up
            for i in ids[:200]:
                fn(i)
        results: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in fns}
        rng = random.Random(7)
        order = list(fns)
        for r in range(rounds):
            chosen = [rng.choice(ids) for _ in range(reads)]
            for name in order if r % 2 == 0 else reversed(order):
                fn = fns[name]
                wall, cpu = time.perf_counter(), time.process_time()
                for i in chosen:
                    fn(i)
                results[name][0].append((time.perf_counter() - wall) / reads * 1e6)
                results[name][1].append((time.process_time() - cpu) / reads * 1e6)
            print(f"  round {r + 1}/{rounds}", flush=True)
        return results


def paired(results: dict[str, tuple[list[float], list[float]]], name: str, kind: int) -> float:
    """Median over rounds of the round's ratio to raw (each round measures both back to back)."""
    return statistics.median(a / b for a, b in zip(results[name][kind], results["raw"][kind], strict=True))


def report(results: dict[str, tuple[list[float], list[float]]]) -> float:
    head = f"{'path':<10} {'wall µs/read':>14} {'(min-max)':>16} {'CPU µs/read':>12} {'wall':>11} {'CPU':>10}"
    print("\n" + head)
    for name, (wall, cpu) in results.items():
        w, c = statistics.median(wall), statistics.median(cpu)
        spread = f"{min(wall):.1f}-{max(wall):.1f}"
        ratios = f"{paired(results, name, 0):>10.3f}x {paired(results, name, 1):>9.3f}x"
        print(f"{name:<10} {w:>14.1f} {spread:>16} {c:>12.1f} {ratios}")
    ratio = paired(results, "generated", 0)
    verdict = "met" if ratio <= GOAL else "NOT met"
    print(f"\ngenerated transaction_get / raw psycopg tuple: {ratio:.3f}x (goal ≤ {GOAL}x: {verdict})")
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", help="server URL (default: $DATABASE_URL, else a throwaway server)")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--reads", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="3 rounds of 200 reads: checks that it runs")
    args = parser.parse_args(argv)
    rounds, reads = (3, 200) if args.quick else (args.rounds, args.reads)

    url = args.url or os.environ.get("DATABASE_URL")
    server = None
    if not url:
        from chaindb.embedded import throwaway

        server = throwaway()
        url = server.url(database="postgres")
    try:
        scratch = admin.create_database(url, SCRATCH)
        try:
            admin.migrate(scratch, ["cocopay"])
            print(f"point read, {rounds} rounds x {reads} reads, interleaved", flush=True)
            report(measure(scratch, rounds=rounds, reads=reads))
        finally:
            admin.drop_database(url, SCRATCH)
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
