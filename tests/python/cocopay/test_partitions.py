"""cocopay's monthly partitions (migrations 0040, 0041) as the application and the DBA meet them: rows land
in their month, the last-day query reads one partition (EXPLAIN), `make partitions` keeps months ahead of
the clock, `make retention` drops exactly the expired months, and the application can neither truncate,
detach nor drop a partition. The rules themselves are tested on a scratch table in
tests/pgtap/common/03_partitions.sql."""

from __future__ import annotations

import datetime
import re
from typing import Any

import psycopg
import pytest

from chaindb import admin, errors, partitions
from chaindb.cocopay import queries as q
from chaindb.cocopay.queries import analytics_events

UTC = datetime.UTC


def months(conn: psycopg.Connection[Any], table: str) -> list[str]:
    return [r for (r,) in conn.execute(
        "select c.relname::text from pg_inherits i join pg_class c on c.oid = i.inhrelid"
        " where i.inhparent = %s::regclass order by 1",
        (table,),
    )]


def month_name(table: str, at: datetime.datetime) -> str:
    return f"{table}_p{at.astimezone(UTC):%Y%m}"


def test_rows_land_in_their_month_and_the_last_day_reads_one_partition(
    app: psycopg.Connection[Any], clock: Any
) -> None:
    now = clock.now()
    written = q.analytics_event_append_many(app, [
        {"event_name": "page_view", "properties": {}, "user_id": None, "session_id": None, "device_id": "d1",
         "ip_address": None, "user_agent": None},
    ] * 3)
    assert written == 3
    assert app.execute(
        "select distinct tableoid::regclass::text from cocopay.analytics_events"
    ).fetchall() == [(f"cocopay.{month_name('analytics_events', now)}",)]
    assert q.analytics_event_count_recent(app, event_name="page_view", within=datetime.timedelta(days=1)) == 3
    plan = "\n".join(r for (r,) in app.execute(
        "explain (costs off) " + analytics_events.ANALYTICS_EVENT_COUNT_RECENT.sql,
        {"event_name": "page_view", "within": datetime.timedelta(days=1)},
    ))
    scanned = set(re.findall(r" on (analytics_events_\w+)", plan))
    assert len(scanned) in (1, 2), plan  # the day may straddle two months
    assert month_name("analytics_events", now) in scanned, plan
    assert "analytics_events_default" not in scanned, plan


def test_partitions_and_retention_follow_the_clock(
    db_url: str, conn: psycopg.Connection[Any], clock: Any
) -> None:
    now = clock.now().astimezone(UTC)
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)

    def month(k: int) -> datetime.datetime:
        return first.replace(year=first.year + (first.month - 1 + k) // 12, month=(first.month - 1 + k) % 12 + 1)

    made = months(conn, "cocopay.analytics_events")
    assert made == ["analytics_events_default"] + [month_name("analytics_events", month(k)) for k in range(4)], (
        "migrated: the default partition, this month and 3 ahead"
    )
    assert partitions.create(db_url) == [], "make partitions: nothing due"
    # 14 months later: analytics (13 months' retention) loses exactly the months that ended 13 months ago
    later = clock.freeze(month(14) + datetime.timedelta(days=3))
    declared = [t for (t,) in conn.execute(
        "select format('%I.%I', schema_name, table_name) from common.partitioned_tables order by 1"
    )]
    assert {"cocopay.analytics_events", "cocopay.audit_logs"} <= set(declared)
    assert partitions.create(db_url) == [
        f"{month_name(t, month(k))}" for t in declared for k in range(14, 18)
    ], "make partitions: the clock's month and 3 ahead (a past month without a partition is not made)"
    dropped = partitions.retention(db_url)
    assert dropped == [f"cocopay.{month_name('analytics_events', month(0))}"], later
    assert month_name("analytics_events", month(1)) in months(conn, "cocopay.analytics_events")
    assert month_name("audit_logs", month(0)) in months(conn, "cocopay.audit_logs"), "no retention: kept"


def test_the_app_cannot_truncate_detach_or_drop_a_partition(app: psycopg.Connection[Any], clock: Any) -> None:
    partition = f"cocopay.{month_name('audit_logs', clock.now())}"
    for statement in (
        f"truncate {partition}",
        "truncate cocopay.audit_logs",
        f"alter table cocopay.audit_logs detach partition {partition}",
        f"drop table {partition}",
        "select common.apply_retention()",
        "select common.create_partitions()",
    ):
        with pytest.raises(errors.InsufficientPrivilege):
            try:
                app.execute(statement)
            except psycopg.Error as exc:
                raise errors.translate(exc) from exc


def test_retention_is_the_owners(db_url: str) -> None:
    """The command runs as chaindb_owner: a login that is not a member of it is refused."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("drop role if exists partitions_outsider")
        conn.execute("create role partitions_outsider login password 'x'")
    outsider = psycopg.conninfo.make_conninfo(admin.libpq_url(db_url), user="partitions_outsider", password="x",
                                              passfile="")
    try:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            partitions.retention(outsider)
    finally:
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("drop role partitions_outsider")
