"""The demo's tips flow: re-runnable, each run two tips (one verified and paid, one refused), the fixtures'
pending tip verified on the first run."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from typing import Any

import psycopg

from chaindb import fixtures
from chaindb.demo import Reporter
from chaindb.demo import tips as flow
from chaindb.demo.__main__ import FLOWS
from chaindb.embedded import project_root
from chaindb.tips import queries as q


def test_tips_flow_twice(db_url: str, app: psycopg.Connection[Any], conn: psycopg.Connection[Any]) -> None:
    fixtures.load(db_url)
    out = io.StringIO()
    first = flow.run(app, Reporter("tips", out))
    second = flow.run(app, Reporter("tips", out))
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 * 11 and all(line.startswith("tips     ✓ ") for line in lines), lines
    assert sum("refused: idempotency_conflict (SQLSTATE CD002)" in line for line in lines) == 2
    assert "host demo_host" in lines[1] and " created" in lines[1] and " found" in lines[11 + 1]
    for result in (first, second):
        assert result.tip.status is q.VerificationStatus.VERIFIED
        assert (result.short.status, result.short.error_code) == (q.VerificationStatus.FAILED, "AMOUNT_MISMATCH")
        assert (result.payout.status, result.payout.amount) == (q.PayoutStatus.SETTLED, 2)
    assert (first.verified.verified, second.verified.verified) == (2, 1), "the fixtures' pending tip, once"
    assert first.host == second.host and first.session.id != second.session.id
    assert conn.execute(
        "SELECT count(*) FILTER (WHERE status = 'verified'), count(*) FILTER (WHERE status = 'failed'), "
        "count(*) FILTER (WHERE status = 'pending') FROM tips.event_verifications"
    ).fetchone() == (4 + 1 + 2, 2 + 2, 0)
    (metrics,) = second.metrics
    assert (metrics.verified_tips, metrics.payouts_settled) == (2, 2)


def test_python_m_chaindb_demo(db_url: str) -> None:
    assert "tips" in dict(FLOWS)
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONIOENCODING": "utf-8"}
    for _ in range(2):
        result = subprocess.run([sys.executable, "-m", "chaindb.demo"], cwd=project_root(), env=env,
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        tips_lines = [line for line in result.stdout.splitlines() if line.startswith("tips ")]
        assert len(tips_lines) == 11 and all("✓" in line for line in tips_lines), result.stdout
