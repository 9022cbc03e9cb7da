"""Every named query of queries/authenticity is well-formed and prepares against the migrated schema."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiosql
import psycopg
import pytest
from psycopg import pq

from chaindb import admin

QUERIES = Path(__file__).resolve().parents[3] / "queries" / "authenticity"
ENTITIES = (
    "manufacturer",
    "sku",
    "batch",
    "code_pack",
    "code",
    "user_wallet",
    "user",
    "verify_intent",
    "verification",
    "treasury_op",
)
FLOWS = {
    "manufacturer_create",
    "sku_create",
    "batch_create",
    "batch_activate",
    "batch_pause",
    "batch_resume",
    "batch_close",
    "code_pack_create",
    "code_pack_mark_ready",
    "code_pack_download",
    "code_pack_codes",
    "code_pack_confirm_print",
    "code_get_by_commitment",
    "verify_intent_issue",
    "verification_confirm",
    "verify_intent_expire",
    "verification_list_by_user",
    "user_create",
    "user_get",
    "user_wallet_link",
    "treasury_op_record_refill_swap",
    "treasury_op_list_recent",
}


def _queries() -> list[tuple[str, str, list[str], str]]:
    """(name, SQL in psycopg's %(name)s style, declared parameters, docstring) of every query."""
    out = []
    loaded = aiosql.from_path(QUERIES, "psycopg")
    for name in loaded.available_queries:
        if name.endswith("_cursor") or "." in name:
            continue
        fn = getattr(loaded, name)
        params = [p for p in fn.__signature__.parameters if p != "self"]
        out.append((name, fn.sql, params, fn.__doc__ or ""))
    return sorted(out)


QUERY_LIST = _queries()


@pytest.fixture(scope="module")
def prep_conn(pg_url: str, template_url: str) -> Iterator[psycopg.Connection]:
    """One migrated database for all the preparations (a copy of the session's template)."""
    name = f"chaindb_test_prep_{uuid.uuid4().hex[:8]}"
    url = admin.create_database(pg_url, name, template=template_url.rsplit("/", 1)[1].split("?")[0])
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            yield connection
    finally:
        admin.drop_database(pg_url, name)


def test_every_flow_has_a_query() -> None:
    assert {name for name, *_ in QUERY_LIST} >= FLOWS


@pytest.mark.parametrize(("name", "sql", "params", "doc"), QUERY_LIST, ids=[q[0] for q in QUERY_LIST])
def test_query_is_well_formed(name: str, sql: str, params: list[str], doc: str) -> None:
    assert re.fullmatch(rf"({'|'.join(ENTITIES)})_[a-z_]+", name), "names are <entity>_<verb>"
    assert doc.strip(), "a comment line becomes the docstring"
    uncast = re.findall(r"%\((\w+)\)s(?!::)", sql)
    assert not uncast, f"every parameter carries a cast: {uncast}"
    assert "code_plaintext" not in sql or name in {"code_pack_codes", "code_count_by_pack"}, (
        "plaintext leaves only through the download"
    )


@pytest.mark.parametrize(("name", "sql", "params", "doc"), QUERY_LIST, ids=[q[0] for q in QUERY_LIST])
def test_query_prepares(prep_conn: psycopg.Connection, name: str, sql: str, params: list[str], doc: str) -> None:
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) not in order:
            order.append(match.group(1))
        return f"${order.index(match.group(1)) + 1}"

    numbered = re.sub(r"%\((\w+)\)s", number, sql).replace("%%", "%")
    assert sorted(order) == sorted(params), "the declared parameters are the ones used"
    result = prep_conn.pgconn.prepare(name.encode(), numbered.encode())
    assert result.status == pq.ExecStatus.COMMAND_OK, result.error_message.decode()
    described = prep_conn.pgconn.describe_prepared(name.encode())
    assert described.status == pq.ExecStatus.COMMAND_OK
    assert described.nparams == len(params)
    assert described.nfields >= 1, "every query returns something"
