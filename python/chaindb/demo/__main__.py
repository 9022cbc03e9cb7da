"""Run every product's demo flow: ``python -m chaindb.demo`` (``make demo`` migrates first).

Connects as applications are meant to: as a login role that is a member of ``chaindb_app``,
never as the superuser. On the embedded server that is ``chaindb_app_login`` (created by
the roles set-up of ``make migrate``); with ``DATABASE_URL``, its user with
``SET ROLE chaindb_app``. To add a product, import its flow module and append its ``run`` to
``FLOWS``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import psycopg

from chaindb import db
from chaindb.demo import Flow, Reporter, authenticity, bloxtr8, cocopay, game_market, tips

#: (product, flow), in order. One line per product.
FLOWS: list[tuple[str, Flow]] = [
    ("cocopay", cocopay.run),
    ("authenticity", authenticity.run),
    ("game_market", game_market.run),
    ("tips", tips.run),
    ("bloxtr8", bloxtr8.run),
]


def connect() -> psycopg.Connection[Any]:
    """The demo's connection: an application's, not the superuser's."""
    if os.environ.get("DATABASE_URL"):
        return db.connect(autocommit=True, role="chaindb_app")
    from chaindb.embedded import Embedded

    return db.connect(Embedded().app_url(), autocommit=True)


def main() -> int:
    failed = 0
    with connect() as conn:
        row = conn.execute(
            "select session_user, current_user, pg_has_role(current_user, 'chaindb_app', 'MEMBER'),"
            " (select rolsuper from pg_roles where rolname = current_user)"
        ).fetchone()
        assert row is not None
        print(f"connected as {row[1]} (login {row[0]}; member of chaindb_app: {'yes' if row[2] else 'no'},"
              f" superuser: {'yes' if row[3] else 'no'}), as applications connect")
        for product, flow in FLOWS:
            report = Reporter(product)
            try:
                flow(conn, report)
            except Exception as exc:  # report it and go on with the next product
                report.failed("flow stopped", exc)
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
