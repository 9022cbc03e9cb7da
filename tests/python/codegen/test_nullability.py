"""Nullability from the parse tree (chaindb.codegen.infer), on a corpus of queries run against real data.

``fixtures/nullability/cases.sql`` labels every result column of every query ``!`` (never NULL) or ``?`` (may be
NULL); ``schema.sql`` holds tables, views, a materialized view and functions returning rows, with data that makes
every ``?`` column NULL at least once. Each query is generated (``analyze``) and run:

- no column the generator types non-NULL ever returns NULL (the rule that matters: a wrong guess is a lie in the
  types; a CLAIMED column would raise ``errors.UnexpectedNull``, a PROVEN one would not even be checked);
- every ``?`` label is honest: the data does produce a NULL there;
- "needlessly Optional" columns (typed ``| None`` but labelled ``!``) are at least halved compared with the
  catalog-only rule of before (``infer=False``, still the fallback), whose count on this corpus is TODAY.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from chaindb.codegen.analyze import Query, analyze
from chaindb.codegen.catalog import Catalog
from chaindb.codegen.infer import Inference, Null
from chaindb.codegen.loader import RawQuery, load_file

CORPUS = Path(__file__).parent / "fixtures" / "nullability"
# Needlessly Optional columns of the corpus with the catalog-only rule (measured before the parse was used).
TODAY = 56


def _expect(raw: RawQuery) -> dict[str, str]:
    m = re.search(r"^expect:(.*)$", raw.doc, re.M)
    assert m, f"{raw.name}: no expect: line"
    return dict(re.findall(r"(\w+)\s*([!?])", m.group(1)))


def _args(raw: RawQuery) -> dict[str, object]:
    m = re.search(r"^args:(.*)$", raw.doc, re.M)
    return json.loads(m.group(1)) if m else {}


@pytest.fixture(scope="module")
def corpus(codegen_db_url: str) -> Iterator[tuple[psycopg.Connection[tuple[object, ...]], list[RawQuery]]]:
    from psycopg.conninfo import make_conninfo

    from chaindb import admin

    name = "codegen_nullability"
    admin.create_database(codegen_db_url, name)
    try:
        with psycopg.connect(make_conninfo(codegen_db_url, dbname=name), autocommit=True) as conn:
            conn.execute((CORPUS / "schema.sql").read_text(encoding="utf-8"))
            yield conn, load_file(CORPUS / "cases.sql")
    finally:
        admin.drop_database(codegen_db_url, name)


def _run(conn: psycopg.Connection[tuple[object, ...]], raw: RawQuery) -> dict[str, bool]:
    """Column → whether the query returned a NULL there (DML rolled back)."""
    with conn.transaction(force_rollback=True):
        cur = conn.execute(raw.sql, _args(raw))
        assert cur.description is not None
        names = [d.name for d in cur.description]
        rows = cur.fetchall()
    assert rows, f"{raw.name}: the corpus data returns no row"
    return {n: any(r[i] is None for r in rows) for i, n in enumerate(names)}


def _needless(q: Query, expect: dict[str, str]) -> list[str]:
    return [f"{q.name}.{f.column}" for f in q.fields if f.nullable and expect[f.column] == "!"]


def test_corpus_types_never_lie_and_halve_needless_optionals(
    corpus: tuple[psycopg.Connection[tuple[object, ...]], list[RawQuery]],
) -> None:
    conn, raws = corpus
    assert len(raws) >= 30
    cat = Catalog(conn, "cgnull")
    needless_new: list[str] = []
    needless_old: list[str] = []
    lies: list[str] = []
    dishonest: list[str] = []
    for raw in raws:
        expect = _expect(raw)
        seen = _run(conn, raw)
        assert list(seen) == list(expect), f"{raw.name}: expect: names the columns in order"
        new = analyze(cat, raw, frozenset())
        old = analyze(cat, raw, frozenset(), infer=False)
        for f in new.fields:
            if not f.nullable and seen[f.column]:
                lies.append(f"{raw.name}.{f.column}")
            if expect[f.column] == "?" and not seen[f.column]:
                dishonest.append(f"{raw.name}.{f.column}")
        needless_new += _needless(new, expect)
        needless_old += _needless(old, expect)
    assert lies == [], "typed non-NULL, returned NULL"
    assert dishonest == [], "labelled '?' but the data never makes it NULL: fix the data or the label"
    assert len(needless_old) == TODAY, needless_old
    assert len(needless_new) * 2 <= TODAY, needless_new
    # what is left is what no parse can see: inside a function's body, a grouping set's total
    assert sorted(needless_new) == [
        "c21_setof_function.author_id",
        "c22_returns_table_function.id",
        "c22_returns_table_function.title",
        "c42_rollup.total",
    ]


def test_every_corpus_query_is_followed(
    corpus: tuple[psycopg.Connection[tuple[object, ...]], list[RawQuery]],
) -> None:
    """The parse follows every query of the corpus (no silent fallback to the catalog-only rule)."""
    conn, raws = corpus
    cat = Catalog(conn, "cgnull")
    from chaindb.codegen.sqltext import to_numbered

    for raw in raws:
        numbered, order = to_numbered(raw.sql)
        cols = Inference(cat, [Null.CLAIMED] * len(order)).statement(numbered)
        assert cols is not None, raw.name
        assert [c.name for c in cols] == list(_expect(raw)), raw.name


def test_claims_and_proofs(corpus: tuple[psycopg.Connection[tuple[object, ...]], list[RawQuery]]) -> None:
    """A SETOF function's NOT NULL columns are claimed (checked when a row is built); a table's are proven."""
    conn, raws = corpus
    cat = Catalog(conn, "cgnull")
    by_name = {r.name: r for r in raws}
    setof = analyze(cat, by_name["c21_setof_function"], frozenset())
    assert {f.column: f.checked for f in setof.fields if not f.nullable} == {
        "id": True, "title": True, "price": True, "meta": True,
    }
    table = analyze(cat, by_name["c05_inner_join"], frozenset())
    assert [(f.column, f.nullable, f.checked) for f in table.fields] == [
        ("title", False, False), ("name", False, False), ("bio", True, False),
    ]
    params = analyze(cat, by_name["c34_params_and_literals"], frozenset())
    assert [(f.column, f.nullable, f.checked) for f in params.fields] == [
        ("n", False, True),  # a parameter typed non-NULL: the caller could still pass None
        ("lit", False, False),
        ("nothing", True, False),
        ("at", False, False),
        ("maybe", True, False),
    ]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # an outer join's own ON condition does not undo its NULL-extension
        ("SELECT a.name FROM cgnull.books b LEFT JOIN cgnull.authors a ON a.id = b.author_id AND a.name <> ''",
         [Null.MAYBE]),
        # a nested outer join reduced by the inner join above it
        ("SELECT b.title FROM cgnull.authors a LEFT JOIN (cgnull.books b LEFT JOIN cgnull.reviews r"
         " ON r.book_id = b.id) ON b.author_id = a.id WHERE r.stars > 3", [Null.PROVEN]),
        # UPDATE ... RETURNING shows the new row: WHERE says nothing about an assigned column
        ("UPDATE cgnull.books b SET subtitle = NULL WHERE b.subtitle IS NOT NULL RETURNING b.subtitle", [Null.MAYBE]),
        # FILTER: no group may be empty
        ("SELECT sum(b.price) FILTER (WHERE b.price > 100) AS s FROM cgnull.books b GROUP BY b.author_id",
         [Null.MAYBE]),
        # an explicit window frame need not hold the current row
        ("SELECT sum(b.price) OVER (ORDER BY b.id ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING) AS s"
         " FROM cgnull.books b", [Null.MAYBE]),
        # JSON look-ups may find nothing; a non-pg_catalog function is unknown
        ("SELECT b.meta -> 'k' AS k, cgnull.one_book(1) AS r FROM cgnull.books b", [Null.MAYBE, Null.MAYBE]),
        # a FULL JOIN's USING column is NULL only when both sides are
        ("SELECT book_id FROM cgnull.reviews r FULL JOIN cgnull.book_tags t USING (book_id)", [Null.PROVEN]),
        # a scalar subquery with LIMIT may return no row
        ("SELECT (SELECT count(*) FROM cgnull.books LIMIT 1) AS n", [Null.MAYBE]),
    ],
)
def test_edge_cases(
    corpus: tuple[psycopg.Connection[tuple[object, ...]], list[RawQuery]], sql: str, expected: list[Null]
) -> None:
    conn, _ = corpus
    cols = Inference(Catalog(conn, "cgnull")).statement(sql)
    assert cols is not None
    assert [c.null for c in cols] == expected


def test_unknown_constructs_fall_back(corpus: tuple[psycopg.Connection[tuple[object, ...]], list[RawQuery]]) -> None:
    conn, _ = corpus
    inference = Inference(Catalog(conn, "cgnull"))
    assert inference.statement("SELECT x FROM cgnull.no_such_table x") is None
    assert inference.statement("SELECT 1; SELECT 2") is None
    assert inference.statement("SELEC 1") is None
