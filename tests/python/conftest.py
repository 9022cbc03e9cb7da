"""Session-wide throwaway PostgreSQL for the test suite.

- ``pg_url``: the server. ``DATABASE_URL`` when set (a server where the test
  user may create databases and roles), else a throwaway server started with
  testing.postgresql (``chaindb.embedded.throwaway``: initdb/postgres dropped to an
  unprivileged user under root).
- ``template_url``: a database migrated once per session (all schemas), used as
  the template of every test's database. ``CHAINDB_TEST_TEMPLATE`` names a database prepared by the
  caller on that server instead (``make mutate`` points it at a mutant): it is used as it is, neither
  migrated nor dropped.
- ``db_url`` / ``conn``: a fresh copy of the template for each test; ``conn`` is the superuser, for
  set-up and checks.
- ``app`` / ``readonly``: the same database as ``chaindb_app`` (the role applications log in as, so
  every test through it also proves the app's grants suffice) and as ``chaindb_readonly``. The role
  names are ``chaindb.admin.APP_ROLE`` / ``READONLY_ROLE`` / ``OWNER_ROLE`` (test modules import them
  from there: with ``--import-mode=importlib`` they import nothing from a conftest).
- ``race``: races on the test's database (``Race``): many workers, each on its own connection as
  ``chaindb_app``, lined up on a ``threading.Barrier``; and ``Race.after``, one call made while another
  transaction holds what it needs.
- ``clock``: the database's clock (``common.now()``) of the test's database, moved as the
  superuser (``common.freeze_clock`` / ``common.set_clock_offset``); the app role cannot.
"""

from __future__ import annotations

import datetime
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from chaindb import admin, coverage, db
from chaindb.embedded import throwaway

#: The template of every test's database: prepared by the caller, or migrated here (then dropped).
PREPARED_TEMPLATE = os.environ.get("CHAINDB_TEST_TEMPLATE")
TEMPLATE = PREPARED_TEMPLATE or "chaindb_test_template"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    url = os.environ.get("DATABASE_URL")
    if url:
        yield admin.libpq_url(url)
        return
    server = throwaway()
    collect = coverage.out_dir()  # make test / make coverage: count what the tests execute (chaindb.coverage)
    try:
        if collect:
            coverage.prepare_server(server.url(database="postgres"))
        yield server.url(database="postgres")
    finally:
        if collect:
            coverage.save_log(coverage.server_log(server.url(database="postgres")), collect, "pytest")
        server.stop()


@pytest.fixture(scope="session")
def template_url(pg_url: str) -> Iterator[str]:
    if PREPARED_TEMPLATE:
        yield admin.with_database(pg_url, PREPARED_TEMPLATE)
        return
    url = admin.create_database(pg_url, TEMPLATE)
    admin.migrate(url)
    yield url
    admin.drop_database(pg_url, TEMPLATE)


def fresh_database(pg_url: str, template: str | None = TEMPLATE) -> str:
    name = f"chaindb_test_{uuid.uuid4().hex[:12]}"
    return admin.create_database(pg_url, name, template=template)


@pytest.fixture(scope="session")
def coverage_probe(template_url: str) -> tuple[Path, str] | None:
    """make test / make coverage: where to record what each test executes, and the CHECK snapshot query."""
    if (collect := coverage.out_dir()) is None:
        return None
    coverage.save_catalog(template_url, collect, ["common", *admin.available_schemas()])
    with psycopg.connect(template_url) as conn:
        return collect, coverage.snapshot_sql(conn)


@pytest.fixture
def db_url(pg_url: str, template_url: str, coverage_probe: tuple[Path, str] | None) -> Iterator[str]:
    url = fresh_database(pg_url)
    yield url
    if coverage_probe is not None:
        calls, accepted = coverage.collect(url, snapshot=coverage_probe[1])
        coverage.save_functions(coverage_probe[0], "pytest", calls)
        coverage.save_accepted(coverage_probe[0], "pytest", accepted)
    admin.drop_database(pg_url, admin.database_name(url))


@pytest.fixture(scope="module")
def module_db_url(pg_url: str, template_url: str) -> Iterator[str]:
    """A fresh copy of the template shared by the tests of one module (read-mostly modules)."""
    url = fresh_database(pg_url)
    yield url
    admin.drop_database(pg_url, admin.database_name(url))


@pytest.fixture
def empty_db_url(pg_url: str) -> Iterator[str]:
    """A database with nothing migrated."""
    url = fresh_database(pg_url, template=None)
    yield url
    admin.drop_database(pg_url, admin.database_name(url))


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db_url, autocommit=True) as connection:
        yield connection


@pytest.fixture
def app(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    with db.connect(db_url, role=admin.APP_ROLE, autocommit=True) as connection:
        yield connection


@pytest.fixture
def readonly(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    with db.connect(db_url, role=admin.READONLY_ROLE, autocommit=True) as connection:
        yield connection


@dataclass(frozen=True)
class Lost:
    """A call refused by the database: its SQLSTATE and the rule (constraint) it names."""

    sqlstate: str | None
    constraint: str | None


class Race:
    """Races on one database, settled by the database.

    ``run(call, workers=32, rounds=10)``: every round, ``workers`` threads, each with its own
    connection as ``chaindb_app`` (or ``role``), wait on a ``threading.Barrier`` and then run ``call(conn, round,
    worker)`` in a transaction that stays open ``hold`` seconds after the call returns (a slow
    client): every other worker's call starts before the first one commits. Returns, per round,
    what each call returned, or ``Lost`` when the database refused it. ``settle(call, lost, row)``:
    exactly one winner a round, the others ``lost`` (refused, or no row from a guarded write), and the
    row holds the winner's values.

    ``after(holder, contender)``: ``holder(conn)`` runs in an open transaction (as ``holder_role``,
    the superuser by default); then ``contender(conn)`` runs (as ``contender_role``, ``chaindb_app`` by
    default) on another connection;
    once it waits for a lock (or has finished) the holder commits. Returns the contender's result
    or ``Lost``: the outcome of a call that came second, deterministically.
    """

    Lost = Lost

    def __init__(self, url: str) -> None:
        self.url = url

    def connect(self, role: str | None = admin.APP_ROLE) -> psycopg.Connection[Any]:
        return db.connect(self.url, role=role, autocommit=True)

    @staticmethod
    def attempt(call: Callable[[psycopg.Connection[Any]], Any], conn: psycopg.Connection[Any], hold: float) -> Any:
        try:
            with conn.transaction():
                result = call(conn)
                if hold:
                    time.sleep(hold)
        except psycopg.Error as exc:
            return Lost(exc.sqlstate, exc.diag.constraint_name)
        return result

    def run(
        self,
        call: Callable[[psycopg.Connection[Any], int, int], Any],
        *,
        workers: int = 32,
        rounds: int = 10,
        hold: float = 0.05,
        role: str = admin.APP_ROLE,
    ) -> list[list[Any]]:
        barrier = threading.Barrier(workers)
        with ExitStack() as stack:
            conns = [stack.enter_context(self.connect(role)) for _ in range(workers)]

            def one(round_no: int, worker: int) -> Any:
                barrier.wait(timeout=60)
                return self.attempt(lambda conn: call(conn, round_no, worker), conns[worker], hold)

            with ThreadPoolExecutor(max_workers=workers) as pool:
                return [
                    [f.result() for f in [pool.submit(one, r, w) for w in range(workers)]] for r in range(rounds)
                ]

    @staticmethod
    def one_winner(results: Sequence[Any], lost: Lost | None) -> tuple[int, Any]:
        """The single worker whose call went through, and its result; every other one lost with ``lost``
        (``None``: a guarded write that leaves the row alone and returns no row)."""
        winners = [(w, r) for w, r in enumerate(results) if not isinstance(r, Lost) and r is not None]
        losers = [r for r in results if isinstance(r, Lost) or r is None]
        assert len(winners) == 1, (winners, losers)
        assert set(losers) == {lost}, losers
        return winners[0]

    def settle(
        self,
        call: Callable[[psycopg.Connection[Any], int, int], Any],
        lost: tuple[str, str] | None,
        row: Callable[[int], Any],
        **options: Any,
    ) -> list[Any]:
        """``run(call)``: each round exactly one call goes through, every other one is refused with ``lost``
        (SQLSTATE, constraint; ``None``: returns no row), and ``row(round)`` (the row read back) is what the
        winning call returned. Returns the winners' results."""
        won = []
        for round_no, results in enumerate(self.run(call, **options)):
            _, result = self.one_winner(results, Lost(*lost) if lost else None)
            assert row(round_no) == result, (round_no, result)
            won.append(result)
        return won

    def after(
        self,
        holder: Callable[[psycopg.Connection[Any]], Any],
        contender: Callable[[psycopg.Connection[Any]], Any],
        *,
        holder_role: str | None = None,
        contender_role: str | None = admin.APP_ROLE,
        patience: float = 5.0,
    ) -> Any:
        outcome: list[Any] = []
        with self.connect(holder_role) as first, self.connect(contender_role) as second, self.connect(None) as monitor:
            pid = second.info.backend_pid
            with first.transaction():
                holder(first)
                thread = threading.Thread(target=lambda: outcome.append(self.attempt(contender, second, 0)))
                thread.start()
                deadline = time.monotonic() + patience
                while thread.is_alive() and time.monotonic() < deadline:
                    waiting = monitor.execute(
                        "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s", (pid,)
                    ).fetchone()
                    if waiting and waiting[0]:
                        break
                    time.sleep(0.01)
            thread.join(timeout=60)
        assert outcome, "the contender did not finish"
        return outcome[0]


@pytest.fixture
def race(db_url: str) -> Race:
    return Race(db_url)


class Clock:
    """The database's clock of one database: ``freeze(at)`` stops ``common.now()`` at an instant,
    ``offset(by)`` runs it ahead (or behind) the server clock, ``now()`` reads it."""

    def __init__(self, connection: psycopg.Connection) -> None:
        self.connection = connection

    def freeze(self, at: datetime.datetime) -> datetime.datetime:
        return self._one("select common.freeze_clock(%s)", (at,))

    def offset(self, by: datetime.timedelta) -> datetime.datetime:
        return self._one("select common.set_clock_offset(%s)", (by,))

    def now(self) -> datetime.datetime:
        return self._one("select common.now()", ())

    def _one(self, query: str, params: tuple[object, ...]) -> datetime.datetime:
        row = self.connection.execute(query, params).fetchone()
        assert row is not None
        return row[0]


@pytest.fixture
def clock(db_url: str) -> Iterator[Clock]:
    with psycopg.connect(db_url, autocommit=True) as connection:
        yield Clock(connection)
