"""The demo's Bloxtr8 flow: re-runnable, one listing sold per run, the refusals shown."""

from __future__ import annotations

import io
from typing import Any

import psycopg

from chaindb.demo import Reporter
from chaindb.demo import bloxtr8 as flow
from chaindb.demo.__main__ import FLOWS


def test_bloxtr8_flow_twice(app: psycopg.Connection[Any], conn: psycopg.Connection) -> None:
    assert dict(FLOWS)["bloxtr8"] is flow.run
    out = io.StringIO()
    first = flow.run(app, Reporter("bloxtr8", out))
    second = flow.run(app, Reporter("bloxtr8", out))

    lines = out.getvalue().splitlines()
    assert len(lines) == 2 * 10 and all(line.startswith("bloxtr8  ✓ ") for line in lines), lines
    assert sum("refused: users_kyc_tier (SQLSTATE CD007)" in line for line in lines) == 2
    assert sum("refused: contract_sign_tokens_used (SQLSTATE CD007)" in line for line in lines) == 2
    assert "VERIFIED (checked)" in lines[2] and "VERIFIED (cached)" in lines[10 + 2]
    assert lines[-1].endswith("RELEASED (created → funds_held → delivered → released); listing SOLD")

    assert (second.seller.id, second.buyer.id) == (first.seller.id, first.buyer.id)  # create-or-get
    assert second.listing.id != first.listing.id
    assert conn.execute("SELECT count(*) FROM bloxtr8.users").fetchone() == (3,)
    assert conn.execute("SELECT count(*) FROM bloxtr8.contract_templates").fetchone() == (1,)
    assert conn.execute(
        "SELECT l.status::text, c.status::text, j.status::text, e.status::text, count(*) FROM bloxtr8.listings AS l "
        "JOIN bloxtr8.offers AS o ON o.listing_id = l.id AND o.status = 'ACCEPTED' "
        "JOIN bloxtr8.contracts AS c ON c.offer_id = o.id "
        "JOIN bloxtr8.contract_execution_jobs AS j ON j.contract_id = c.id "
        "JOIN bloxtr8.escrows AS e ON e.contract_id = c.id GROUP BY 1, 2, 3, 4"
    ).fetchall() == [("SOLD", "EXECUTED", "COMPLETED", "RELEASED", 2)]
