"""The demo's CocoPay flow: re-runnable, one confirmed payment per run, the retry absorbed."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

from chaindb.demo import Reporter
from chaindb.demo import cocopay as flow
from chaindb.demo.__main__ import FLOWS

ROOT = Path(__file__).resolve().parents[3]


def test_cocopay_flow_twice(app: psycopg.Connection[Any], conn: Any) -> None:
    out = io.StringIO()
    first = flow.run(app, Reporter("cocopay", out))
    second = flow.run(app, Reporter("cocopay", out))

    lines = out.getvalue().splitlines()
    assert len(lines) == 2 * 8 and all(line.startswith("cocopay  ✓ ") for line in lines), lines
    assert any("customer pays 12.50 USD at Padaria Central → transaction" in line for line in lines)
    assert sum("same transaction" in line and "no second payment" in line for line in lines) == 2
    assert sum("refused: idempotency_conflict (SQLSTATE CD002)" in line for line in lines) == 2
    assert "store " in lines[1] and " created, owner since " in lines[1]
    assert " found, owner since " in lines[8 + 1]

    # create-or-get: the same owner, customer, store and account on the second run
    assert (second.owner.id, second.customer.id, second.store.id, second.account.id) == (
        first.owner.id,
        first.customer.id,
        first.store.id,
        first.account.id,
    )
    assert second.transaction.id != first.transaction.id
    assert conn.execute("select count(*) from cocopay.users").fetchone() == (2,)
    assert conn.execute("select count(*) from cocopay.stores").fetchone() == (1,)
    assert conn.execute(
        "select role::text, user_id, accepted_at is not null from cocopay.store_members"
    ).fetchall() == [("owner", first.owner.id, True)]
    rows = conn.execute(
        "select id, status::text, amount_usd, idempotency_key, from_user_id, store_id, confirmed_at is not null"
        " from cocopay.transactions order by created_at"
    ).fetchall()
    assert [(r[0], r[1], r[2], r[4], r[5], r[6]) for r in rows] == [
        (t.id, "confirmed", Decimal("12.50"), first.customer.id, first.store.id, True)
        for t in (first.transaction, second.transaction)
    ]
    assert len({r[3] for r in rows}) == 2  # a fresh idempotency key per run
    assert conn.execute("select count(*) from cocopay.smart_accounts").fetchone() == (1,)

    # the stats after the second run count both payments (same UTC day unless the runs straddle midnight)
    if first.stats.date == second.stats.date:
        assert (second.stats.transaction_count, second.stats.revenue_usd) == (2, Decimal("25.00"))
        assert second.stats.unique_customers == 1
    else:
        assert (second.stats.transaction_count, second.stats.revenue_usd) == (1, Decimal("12.50"))


def test_python_m_chaindb_demo(db_url: str) -> None:
    assert "cocopay" in dict(FLOWS)
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONIOENCODING": "utf-8"}
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "chaindb.demo"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
        cocopay_lines = [line for line in result.stdout.splitlines() if line.startswith("cocopay ")]
        assert len(cocopay_lines) == 8 and all("✓" in line for line in cocopay_lines), result.stdout
    with psycopg.connect(db_url) as conn:
        assert conn.execute(
            "select count(*), count(*) filter (where status = 'confirmed') from cocopay.transactions"
        ).fetchone() == (2, 2)
