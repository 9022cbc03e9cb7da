"""make coverage: how the database's logic exercised by the suites is measured (chaindb.coverage).

The measuring parts run on the session's throwaway server (skipped with DATABASE_URL: a server the suite did
not start is not reconfigured); the report and the gate run on recorded data.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import psycopg
import pytest

from chaindb import coverage

needs_throwaway = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="measures on the throwaway server the suite starts"
)


def _log_from(pg_url: str) -> tuple[Path, int]:
    log = coverage.server_log(pg_url)
    assert log is not None and log.exists()
    return log, log.stat().st_size


def _new_lines(log: Path, start: int) -> list[str]:
    with log.open(errors="replace") as f:
        f.seek(start)
        return f.read().splitlines()


@needs_throwaway
def test_calls_are_counted_once_their_session_ends(pg_url: str, db_url: str) -> None:
    coverage.prepare_server(pg_url)
    with psycopg.connect(db_url, autocommit=True) as other:
        for _ in range(3):
            other.execute("SELECT cocopay.generate_confirmation_code()")
    # the session above flushes its counters when it exits; collect waits for that
    calls, accepted = coverage.collect(db_url)
    assert calls.get("cocopay.generate_confirmation_code()", 0) >= 3
    assert accepted == []


@needs_throwaway
def test_the_check_snapshot_of_a_test_database(pg_url: str, db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        snapshot = coverage.snapshot_sql(conn)
        conn.execute("INSERT INTO cocopay.stores (name, symbol, latitude, longitude) VALUES ('S', 'S1', 1, 2)")
        conn.execute("INSERT INTO cocopay.users (phone) VALUES ('+5511999990000')")
    calls, accepted = coverage.collect(db_url, snapshot=snapshot)
    assert {"cocopay.stores.stores_symbol_check", "cocopay.stores.stores_latitude_check"} <= set(accepted)
    assert "cocopay.stores.stores_short_code_check" not in accepted  # short_code NULL: not TRUE, not a case
    assert not any(a.startswith("cocopay.transactions.") for a in accepted)  # no row at all
    assert "cocopay.stores" not in str(calls)


@needs_throwaway
def test_pgtap_hook_logs_refusals_and_the_check_snapshot(pg_url: str, db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pgtap'").fetchone() is None:
            pytest.skip("pgTAP is not installed on this server")
    coverage.instrument_pgtap(db_url)
    log, start = _log_from(pg_url)
    with psycopg.connect(db_url) as conn:
        conn.execute("SELECT plan(2)")
        conn.execute("INSERT INTO cocopay.stores (name, symbol) VALUES ('Covered', 'COV')")
        ok = conn.execute(
            "SELECT throws_ok($$INSERT INTO cocopay.stores (name, symbol) VALUES ('Bad', 'bad symbol')$$, '23514')"
        ).fetchone()
        assert ok is not None and str(ok[0]).startswith("ok 1")  # pgTAP's behaviour is unchanged
        lives = conn.execute("SELECT lives_ok($$SELECT 1$$)").fetchone()
        assert lives is not None and str(lives[0]).startswith("ok 2")
        conn.execute("SELECT * FROM finish()")
        conn.rollback()
    events = [e for e in map(coverage.parse_event, _new_lines(log, start)) if e is not None]
    refused = [e["refused"] for e in events if "refused" in e]
    expected = {"sqlstate": "23514", "schema": "cocopay", "table": "stores", "constraint": "stores_symbol_check"}
    assert expected.items() <= refused[0].items()
    accepted = [a for e in events if "accepted" in e for a in e["accepted"]]
    assert "cocopay.stores.stores_symbol_check" in accepted  # the row inserted above, seen by finish()
    assert "cocopay.transactions.transactions_amount_usd_check" not in accepted  # no transaction at all


def _write(directory: Path, *, calls: dict[str, int], events: list[str]) -> None:
    catalog = {
        "schemas": ["common", "shop"],
        "functions": [
            {"schema": "shop", "name": "shop.pay(uuid)", "trigger": False, "inlinable": False, "used_by": [],
             "called_by": []},
            {"schema": "shop", "name": "shop.tg_orders__check()", "trigger": True, "inlinable": False, "used_by": [],
             "called_by": []},
            {"schema": "shop", "name": "shop.is_code(text)", "trigger": False, "inlinable": True,
             "used_by": ["check shop.orders.orders_code_check"], "called_by": []},
            {"schema": "shop", "name": "shop.raise_it()", "trigger": False, "inlinable": False, "used_by": [],
             "called_by": []},
            {"schema": "common", "name": "common.helper()", "trigger": False, "inlinable": False, "used_by": [],
             "called_by": []},
        ],
        "checks": ["shop.orders.orders_code_check", "shop.orders.orders_total_check"],
        "machines": [{"schema": "shop", "table": "orders", "column": "status", "labels": ["new", "paid", "void"],
                      "moves": ["new>paid", "new>void"]}],
    }
    (directory / "catalog.json").write_text(json.dumps(catalog))
    (directory / "functions-pytest.json").write_text(json.dumps(calls))
    (directory / "events-pgtap.log").write_text("\n".join(events) + "\n")


EVENTS = [
    '2024-01-01 00:00:00 UTC [1] LOG:  chaindb-coverage {"accepted": ["shop.orders.orders_code_check"]}',
    '2024-01-01 00:00:00 UTC [1] ERROR:  new row for relation "orders" violates check constraint "orders_total_check"',
    "2024-01-01 00:00:00 UTC [1] ERROR:  shop: failed",
    "2024-01-01 00:00:00 UTC [1] CONTEXT:  PL/pgSQL function shop.raise_it() line 3 at RAISE",
    "2024-01-01 00:00:00 UTC [1] ERROR:  orders: status may not change from paid to new",
    '2024-01-01 00:00:00 UTC [1] LOG:  chaindb-coverage {"probe": {"schema": "shop", "table": "orders", "column":'
    ' "status", "outcomes": [["new", "paid", true], ["new", "void", true], ["paid", "new", false],'
    ' ["void", "new", false], ["paid", "void", false], ["new", "new", true], ["(new)", "paid", false]]}}',
]


def test_report_counts_and_the_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, calls={"shop.pay(uuid)": 2, "common.helper()": 0}, events=EVENTS)
    result = coverage.report(tmp_path, ["shop"])
    lines = result.text.splitlines()
    assert lines[2].split() == ["schema", "functions", "trigger", "fns", "CHECK", "accepted", "CHECK", "refused",
                                "moves", "accepted", "moves", "refused"]
    assert lines[4].split() == ["common", "0/1", "0/0", "0/0", "0/0", "-", "-"]
    # pay counted; is_code inlined, reached through its accepted CHECK; raise_it raised; the trigger never ran
    assert lines[5].split() == ["shop", "3/3", "0/1", "1/2", "1/2", "2/2", "3/4"]
    assert "  never executed: shop.tg_orders__check() (trigger function)" in lines
    assert "  shop.is_code(text): reached (inlined) through check shop.orders.orders_code_check" in lines
    assert "  CHECK shop.orders.orders_code_check: no refused case" in lines
    assert "  CHECK shop.orders.orders_total_check: no accepted case" in lines
    assert "  shop.orders.status: 1 forbidden move(s) refused on the real table" in lines
    assert result.gaps == ["shop.tg_orders__check()"]  # common's helper is reported, not gated
    assert coverage.main(tmp_path, ["shop"], check=True) == 1
    assert "1 function(s) of shop never executed by the tests: shop.tg_orders__check()" in capsys.readouterr().out
    _write(tmp_path, calls={"shop.pay(uuid)": 1, "shop.tg_orders__check()": 1}, events=EVENTS)
    assert coverage.main(tmp_path, ["shop"], check=True) == 0


def test_no_data_is_said(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert coverage.main(tmp_path, ["shop"], check=False) == 0
    assert coverage.main(tmp_path, ["shop"], check=True) == 1
    assert "no data in" in capsys.readouterr().out
    monkeypatch.setenv("DATABASE_URL", "postgresql://elsewhere/x")
    assert coverage.main(tmp_path, ["shop"], check=True) == 0  # not measured on a server the suites did not start


def test_collection_is_off_unless_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(coverage.ENV, raising=False)
    assert coverage.out_dir() is None
    monkeypatch.setenv(coverage.ENV, str(tmp_path / "cov"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert coverage.out_dir() == tmp_path / "cov" and (tmp_path / "cov").is_dir()
    monkeypatch.setenv("DATABASE_URL", "postgresql://elsewhere/x")
    assert coverage.out_dir() is None
    shutil.rmtree(tmp_path / "cov")
