"""The demo's authenticity flow: re-runnable, one batch and one print-confirmed pack per run,
one rewarded verification per run, the copy and the rescan refused."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg

from chaindb.authenticity import queries as q
from chaindb.demo import Reporter
from chaindb.demo import authenticity as flow
from chaindb.demo.__main__ import FLOWS

ROOT = Path(__file__).resolve().parents[3]
STEPS = 12


def test_authenticity_flow_twice(app: psycopg.Connection[Any], conn: psycopg.Connection[Any]) -> None:
    out = io.StringIO()
    first = flow.run(app, Reporter("authenticity", out))
    second = flow.run(app, Reporter("authenticity", out))

    lines = out.getvalue().splitlines()
    assert len(lines) == 2 * STEPS and all(line.startswith("authenticity ✓ ") for line in lines), lines
    assert " created, active" in lines[0] and " found, active" in lines[STEPS]
    assert " created" in lines[1] and " found" in lines[STEPS + 1]
    assert sum("codes/s" in line and "1,000 codes" in line for line in lines) == 2
    assert sum("codes with plaintext 1,000 → 0, plaintext_purged_at" in line for line in lines) == 2
    assert sum("SUCCESS, reward 666,666 lamports" in line for line in lines) == 2
    assert sum("FAIL ALREADY_VERIFIED, reward 0" in line for line in lines) == 2
    assert (
        sum("refused: verify_intents_code_unverified (precondition_failed, SQLSTATE CD007)" in line for line in lines)
        == 2
    )

    # create-or-get: the same manufacturer, SKU, consumer and wallet; a new batch and pack per run
    assert (second.manufacturer.id, second.sku.id, second.user.id, second.wallet.id) == (
        first.manufacturer.id,
        first.sku.id,
        first.user.id,
        first.wallet.id,
    )
    assert second.batch.id != first.batch.id and second.batch.batch_public_id != first.batch.batch_public_id
    for result in (first, second):
        assert (result.plaintext_before, result.plaintext_after) == (1_000, 0)
        assert result.pack.status is q.CodePackStatus.PRINT_CONFIRMED and result.pack.plaintext_purged_at is not None
        assert (result.success.result, result.success.reward_lamports) == (q.VerificationResult.SUCCESS, 666_666)
        assert (result.copy.result, result.copy.failure_reason) == (q.VerificationResult.FAIL, "ALREADY_VERIFIED")
        assert result.copy.commitment == result.success.commitment
        assert result.refused.sqlstate == "CD007"
        assert result.generated.quantity == 1_000 and result.generated.codes_per_second > 0

    # the rows, read as the superuser
    assert conn.execute("select count(*) from authenticity.manufacturers").fetchone() == (1,)
    assert conn.execute("select count(*) from authenticity.skus").fetchone() == (1,)
    assert (
        conn.execute(
            "select status::text, activated_at is not null, activated_tx_signature is not null"
            " from authenticity.batches order by created_at"
        ).fetchall()
        == [("ACTIVE", True, True)] * 2
    )
    assert (
        conn.execute(
            "select status::text, download_count, plaintext_purged_at = print_confirmed_at from authenticity.code_packs"
        ).fetchall()
        == [("PRINT_CONFIRMED", 1, True)] * 2
    )
    assert conn.execute("select count(*), count(code_plaintext) from authenticity.codes").fetchone() == (2_000, 0)
    assert conn.execute("select count(*) from authenticity.users").fetchone() == (1,)
    assert conn.execute(
        "select count(*), bool_and(not created_after_first_success) from authenticity.user_wallets"
    ).fetchone() == (1, True)
    assert conn.execute(
        "select result::text, failure_reason, count(*), sum(reward_lamports)::bigint"
        " from authenticity.verifications group by 1, 2 order by 1"
    ).fetchall() == [("FAIL", "ALREADY_VERIFIED", 2, 0), ("SUCCESS", None, 2, 2 * 666_666)]
    assert conn.execute(
        "select status::text, count(*) from authenticity.verify_intents group by 1 order by 1"
    ).fetchall() == [("CONFIRMED", 2), ("FAILED", 2)]


def test_python_m_chaindb_demo(db_url: str) -> None:
    assert dict(FLOWS)["authenticity"] is flow.run
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "chaindb.demo"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    cocopay = [line for line in lines if line.startswith("cocopay ")]
    authenticity = [line for line in lines if line.startswith("authenticity ")]
    assert len(cocopay) == 8 and all("✓" in line for line in cocopay), result.stdout
    assert len(authenticity) == STEPS and all(line.startswith("authenticity ✓ ") for line in authenticity), (
        result.stdout
    )
    assert any("SUCCESS, reward" in line for line in authenticity)
    assert any("FAIL ALREADY_VERIFIED" in line for line in authenticity)
    with psycopg.connect(db_url) as check:
        assert check.execute(
            "select count(*) filter (where result = 'SUCCESS'), count(*) from authenticity.verifications"
        ).fetchone() == (1, 2)
        assert check.execute("select count(code_plaintext) from authenticity.codes").fetchone() == (0,)
