"""Benchmark: ``make migrate`` from zero against the same files through one psql session.

    python bench/migrate_bench.py [--rounds 7] [--quick]

Starts a throwaway server (fsync off, like the test servers) and, in each round, interleaved:

- A, ``chaindb migrate``: ``python -m chaindb.cli migrate`` in a new process, as ``make migrate``
  runs it (interpreter start-up, imports, check-db, roles set-up, every migration with its
  bookkeeping and checksum), on a fresh empty database;
- B, ``psql``: ``psql -X -q -1 -v ON_ERROR_STOP=1`` running ``sql/roles.sql`` and then every
  migration file in apply order as ``chaindb_owner``, in one session and one transaction,
  on another fresh empty database: the floor;
- C, nothing pending: A again on the migrated database (the tool's fixed cost).

Prints the median and the spread (min to max) of each, and A/B against the goal (at most 2x).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python"))

from chaindb import admin, migrator  # noqa: E402
from chaindb.embedded import throwaway  # noqa: E402

GOAL = 2.0


def _timed(run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _cli_migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT / "python")}
    subprocess.run([sys.executable, "-m", "chaindb.cli", "migrate"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def _psql(url: str) -> None:
    files = [str(m.path) for m in migrator.read(admin._sources(None))]
    cmd = [admin.pg_tool("psql"), "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", url,
           "-f", str(ROOT / "sql" / "roles.sql"), "-c", f"SET ROLE {migrator.OWNER_ROLE}"]
    for f in files:
        cmd += ["-f", f]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def measure(server_url: str, rounds: int) -> dict[str, list[float]]:
    """Seconds per round for A (chaindb migrate), B (psql) and C (nothing pending)."""
    times: dict[str, list[float]] = {"A": [], "B": [], "C": []}
    for i in range(rounds):
        a = admin.create_database(server_url, f"chaindb_bench_migrate_a{i}")
        b = admin.create_database(server_url, f"chaindb_bench_migrate_b{i}")
        try:
            # Alternate which goes first, so neither always meets a warmer server.
            order = [("A", a), ("B", b)] if i % 2 == 0 else [("B", b), ("A", a)]
            for key, url in order:
                times[key].append(_timed(lambda url=url, key=key: (_cli_migrate if key == "A" else _psql)(url)))
            times["C"].append(_timed(lambda url=a: _cli_migrate(url)))
        finally:
            admin.drop_database(server_url, f"chaindb_bench_migrate_a{i}")
            admin.drop_database(server_url, f"chaindb_bench_migrate_b{i}")
        print(f"  round {i + 1}/{rounds}: A {times['A'][-1]:.3f} s, B {times['B'][-1]:.3f} s,"
              f" C {times['C'][-1]:.3f} s", flush=True)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="2 rounds")
    args = parser.parse_args(argv)
    rounds = 2 if args.quick else args.rounds
    server = throwaway()
    try:
        times = measure(server.url(database="postgres"), rounds)
    finally:
        server.stop()

    def cell(key: str) -> str:
        values = times[key]
        return f"{statistics.median(values):.3f} s ({min(values):.3f} to {max(values):.3f})"

    ratio = statistics.median(times["A"]) / statistics.median(times["B"])
    print()
    print("| item | A | B | A/B | goal | met |")
    print("|---|---|---|---|---|---|")
    print(f"| `make migrate` from zero / the same files through one psql session | {cell('A')} | {cell('B')}"
          f" | {ratio:.2f}x | <= {GOAL:.0f}x | {'yes' if ratio <= GOAL else 'no'} |")
    print(f"| `make migrate` with nothing pending | {cell('C')} | | | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
