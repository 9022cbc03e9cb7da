"""The authenticity migrations apply on their own, roll back completely step by step, and re-apply."""

from __future__ import annotations

import psycopg

from chaindb import admin

OBJECTS = """
SELECT
    (SELECT count(*) FROM pg_namespace WHERE nspname = 'authenticity'),
    (SELECT count(*) FROM pg_proc WHERE proname LIKE 'tg\\_%%' AND pronamespace::regnamespace::text = 'authenticity'),
    (SELECT count(*) FROM pg_type WHERE typnamespace::regnamespace::text = 'authenticity'),
    (SELECT count(*) FROM pg_class WHERE relnamespace::regnamespace::text = 'authenticity')
"""


def count(folder: str) -> int:
    return sum(1 for p in (admin.migrations_dir() / folder).glob("*.sql") if not p.name.endswith(".rollback.sql"))


def test_rollback_is_complete_and_reapply_works(empty_db_url: str) -> None:
    applied = admin.migrate(empty_db_url, ["authenticity"])
    mine = [m for m in applied if "_authenticity_" in m]
    assert len(mine) == count("authenticity") >= 15 and mine == sorted(mine)
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        assert conn.execute(OBJECTS).fetchone()[0] == 1
        for expected in reversed(mine):
            assert admin.rollback(empty_db_url, ["authenticity"]) == [expected]
        assert conn.execute(OBJECTS).fetchone() == (0, 0, 0, 0)
        assert conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'common'").fetchone() == (1,)
        leftover = conn.execute(
            "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'common', 'extensions')"
        ).fetchone()
        assert leftover == (0,)
    assert len(admin.migrate(empty_db_url, ["authenticity"])) == count("authenticity")
    assert admin.rollback(empty_db_url, ["authenticity"], everything=True)
    assert len(admin.migrate(empty_db_url, ["authenticity"])) == count("authenticity") + count("common")
