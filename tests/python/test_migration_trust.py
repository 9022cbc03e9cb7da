"""Migration trust: checksums of applied files, errors that name the file, rollback confirmation
and its partial count, drift against a scratch database, durations, yoyo compatibility, the lock."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import psycopg
import pytest

from chaindb import admin, cli, migrator
from chaindb.embedded import Embedded

ALL = sorted(p.stem for p in admin.migrations_dir().glob("*/*.sql") if not p.name.endswith(".rollback.sql"))


@pytest.fixture
def migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of migrations/ that the commands use instead of the real one."""
    copy = tmp_path / "migrations"
    shutil.copytree(admin.migrations_dir(), copy)
    monkeypatch.setattr(admin, "migrations_dir", lambda: copy)
    return copy


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str,
            *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", url)
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_changed_applied_migration_is_flagged_and_migrate_refuses_unless_told(
    db_url: str, migrations: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert {s.checksum for s in migrator.status(db_url, admin._sources(None))} == {"ok"}
    edited = migrations / "cocopay" / "0003_cocopay_users.sql"
    edited.write_text(edited.read_text() + "\n-- edited after it was applied\n")
    last = admin.plan()[-1]  # the migration a rollback undoes: its rollback file is checked before it runs
    rollback_file = migrations / last.path.parent.name / last.rollback_path.name
    rollback_file.write_text(rollback_file.read_text() + "\n-- edited too\n")

    states = {s.id: s for s in migrator.status(db_url, admin._sources(None))}
    assert states["0003_cocopay_users"].checksum == "changed"
    assert states["0003_cocopay_users"].changed == (edited,)
    assert states[last.id].changed == (rollback_file,)
    assert sum(s.checksum == "changed" for s in states.values()) == 2

    code, out, err = run_cli(monkeypatch, capsys, db_url, "status")
    assert code == 1
    assert "CHANGED since applied" in out and "0003_cocopay_users.sql" in out and "ACCEPT_CHANGED" in err

    with pytest.raises(migrator.MigrationError, match=r"0003_cocopay_users\.sql"):
        admin.migrate(db_url)
    with pytest.raises(migrator.MigrationError, match=re.escape(last.rollback_path.name)):
        admin.rollback(db_url)
    code, _, err = run_cli(monkeypatch, capsys, db_url, "migrate")
    assert code == 1 and "ACCEPT_CHANGED=1" in err and "Traceback" not in err

    assert admin.migrate(db_url, accept_changed=True) == []
    assert {s.checksum for s in migrator.status(db_url, admin._sources(None))} == {"ok"}


def test_migrations_applied_before_checksums_were_kept_get_them_on_the_next_migrate(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("delete from _chaindb_migration where migration_id = '0001_cocopay_schema'")
    states = {s.id: s.checksum for s in migrator.status(db_url, admin._sources(None))}
    assert states["0001_cocopay_schema"] == "unrecorded"
    assert admin.migrate(db_url) == []
    assert {s.checksum for s in migrator.status(db_url, admin._sources(None))} == {"ok"}


BROKEN = """-- depends: 0024_cocopay_payout_functions
CREATE TABLE cocopay.broken_probe (id int);

SELECT 1;
CREATE TABLEX cocopay.nope (id int);
"""


def test_a_failed_migration_names_its_file_and_line_and_leaves_nothing_behind(
    db_url: str, migrations: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (migrations / "cocopay" / "0099_cocopay_broken.sql").write_text(BROKEN)
    (migrations / "cocopay" / "0099_cocopay_broken.rollback.sql").write_text("DROP TABLE cocopay.broken_probe;\n")
    code, _, err = run_cli(monkeypatch, capsys, db_url, "migrate")
    assert code == 1
    assert "0099_cocopay_broken.sql:5: syntax error at or near \"TABLEX\" (SQLSTATE 42601)" in err
    assert "5 | CREATE TABLEX cocopay.nope (id int);" in err
    assert "Traceback" not in err and len(err.splitlines()) <= 6, err
    with psycopg.connect(db_url) as conn:
        assert conn.execute("select to_regclass('cocopay.broken_probe')").fetchone() == (None,)
    assert ("0099_cocopay_broken", False) in admin.status(db_url)


def test_migrate_prints_each_migrations_duration_and_the_total(
    empty_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, empty_db_url, "migrate")
    assert code == 0
    lines = out.splitlines()
    for migration_id in ALL:
        assert any(line.split()[:2] == ["applied", migration_id] and line.endswith(" ms") for line in lines)
    assert f"applied {len(ALL)} migration(s) in " in lines[-1]
    code, out, _ = run_cli(monkeypatch, capsys, empty_db_url, "migrate")
    assert code == 0 and out.splitlines()[-1].startswith("nothing to apply")


def test_rollback_all_on_database_url_needs_confirmation(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(monkeypatch, capsys, db_url, "rollback", "--all")
    assert code == 1 and "CONFIRM=1" in err and "Nothing was rolled back" in err
    assert all(applied for _, applied in admin.status(db_url))
    code, out, _ = run_cli(monkeypatch, capsys, db_url, "rollback", "--all", "--yes")
    assert code == 0 and f"rolled back {len(ALL)} migration(s)" in out
    assert not any(applied for _, applied in admin.status(db_url))


def test_rollback_all_reports_how_many_were_rolled_back_before_a_failure(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("create view public.treasury_probe as select * from authenticity.treasury_ops")
    order = [m.id for m in reversed(migrator.read(admin._sources(None)))]
    before = order.index("0011_authenticity_treasury_ops")
    code, out, err = run_cli(monkeypatch, capsys, db_url, "rollback", "--all", "--yes")
    assert code == 1
    assert f"rolled back {before} of {len(ALL)} migration(s), then this one failed" in err
    assert "0011_authenticity_treasury_ops.rollback.sql" in err and "Traceback" not in err
    assert sum(line.startswith("  rolled back ") for line in out.splitlines()) == before
    status = dict(admin.status(db_url))
    assert status["0011_authenticity_treasury_ops"] and not status["0012_authenticity_batch_functions"]


def test_status_only_reads(empty_db_url: str, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, empty_db_url, "status")
    assert code == 0 and sum(line.startswith("pending ") for line in out.splitlines()) == len(ALL)
    with psycopg.connect(empty_db_url) as conn:
        assert conn.execute("select to_regclass('_yoyo_migration'), to_regclass('_chaindb_migration')").fetchone() == (
            None, None)


def test_status_does_not_start_a_stopped_embedded_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(cli, "Embedded", lambda: Embedded(root=tmp_path))
    assert cli.main(["status"]) == 1
    assert "not running" in capsys.readouterr().err
    assert not (tmp_path / ".pgdata").exists(), "nothing was created, nothing started"


def test_drift_reports_a_dropped_index_an_extra_grant_and_an_edited_function(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, db_url, "drift")
    assert code == 0 and out.startswith("drift: none.")
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("drop index cocopay.idx_transactions_store")
        conn.execute("grant delete on cocopay.audit_logs to chaindb_app")
        conn.execute("set role chaindb_owner")
        conn.execute(
            "create or replace function common.forbid_transition(table_name text, from_state text, to_state text)"
            " returns void language plpgsql stable set search_path = pg_catalog, pg_temp"
            " as $$ begin raise notice 'transitions unchecked'; end $$"
        )
    code, out, _ = run_cli(monkeypatch, capsys, db_url, "drift")
    assert code == 1
    assert "drift: 3 difference(s)" in out
    assert "- index cocopay.idx_transactions_store: made by the migrations, missing from the database" in out
    assert "CREATE INDEX idx_transactions_store ON cocopay.transactions USING btree (store_id)" in out
    assert "~ grant table cocopay.audit_logs to chaindb_app:" in out and "database:   DELETE, SELECT" in out
    assert "~ function common.forbid_transition(table_name text, from_state text, to_state text): differs" in out
    assert "+AS $function$ begin raise notice 'transitions unchecked'; end $function$" in out


def test_drift_compares_with_the_migrations_the_database_has_applied(db_url: str) -> None:
    from chaindb import drift

    admin.rollback(db_url)
    applied = drift.applied_ids(db_url)
    assert len(applied) == len(ALL) - 1
    scratch = admin.create_database(admin.with_database(db_url, "postgres"), "chaindb_test_drift_scratch")
    try:
        admin.migrate(scratch, only=applied)
        schemas = ["common", "extensions", *admin.available_schemas()]
        assert drift.compare(drift.catalog(scratch, schemas), drift.catalog(db_url, schemas)) == []
    finally:
        admin.drop_database(admin.with_database(db_url, "postgres"), "chaindb_test_drift_scratch")


def test_yoyo_sees_the_migrations_this_runner_applied(empty_db_url: str) -> None:
    from yoyo import get_backend, read_migrations

    admin.migrate(empty_db_url)
    backend = get_backend(admin.yoyo_url(empty_db_url))
    try:
        migrations = read_migrations(*admin._sources(None))
        assert len(backend.to_apply(migrations)) == 0
        assert len(backend.to_rollback(migrations)) == len(ALL)
    finally:
        backend.connection.close()


def test_concurrent_migrate_runs_apply_each_migration_once(empty_db_url: str) -> None:
    results: list[list[str]] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        barrier.wait()
        results.append(admin.migrate(empty_db_url))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(r) for r in results) == [0, 0, 0, len(ALL)]
    with psycopg.connect(empty_db_url) as conn:
        assert conn.execute("select count(*) from _yoyo_migration").fetchone() == (len(ALL),)


def add_migration(migrations: Path, name: str, forward: str, backward: str) -> None:
    (migrations / "cocopay" / f"{name}.sql").write_text(forward)
    (migrations / "cocopay" / f"{name}.rollback.sql").write_text(backward)


def test_nothing_a_migration_sets_for_its_session_reaches_the_next(db_url: str, migrations: Path) -> None:
    add_migration(migrations, "0098_cocopay_session_probe",
                  "SET ROLE NONE;\nSET search_path = nowhere;\nSELECT 1;\n", "SELECT 1;\n")
    add_migration(migrations, "0099_cocopay_owner_probe",
                  "-- depends: 0098_cocopay_session_probe\nCREATE TABLE cocopay.owner_probe (id int);\n",
                  "DROP TABLE cocopay.owner_probe;\n")
    assert admin.migrate(db_url) == ["0098_cocopay_session_probe", "0099_cocopay_owner_probe"]
    with psycopg.connect(db_url) as conn:
        assert conn.execute(
            "select pg_get_userbyid(relowner) from pg_class where oid = 'cocopay.owner_probe'::regclass"
        ).fetchone() == ("chaindb_owner",), "the second migration still runs as the owner"


def test_a_migration_outside_a_transaction_applies_and_rolls_back(db_url: str, migrations: Path) -> None:
    add_migration(
        migrations, "0099_cocopay_concurrent_index",
        "-- transactional: false\n-- depends: 0024_cocopay_payout_functions\n"
        "CREATE INDEX CONCURRENTLY users_probe_idx ON cocopay.users (created_at);\n",
        "-- transactional: false\nDROP INDEX CONCURRENTLY cocopay.users_probe_idx;\n",
    )
    assert admin.migrate(db_url) == ["0099_cocopay_concurrent_index"]
    with psycopg.connect(db_url) as conn:
        assert conn.execute("select to_regclass('cocopay.users_probe_idx') is not null").fetchone() == (True,)
    assert admin.rollback(db_url, ["cocopay"]) == ["0099_cocopay_concurrent_index"]
    with psycopg.connect(db_url) as conn:
        assert conn.execute("select to_regclass('cocopay.users_probe_idx')").fetchone() == (None,)
