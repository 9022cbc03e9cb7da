"""The demo's game market flow: re-runnable, each run one paid purchase and one refunded guest purchase."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg

from chaindb.demo import Reporter
from chaindb.demo import game_market as flow
from chaindb.demo.__main__ import FLOWS

ROOT = Path(__file__).resolve().parents[3]
STEPS = 10


def test_game_market_flow_twice(app: psycopg.Connection[Any], conn: psycopg.Connection) -> None:
    out = io.StringIO()
    first = flow.run(app, Reporter("game_market", out))
    second = flow.run(app, Reporter("game_market", out))

    lines = out.getvalue().splitlines()
    assert len(lines) == 2 * STEPS and all(line.startswith("game_market ✓ ") for line in lines), lines
    assert "game moon-runner created" in lines[1] and "game moon-runner found" in lines[STEPS + 1]
    assert sum("1 entitlement, 3 ledger entries, 1 payout" in line for line in lines) == 2
    assert sum("receipt grants nothing, payout cancelled" in line for line in lines) == 2
    assert (second.developer.id, second.game.id, second.release.id) == (first.developer.id, first.game.id,
                                                                      first.release.id)
    assert conn.execute(
        "SELECT status::text, count(*) FROM game_market.purchases GROUP BY 1 ORDER BY 1"
    ).fetchall() == [("paid", 2), ("refunded", 2)]
    assert conn.execute(
        "SELECT status::text, count(*) FROM game_market.payouts GROUP BY 1 ORDER BY 1"
    ).fetchall() == [("cancelled", 2), ("completed", 2)]
    assert conn.execute("SELECT count(*), count(revoked_at) FROM game_market.entitlements").fetchone() == (4, 2)
    assert conn.execute("SELECT count(*) FROM game_market.ledger_entries").fetchone() == (2 * 3 + 2 * 6,)
    assert (second.balance.sales_count, second.balance.refund_count, second.balance.balance_msat) == (4, 2, 0)
    assert second.balance.paid_out_msat == 2 * 18_900_000


def test_python_m_chaindb_demo_runs_the_game_market(db_url: str) -> None:
    assert "game_market" in dict(FLOWS)
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONIOENCODING": "utf-8"}
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "chaindb.demo"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
        lines = [line for line in result.stdout.splitlines() if line.startswith("game_market ")]
        assert len(lines) == STEPS and all("✓" in line for line in lines), result.stdout
