"""Every named query of queries/authenticity is well-formed, prepares against the migrated schema
and is exercised by the suite, read through the generated module ``chaindb.authenticity.queries``
(its statements, ``runtime.statements(q)``, hold the SQL exactly as aiosql parsed the files;
``--check`` keeps the package in step with them)."""

from __future__ import annotations

import inspect
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import pq

from chaindb import admin
from chaindb.authenticity import queries as q
from chaindb.codegen.runtime import statements

HERE = Path(__file__).resolve().parent
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
    for name, statement in statements(q).items():
        fn = getattr(q, name)
        params = [p for p in inspect.signature(fn).parameters if p != "conn"]
        out.append((name, statement.sql, params, fn.__doc__ or ""))
    return sorted(out)


QUERY_LIST = _queries()


@pytest.fixture(scope="module")
def prep_conn(pg_url: str, template_url: str) -> Iterator[psycopg.Connection]:
    """One migrated database for all the preparations (a copy of the session's template)."""
    name = f"chaindb_test_prep_{uuid.uuid4().hex[:8]}"
    url = admin.create_database(pg_url, name, template=admin.database_name(template_url))
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


def test_every_generated_function_is_exercised() -> None:
    """Every function of the generated module (not counting the _async/_iter twins) is called by a
    test of this folder, directly or through its _async/_iter form."""
    names = sorted(statements(q))
    functions = sorted(
        n
        for n, obj in vars(q).items()
        if inspect.isfunction(obj)
        and obj.__module__.startswith(q.__name__ + ".")
        and not n.endswith(("_async", "_iter"))
    )
    assert functions == names and len(names) >= 50
    sources = "".join(path.read_text(encoding="utf-8") for path in HERE.glob("test_*.py"))
    missing = [n for n in names if not re.search(rf"\bq\.{n}(_async|_iter|_iter_async)?\(", sources)]
    assert missing == []
