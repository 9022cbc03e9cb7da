"""Nested results (json_agg / array_agg of a table's rows), @json, @optional and "no Any", on the fixture schema."""

from __future__ import annotations

import asyncio
import datetime
import decimal
import ipaddress
import re
import uuid
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, get_args, get_origin, get_type_hints

import psycopg
import pytest
from pydantic import ValidationError

from chaindb.codegen import sqltext
from chaindb.codegen.catalog import Catalog
from chaindb.codegen.generate import GenerationError, generate

HASH = bytes(range(32))
ROOT = Path(__file__).resolve().parents[3]
FIXTURE_PACKAGE = Path(__file__).parent / "fixtures" / "package"


def _store(q: ModuleType, conn: psycopg.Connection[Any], name: str) -> Any:
    return q.store_insert(conn, name=name, phone=None, settings={"n": 1.5}, secret_hash=HASH, last_ip=None)


def _order(conn: psycopg.Connection[Any], store: uuid.UUID, amount: str, *, paid: bool = False) -> int:
    row = conn.execute(
        "INSERT INTO cgshop.orders (store_id, qty, amount, meta, ttl, paid)"
        " VALUES (%s, 2, %s, %s, '1 day 02:03:04', %s) RETURNING id",
        (store, decimal.Decimal(amount), psycopg.types.json.Jsonb({"source": "web", "x": 0.1}), paid),
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_nested_rows_types(q: ModuleType) -> None:
    hints = get_type_hints(q.StoreWithOrdersRow)
    assert hints["orders"] == list[q.Order]
    assert hints["order_rows"] == list[q.Order] | None  # FILTER: a group may have none
    assert hints["with_gaps"] == list[q.Order | None]  # LEFT JOIN without FILTER: [null] for no order
    assert get_type_hints(q.stores_nested)["return"] == list[q.Store] | None  # no GROUP BY: NULL on no rows
    assert get_type_hints(q.store_rows)["return"] == list[q.Store] | None


def test_nested_rows_values_are_exact(q: ModuleType, cg_conn: psycopg.Connection[Any]) -> None:
    store = _store(q, cg_conn, "Nested")
    first = _order(cg_conn, store.id, "12345678901234567890.123456789", paid=True)
    second = _order(cg_conn, store.id, "0.1")
    row = q.store_with_orders(cg_conn, id=store.id)
    assert row is not None
    assert [o.id for o in row.orders] == [first, second]
    flat = q.orders_for_store(cg_conn, store_id=store.id)  # the same rows, read as rows
    assert row.orders == flat  # json_agg: numeric, interval, jsonb, domain come back as a plain select gives them
    assert row.order_rows == flat  # array_agg: the records' text, read with psycopg's loaders
    assert row.with_gaps == flat
    big = row.orders[0]
    assert big.amount == decimal.Decimal("12345678901234567890.123456789")  # not through a float
    assert big.ttl == datetime.timedelta(days=1, hours=2, minutes=3, seconds=4)
    assert big.meta == {"source": "web", "x": 0.1}  # JSON inside a nested row stays JsonValue
    assert big.paid is True and big.qty == 2

    lonely = _store(q, cg_conn, "Lonely")
    empty = q.store_with_orders(cg_conn, id=lonely.id)
    assert empty is not None
    assert empty.orders == [] and empty.order_rows is None and empty.with_gaps == [None]


def test_nested_rows_of_every_column_type(q: ModuleType, cg_conn: psycopg.Connection[Any]) -> None:
    assert q.stores_nested(cg_conn) is None and q.store_rows(cg_conn) is None
    store = _store(q, cg_conn, 'Odd "name", with (parens)')
    cg_conn.execute(
        """UPDATE cgshop.stores SET network = '10.0.0.0/8', "from" = '2024-02-29', last_ip = '::1/64',
           tags = ARRAY['a b', NULL, 'c"d'], past_statuses = '{pending,"closed out"}',
           old_hashes = ARRAY[%s::cgshop.hash32], balance = 98765432109876.123456, phone = '' WHERE id = %s""",
        (HASH[::-1], store.id),
    )
    _store(q, cg_conn, "Zed")
    plain = [q.store_get(cg_conn, id=s.id) for s in (store,)]
    nested_json = q.stores_nested(cg_conn)
    nested_array = q.store_rows(cg_conn)
    assert nested_json is not None and nested_array is not None
    assert nested_json[0] == plain[0]
    assert nested_array[0] == plain[0]
    assert nested_json == nested_array
    s = nested_json[0]
    assert s.status is q.StoreStatus.PENDING and s.past_statuses == [q.StoreStatus.PENDING, q.StoreStatus.CLOSED_OUT]
    assert s.secret_hash == HASH and s.old_hashes == [HASH[::-1]]
    assert s.last_ip == ipaddress.IPv6Interface("::1/64") and s.network == ipaddress.IPv4Network("10.0.0.0/8")
    assert s.from_ == datetime.date(2024, 2, 29) and s.phone == "" and s.tags == ["a b", None, 'c"d']
    assert s.balance == decimal.Decimal("98765432109876.123456")


def test_nested_rows_async(q: ModuleType, fixture_db_url: str) -> None:
    async def run() -> None:
        async with await psycopg.AsyncConnection.connect(fixture_db_url, autocommit=True) as conn:
            store = await q.store_insert_async(
                conn, name="Async", phone=None, settings={}, secret_hash=None, last_ip=None
            )
            await conn.execute("INSERT INTO cgshop.orders (store_id, qty, amount) VALUES (%s, 1, 1.25)", (store.id,))
            row = await q.store_with_orders_async(conn, id=store.id)
            assert row is not None and [o.amount for o in row.orders] == [decimal.Decimal("1.25")]

    asyncio.run(run())


def test_json_directive(q: ModuleType, cg_conn: psycopg.Connection[Any], generated_dir: Path) -> None:
    hints = get_type_hints(q.order_set_meta)
    OrderMeta = hints["meta"]
    assert OrderMeta.__module__ == "cgshop.types"  # the schema's hand-written model, imported by the module
    assert get_type_hints(q.OrderSetMetaRow)["meta"] == OrderMeta | None
    store = _store(q, cg_conn, "Meta")
    order = _order(cg_conn, store.id, "5")
    row = q.order_set_meta(cg_conn, id=order, meta=OrderMeta(source="shop", discount=decimal.Decimal("1.5")))
    assert row is not None and row.meta == OrderMeta(source="shop", gift=False, discount=decimal.Decimal("1.5"))
    stored = cg_conn.execute("SELECT meta FROM cgshop.orders WHERE id = %s", (order,)).fetchone()
    assert stored == ({"source": "shop", "gift": False, "discount": "1.5"},)
    # what the model refuses is refused when the row is read, naming the field
    with pytest.raises(ValidationError, match="source"):
        q.order_set_meta(cg_conn, id=order, meta={"gift": True})  # type: ignore[arg-type]
    source = (generated_dir / "cgshop" / "queries" / "orders.py").read_text()
    assert "from ..types import OrderMeta" in source


def _generate_one(url: str, tmp_path: Path, text: str) -> dict[str, str]:
    """Generate cgshop from one query file ``x.sql`` holding ``text`` (GenerationError on a problem)."""
    folder = tmp_path / "queries" / "cgshop"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "x.sql").write_text(text)
    with psycopg.connect(url, autocommit=True) as conn:
        return generate(conn, "cgshop", tmp_path / "queries", FIXTURE_PACKAGE)


def _generation_error(url: str, tmp_path: Path, text: str) -> str:
    with pytest.raises(GenerationError) as info:
        _generate_one(url, tmp_path, text)
    return str(info.value)


def test_json_type_must_be_defined(fixture_db_url: str, tmp_path: Path) -> None:
    select = "SELECT o.{} FROM cgshop.orders AS o WHERE o.id = :id::bigint;\n"
    missing = "-- name: order_meta(id)$\n-- @json meta: Missing\n" + select.format("meta")
    assert "x.sql:1: query order_meta: @json: Missing is not defined in" in _generation_error(
        fixture_db_url, tmp_path, missing
    )
    not_json = "-- name: order_meta(id)$\n-- @json qty: OrderMeta\n" + select.format("qty")
    assert "@json qty: only a json or jsonb value can be typed so" in _generation_error(
        fixture_db_url, tmp_path, not_json
    )


def test_optional_filters(q: ModuleType, cg_conn: psycopg.Connection[Any]) -> None:
    store = _store(q, cg_conn, "Filters")
    other = _store(q, cg_conn, "Other")
    ids = [_order(cg_conn, store.id, a, paid=p) for a, p in (("1", True), ("5", False), ("10", True), ("20", False))]
    _order(cg_conn, other.id, "100", paid=True)
    amounts = {i: a for i, a in zip(ids, (1, 5, 10, 20), strict=True)}
    paid = {i: p for i, p in zip(ids, (True, False, True, False), strict=True)}
    for want_paid in (None, True, False):
        for minimum in (None, 5):
            rows = q.order_search(cg_conn, store_id=store.id, paid=want_paid, min_amount=minimum, max_rows=10)
            expected = [
                i for i in ids
                if (want_paid is None or paid[i] == want_paid) and (minimum is None or amounts[i] >= minimum)
            ]
            assert [r.id for r in rows] == expected, (want_paid, minimum)
    assert q.order_search(cg_conn, store_id=store.id, max_rows=10) == q.order_search(
        cg_conn, store_id=store.id, paid=None, min_amount=None, max_rows=10
    )
    assert q.order_count(cg_conn, store_id=store.id) == 4
    assert q.order_count(cg_conn, store_id=store.id, paid=True) == 2
    # one statement per combination, each prepared on its own
    variants = q.orders.ORDER_SEARCH.variants
    assert len(variants) == 4 and variants[frozenset()] == q.orders.ORDER_SEARCH.sql
    assert "%(paid)s" not in variants[frozenset({"paid"})] and "%(min_amount)s" in variants[frozenset({"paid"})]
    assert "WHERE o.store_id" in variants[frozenset({"paid", "min_amount"})]


def test_optional_every_variant_is_prepared(fixture_db_url: str, tmp_path: Path) -> None:
    head = "-- name: order_odd(a, c)\n-- @optional a\nSELECT o.id FROM cgshop.orders AS o\n"
    # c's type comes from the part `a` drops: without a, `$1 IS NOT NULL` cannot be typed
    broken = head + "WHERE (o.paid = :a::boolean AND o.qty > :c) AND :c IS NOT NULL;\n"
    assert "x.sql:1: query order_odd: does not prepare without a: could not determine data type" in (
        _generation_error(fixture_db_url, tmp_path, broken)
    )
    fixed = head + "WHERE (o.paid = :a::boolean AND o.qty > :c::integer) AND :c::integer IS NOT NULL;\n"
    assert 'optional=("a",)' in _generate_one(fixture_db_url, tmp_path, fixed)["x.py"]


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT 1 AS x FROM cgshop.orders AS o WHERE o.paid = :a::boolean OR o.qty = 1",
         "top-level OR: put the OR-ed conditions in parentheses"),
        ("SELECT :a::boolean AS x FROM cgshop.orders AS o WHERE o.paid = :a::boolean",
         "@optional a: also used outside the WHERE parts it may drop"),
        ("SELECT o.id FROM cgshop.orders AS o ORDER BY o.qty = :a::integer", "no top-level WHERE clause"),
    ],
)
def test_optional_refused_shapes(fixture_db_url: str, tmp_path: Path, sql: str, message: str) -> None:
    assert message in _generation_error(fixture_db_url, tmp_path, f"-- name: order_odd(a)\n-- @optional a\n{sql};\n")


def test_optional_variants_keep_between_and_comments() -> None:
    sql = (
        "SELECT t.id FROM t\nWHERE t.a BETWEEN %(lo)s::int AND %(hi)s::int  -- range\n"
        "  AND t.b = %(b)s::int\n  AND (t.c = 1 OR t.d = 2)\nORDER BY t.id"
    )
    variants = sqltext.optional_variants(sql, ["b", "lo"])
    assert variants[frozenset()] == sql
    assert variants[frozenset({"b"})] == (
        "SELECT t.id FROM t\nWHERE t.a BETWEEN %(lo)s::int AND %(hi)s::int\n    AND (t.c = 1 OR t.d = 2)\nORDER BY t.id"
    )
    assert variants[frozenset({"b", "lo"})] == "SELECT t.id FROM t\nWHERE (t.c = 1 OR t.d = 2)\nORDER BY t.id"


def test_generated_modules_hold_no_any(generated_dir: Path) -> None:
    """Every generated module, the fixture's and the products', types everything: no ``Any``."""
    modules = sorted((generated_dir / "cgshop" / "queries").glob("*.py"))
    modules += sorted(ROOT.glob("python/chaindb/*/queries/*.py"))
    assert len(modules) > 10
    offenders = [str(m) for m in modules if re.search(r"\bAny\b", m.read_text(encoding="utf-8"))]
    assert offenders == []


def test_nested_field_validators_are_annotated(q: ModuleType) -> None:
    field = q.StoreWithOrdersRow.model_fields["orders"]
    assert get_origin(field.rebuild_annotation()) is Annotated
    assert get_args(field.annotation) == (q.Order,)


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ("SELECT o.* FROM cgshop.orders AS o WHERE o.id = $1::bigint", False),
        ("SELECT s.* FROM cgshop.store_orders($1::uuid) AS s", False),  # a STABLE function
        ("SELECT count(*) FROM cgshop.orders AS o WHERE o.note = lower($1::text)", False),
        ("SELECT o.* FROM cgshop.orders AS o WHERE o.id = $1::bigint FOR UPDATE", True),  # a row lock
        ("SELECT o.* FROM cgshop.orders AS o WHERE o.id = $1::bigint FOR SHARE", True),
        ("SELECT s.* FROM cgshop.store_activate($1::uuid) AS s", True),  # a VOLATILE function
        ("SELECT o.id FROM cgshop.orders AS o WHERE o.id > random() * $1::int", True),  # volatile in a WHERE
        ("UPDATE cgshop.orders AS o SET note = $2::text WHERE o.id = $1::bigint", True),
        ("WITH d AS (UPDATE cgshop.orders SET paid = true WHERE id = $1::bigint RETURNING id) SELECT id FROM d", True),
        ("DELETE FROM cgshop.orders WHERE id = $1::bigint", True),
    ],
)
def test_writes_are_read_from_the_parse_tree(cg_conn: psycopg.Connection[Any], sql: str, writes: bool) -> None:
    """The generator marks a query as a write (primary only) when it writes a table, locks rows or
    calls a volatile function, as PostgreSQL's own analysis of the query says."""
    cat = Catalog(cg_conn, "cgshop")
    param_oids, _ = cat.describe(sql)
    assert cat.writes(sql, param_oids) is writes


def test_primary_directive_routes_a_read(fixture_db_url: str, tmp_path: Path) -> None:
    text = (
        "-- name: order_get(id)^\n-- One order.\nSELECT o.* FROM cgshop.orders AS o WHERE o.id = :id::bigint;\n\n"
        "-- name: order_check(id)^\n-- A check.\n-- @primary\n"
        "SELECT o.* FROM cgshop.orders AS o WHERE o.id = :id::bigint;\n\n"
        "-- name: order_lock(id)^\n-- Locked.\n"
        "SELECT o.* FROM cgshop.orders AS o WHERE o.id = :id::bigint FOR UPDATE;\n"
    )
    module = _generate_one(fixture_db_url, tmp_path, text)["x.py"]
    names = ("ORDER_GET", "ORDER_CHECK", "ORDER_LOCK")
    statements = {n: module.split(f"\n{n}: Final")[1].split("\ndef ")[0] for n in names}
    assert "write" not in statements["ORDER_GET"] and "primary" not in statements["ORDER_GET"]
    assert "primary=True" in statements["ORDER_CHECK"]
    assert "write=True" in statements["ORDER_LOCK"]
    assert "-- @primary\nSELECT" not in module, "the directive is not part of the docstring"
