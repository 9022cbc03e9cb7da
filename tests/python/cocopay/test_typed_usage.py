"""The generated CocoPay functions type-check precisely (mypy --strict) and run as typed."""

from __future__ import annotations

import asyncio
import importlib.util
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg

from chaindb import db
from chaindb.cocopay import queries as q

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
TYPED_USAGE = HERE / "typed_usage.py"


def mypy(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", str(ROOT / "pyproject.toml"), *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def load_typed_usage() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cocopay_typed_usage", TYPED_USAGE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_typed_usage_passes_mypy_strict() -> None:
    result = mypy(TYPED_USAGE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


def test_mypy_catches_a_wrong_return_type(tmp_path: Path) -> None:
    """The check has teeth: treating an Optional result as a row, or a row as a list, fails."""
    wrong = tmp_path / "wrong_usage.py"
    wrong.write_text(
        "import uuid\n"
        "from typing import Any\n"
        "import psycopg\n"
        "from chaindb.cocopay import queries as q\n"
        "\n"
        "def f(conn: psycopg.Connection[Any], i: uuid.UUID) -> None:\n"
        "    tx: q.Transaction = q.transaction_get(conn, id=i)\n"
        "    code: str = q.transaction_confirm(\n"
        "        conn, id=i, confirmation_code='X', tx_hash=None, block_number=None\n"
        "    ).confirmation_code\n"
        "    rows: q.Transaction = q.transaction_list_by_store(conn, store_id=i, max_rows=1)\n",
        encoding="utf-8",
    )
    result = mypy(wrong)
    assert result.returncode == 1
    assert result.stdout.count("error: Incompatible types in assignment") == 3, result.stdout


def test_typed_usage_runs(app: psycopg.Connection[Any], db_url: str, clock: Any) -> None:
    typed = load_typed_usage()
    clock.freeze(typed.T0)  # sync_usage expects the database's clock at T0
    confirmed = typed.sync_usage(app, "+55" + str(uuid.uuid4().int)[:11])
    assert isinstance(confirmed, q.Transaction) and confirmed.status is q.TransactionStatus.CONFIRMED

    async def main() -> Any:
        async with await db.async_connect(db_url, role="chaindb_app", autocommit=True) as aconn:
            return await typed.async_usage(aconn, "+55" + str(uuid.uuid4().int)[:11])

    failed = asyncio.run(main())
    assert isinstance(failed, q.Transaction) and failed.status is q.TransactionStatus.FAILED
