"""Benchmark: ``make migrate`` from zero against the same files through one psql session.

    python bench/migrate_bench.py [--rounds 7] [--quick]

Starts a throwaway server (fsync off, like the test servers) and, in each round, interleaved
(the order rotates), each on a fresh empty database:

- A, ``chaindb migrate``: ``python -m chaindb.cli migrate`` in a new process, as ``make migrate``
  runs it (interpreter start-up, imports, check-db, roles set-up, every migration with its
  bookkeeping and checksum);
- B, ``psql``: ``psql -X -q -v ON_ERROR_STOP=1`` running ``sql/roles.sql`` and then every
  migration file in apply order as ``chaindb_owner`` in one session, each statement committed
  on its own (psql's default);
- B1, ``psql -1``: the same in one transaction: the floor;
- C, nothing pending: A again on A's migrated database (the tool's fixed cost).

Prints the median and the spread (min to max) of each, and A/B against the goal (at most 2x),
and A/B1.
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


def _timed(run: Callable[[str], None], url: str) -> float:
    started = time.perf_counter()
    run(url)
    return time.perf_counter() - started


def _cli_migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT / "python")}
    subprocess.run([sys.executable, "-m", "chaindb.cli", "migrate"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def _psql(url: str, *, one_transaction: bool = False) -> None:
    files = [str(m.path) for m in migrator.read(admin._sources(None))]
    cmd = [admin.pg_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url,
           "-f", str(ROOT / "sql" / "roles.sql"), "-c", f"SET ROLE {migrator.OWNER_ROLE}"]
    if one_transaction:
        cmd.insert(1, "-1")
    for f in files:
        cmd += ["-f", f]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


RUNS: dict[str, Callable[[str], None]] = {
    "A": _cli_migrate,
    "B": _psql,
    "B1": lambda url: _psql(url, one_transaction=True),
}


def measure(server_url: str, rounds: int) -> dict[str, list[float]]:
    """Seconds per round for A (chaindb migrate), B (psql), B1 (psql -1) and C (nothing pending)."""
    times: dict[str, list[float]] = {key: [] for key in (*RUNS, "C")}
    keys = list(RUNS)
    for i in range(rounds):
        urls = {key: admin.create_database(server_url, f"chaindb_bench_migrate_{key.lower()}") for key in keys}
        try:
            # Rotate the order, so that none always meets a warmer or colder server.
            for key in keys[i % len(keys):] + keys[:i % len(keys)]:
                times[key].append(_timed(RUNS[key], urls[key]))
            times["C"].append(_timed(_cli_migrate, urls["A"]))
        finally:
            for key in keys:
                admin.drop_database(server_url, f"chaindb_bench_migrate_{key.lower()}")
        print(f"  round {i + 1}/{rounds}: " + ", ".join(f"{k} {v[-1]:.3f} s" for k, v in times.items()), flush=True)
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

    a, b, b1 = (statistics.median(times[k]) for k in ("A", "B", "B1"))
    print()
    print("| item | A | B | A/B | goal | met |")
    print("|---|---|---|---|---|---|")
    print(f"| `make migrate` from zero / the same files through one psql session | {cell('A')} | {cell('B')}"
          f" | {a / b:.2f}x | <= {GOAL:.0f}x | {'yes' if a / b <= GOAL else 'no'} |")
    print(f"| `make migrate` from zero / the same files in one psql transaction (floor) | {cell('A')} | {cell('B1')}"
          f" | {a / b1:.2f}x | | |")
    print(f"| `make migrate` with nothing pending | {cell('C')} | | | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
