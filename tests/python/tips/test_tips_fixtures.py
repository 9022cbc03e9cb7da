"""The deterministic fixtures (sql/fixtures/tips.sql, `make fixtures`): static ids, verified/settled and failed
states, consistent across the tables, re-runnable, and loaded by the command line."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from decimal import Decimal
from typing import Any

import psycopg

from chaindb import fixtures
from chaindb.embedded import project_root
from chaindb.tips import queries as q

ALICE, BOB = "81XS2JKL4UUMaQLEN4iNyjxTvZrWbEtTNmM7mhoNP72j", "AfVcW9HqiVZcSeaTR6S4HTYc9ceLUMMWQBxmoqUj615"

STATES = """
    SELECT e.id, v.id, v.status::text, v.error_code, p.id, p.status::text, p.amount, p.reflect_tip_id
    FROM tips.events AS e
    JOIN tips.event_verifications AS v ON v.event_id = e.id
    LEFT JOIN tips.reflect_payouts AS p ON p.event_id = e.id
    ORDER BY e.id
"""


def uid(prefix: str, n: int) -> uuid.UUID:
    return uuid.UUID(f"00000000-0000-4000-8000-0000000{prefix}{n:04d}")


def test_fixtures_have_static_ids_and_every_state(db_url: str, conn: psycopg.Connection[Any]) -> None:
    assert [p.name for p in fixtures.load(db_url)] == ["tips.sql"]
    first = conn.execute(STATES).fetchall()
    assert first == [
        ("fixture-tip-01", uid("b", 1), "verified", None, uid("c", 1), "settled", Decimal("2.50"), "rfl_fixture_01"),
        ("fixture-tip-02", uid("b", 2), "verified", None, uid("c", 2), "settled", Decimal("1.50"), "rfl_fixture_02"),
        ("fixture-tip-03", uid("b", 3), "verified", None, uid("c", 3), "queued", Decimal("1.00"), "rfl_fixture_03"),
        ("fixture-tip-04", uid("b", 4), "verified", None, uid("c", 4), "failed", Decimal("5.00"), "rfl_fixture_04"),
        ("fixture-tip-05", uid("b", 5), "failed", "AMOUNT_MISMATCH", None, None, None, None),
        ("fixture-tip-06", uid("b", 6), "failed", "TX_NOT_FOUND", None, None, None, None),
        ("fixture-tip-07", uid("b", 7), "pending", None, None, None, None, None),
    ]
    assert conn.execute("SELECT id::text, status::text FROM tips.dynamic_sessions ORDER BY id").fetchall() == [
        ("00000000-0000-4000-8000-00000000d001", "wallet_created"),
        ("00000000-0000-4000-8000-00000000d002", "failed"),
        ("00000000-0000-4000-8000-00000000d003", "initiated"),
    ]
    fixtures.load(db_url)  # re-runnable: nothing changes
    assert conn.execute(STATES).fetchall() == first
    assert conn.execute("SELECT count(*) FROM tips.hosts").fetchone() == (2,)


def test_fixtures_read_through_the_generated_functions(db_url: str, app: psycopg.Connection[Any]) -> None:
    fixtures.load(db_url)
    metrics = {(m.host, m.mint): (m.verified_tips, m.verified_amount, m.payouts_settled, m.payouts_open,
                                  m.payouts_failed)
               for m in q.host_metrics_top(app, mint="EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", max_rows=5)}
    assert metrics == {
        (BOB, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"): (2, Decimal(6_000_000), 0, 1, 1),
        (ALICE, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"): (1, Decimal(2_500_000), 1, 0, 0),
    }
    session_tips = q.overview_session_tips(app, session_id=uuid.UUID("00000000-0000-4000-8000-00000000d001"))
    assert [t.event_id for t in session_tips] == ["fixture-tip-03"], "tip 05 by the same wallet failed"
    verification = q.verification_get_by_event(app, event_id="fixture-tip-01")
    assert verification is not None and verification.helius_response["slot"] == verification.slot == 312_000_001  # type: ignore[index, call-overload]


def test_chaindb_fixtures_command(db_url: str, conn: psycopg.Connection[Any]) -> None:
    env = {**os.environ, "DATABASE_URL": db_url}
    result = subprocess.run([sys.executable, "-m", "chaindb.cli", "fixtures"], cwd=project_root(), env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "loaded sql/fixtures/tips.sql" in result.stdout
    assert conn.execute("SELECT count(*) FROM tips.events WHERE id LIKE 'fixture-tip-%'").fetchone() == (7,)
