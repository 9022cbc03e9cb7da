"""Readiness for Citus schema-based sharding (``citus_schema_distribute``: a whole schema on one node), checked
on the catalog of every schema of the registry, without Citus (it is not packaged for this platform).

What would make ``citus_schema_distribute`` fail, or a distributed schema misbehave:

- a foreign key leaving the schema, other than to a table declared a reference table (REFERENCE_TABLES);
- a partition outside its parent's schema;
- a sequence narrower than bigint that can run out (Citus hands out bigint ranges per node);
- a function that depends on the search_path (every one pins it, or is an inlined SQL expression);
- what a schema needs from ``common`` and ``extensions`` (those live on every node: functions created
  everywhere, tables as reference tables) not listed in its section of docs/scaling.md.

And, for the row-based sharding docs/scaling.md plans for later: every row lock (``FOR UPDATE``,
``FOR SHARE``, ...) in a function or a named query takes its rows by an equality on a unique key of the
locked table (a router query once that key leads to the distribution column), or is listed in
UNKEYED_LOCKS with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from pglast import ast, parse_plpgsql, parse_sql
from pglast.enums.primnodes import BoolExprType
from pglast.visitors import Visitor

from chaindb import admin
from chaindb.codegen.loader import load_schema

SCHEMAS = admin.available_schemas()
SCALING_DOC = admin.project_root() / "docs" / "scaling.md"

#: Tables other schemas may reference (Citus reference tables, on every node). None so far.
REFERENCE_TABLES: set[str] = set()

#: Row locks taken without an equality on a unique key, by function (or query), with the reason.
UNKEYED_LOCKS: dict[str, str] = {
    "game_market.claim_payouts(integer)": "a work queue: FOR UPDATE SKIP LOCKED of the due rows",
    "tips.claim_verifications(integer,interval)": "a work queue: FOR UPDATE SKIP LOCKED of the due rows",
    "tips.claim_payouts(tips.payout_status,integer,interval)": "a work queue: FOR UPDATE SKIP LOCKED of the due rows",
    "bloxtr8.claim_execution_jobs(integer,interval)": "a work queue: FOR UPDATE SKIP LOCKED of the due rows",
    "bloxtr8.recover_execution_jobs()": "a work queue: the jobs whose lease ran out, FOR UPDATE SKIP LOCKED",
    "bloxtr8.publish_contract_template(text,text,jsonb)": (
        "the one active template (contract_templates_is_active_key, a unique index on true WHERE is_active)"
    ),
    "bloxtr8.create_contract(text,jsonb)": "the one active template, as publish_contract_template",
}

_LOCK = re.compile(r"\bFOR\s+(NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", re.I)


@pytest.fixture(scope="module")
def catalog(module_db_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(module_db_url, autocommit=True) as conn:
        yield conn


def rows(conn: psycopg.Connection[Any], sql: str) -> list[tuple[Any, ...]]:
    return conn.execute(sql, {"s": SCHEMAS}).fetchall()


def test_foreign_keys_stay_inside_their_schema(catalog: psycopg.Connection[Any]) -> None:
    leaving = rows(catalog, """
        SELECT k.conrelid::regclass::text, k.conname::text, k.confrelid::regclass::text
        FROM pg_constraint AS k
        JOIN pg_class AS r ON r.oid = k.confrelid
        WHERE k.contype = 'f' AND k.connamespace::regnamespace::text = ANY(%(s)s)
          AND r.relnamespace <> k.connamespace
    """)
    assert [f for f in leaving if f[2] not in REFERENCE_TABLES] == []


def test_partitions_stay_in_their_parents_schema(catalog: psycopg.Connection[Any]) -> None:
    partitions = rows(catalog, """
        SELECT c.oid::regclass::text, p.oid::regclass::text, c.relnamespace = p.relnamespace
        FROM pg_inherits AS i
        JOIN pg_class AS c ON c.oid = i.inhrelid
        JOIN pg_class AS p ON p.oid = i.inhparent
        WHERE p.relnamespace::regnamespace::text = ANY(%(s)s) AND c.relkind IN ('r', 'p')
    """)
    assert partitions, "the partitioned tables have partitions"
    assert [p for p in partitions if not p[2]] == []


def test_no_sequence_can_run_out_below_bigint(catalog: psycopg.Connection[Any]) -> None:
    """bloxtr8.cuid_counter_seq is an integer one, but it cycles (0..65535): a counter, never a key."""
    sequences = rows(catalog, """
        SELECT s.seqrelid::regclass::text, format_type(s.seqtypid, NULL), s.seqcycle
        FROM pg_sequence AS s JOIN pg_class AS c ON c.oid = s.seqrelid
        WHERE c.relnamespace::regnamespace::text = ANY(%(s)s)
    """)
    assert ("bloxtr8.cuid_counter_seq", "integer", True) in sequences
    assert [s for s in sequences if s[1] != "bigint" and not s[2]] == []


def test_functions_do_not_depend_on_the_search_path(catalog: psycopg.Connection[Any]) -> None:
    """Every function pins its search_path, except SQL expressions kept inlinable (a SET clause stops
    inlining), whose bodies name only pg_catalog's functions or schema-qualified ones."""
    unpinned = rows(catalog, """
        SELECT p.oid::regprocedure::text, l.lanname::text, p.prosrc
        FROM pg_proc AS p JOIN pg_language AS l ON l.oid = p.prolang
        WHERE p.pronamespace::regnamespace::text = ANY(%(s)s)
          AND NOT EXISTS (SELECT FROM unnest(p.proconfig) AS c WHERE c LIKE 'search_path=%%')
    """)
    assert [(f, lang) for f, lang, _ in unpinned if lang != "sql"] == []
    for name, _, body in unpinned:
        for node in _nodes(parse_sql(body)):
            if isinstance(node, ast.FuncCall) and len(node.funcname) == 1:
                called = node.funcname[0].sval
                found = catalog.execute(
                    "SELECT count(*) FROM pg_proc WHERE proname = %s AND pronamespace <> 'pg_catalog'::regnamespace",
                    (called,),
                ).fetchone()
                assert found == (0,), f"{name} calls {called}() unqualified, and it is not only pg_catalog's"
            if isinstance(node, ast.RangeVar):
                assert node.schemaname, f"{name} reads {node.relname} unqualified"


NEEDS = r"""
    WITH owned (cls, oid, ns) AS (
        SELECT 'pg_class'::regclass, c.oid, c.relnamespace FROM pg_class AS c
        UNION ALL SELECT 'pg_proc'::regclass, p.oid, p.pronamespace FROM pg_proc AS p
        UNION ALL SELECT 'pg_type'::regclass, t.oid, t.typnamespace FROM pg_type AS t
        UNION ALL SELECT 'pg_constraint'::regclass, k.oid, k.connamespace FROM pg_constraint AS k
        UNION ALL SELECT 'pg_trigger'::regclass, g.oid, c.relnamespace
                  FROM pg_trigger AS g JOIN pg_class AS c ON c.oid = g.tgrelid
        UNION ALL SELECT 'pg_attrdef'::regclass, a.oid, c.relnamespace
                  FROM pg_attrdef AS a JOIN pg_class AS c ON c.oid = a.adrelid
    ),
    named (cls, oid, name) AS (
        SELECT 'pg_proc'::regclass, p.oid, p.proname::text FROM pg_proc AS p
        UNION ALL SELECT 'pg_type'::regclass, t.oid, t.typname::text FROM pg_type AS t
        UNION ALL SELECT 'pg_class'::regclass, c.oid, c.relname::text FROM pg_class AS c
    )
    SELECT DISTINCT o.ns::regnamespace::text, r.ns::regnamespace::text || '.' || n.name
    FROM pg_depend AS d
    JOIN owned AS o ON o.cls = d.classid AND o.oid = d.objid
    JOIN owned AS r ON r.cls = d.refclassid AND r.oid = d.refobjid
    JOIN named AS n ON n.cls = d.refclassid AND n.oid = d.refobjid
    WHERE d.deptype IN ('n', 'a') AND o.ns::regnamespace::text = ANY(%(s)s)
      AND r.ns::regnamespace::text IN ('common', 'extensions')
    UNION
    SELECT DISTINCT p.pronamespace::regnamespace::text, m[1] || '.' || m[2]
    FROM pg_proc AS p, regexp_matches(p.prosrc, '\m(common|extensions)\.(\w+)', 'g') AS m
    WHERE p.pronamespace::regnamespace::text = ANY(%(s)s)
"""


def doc_section(schema: str) -> str:
    text = SCALING_DOC.read_text()
    m = re.search(rf"^## `{schema}`\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert m, f"docs/scaling.md has no section ## `{schema}`"
    return m.group(1)


@pytest.mark.parametrize("schema", SCHEMAS)
def test_what_a_schema_needs_from_common_is_listed(catalog: psycopg.Connection[Any], schema: str) -> None:
    """Functions, types and tables of common and extensions that the schema's columns, defaults, constraints,
    triggers and function bodies use: they must exist on every node, so the scaling doc lists them."""
    needed = sorted(name for s, name in rows(catalog, NEEDS) if s == schema)
    assert "common.now" in needed, "every schema reads the database's clock"
    listed = set(re.findall(r"`((?:common|extensions)\.\w+)`", doc_section(schema)))
    assert [n for n in needed if n not in listed] == [], f"docs/scaling.md, ## `{schema}`: list these"
    assert sorted(listed - set(needed)) == [], f"docs/scaling.md, ## `{schema}` lists what it no longer needs"


# -- row locks -------------------------------------------------------------------------------------------


def _nodes(tree: Any) -> Iterator[ast.Node]:
    found: list[ast.Node] = []

    class Collect(Visitor):  # type: ignore[misc]
        def visit(self, ancestors: Any, node: ast.Node) -> None:
            found.append(node)

    Collect()(tree)
    return iter(found)


def _plpgsql_statements(body: str, header: str, composite: set[str]) -> Iterator[str]:
    """The SQL statements of a PL/pgSQL body (pglast's PL/pgSQL parser). It cannot look types up
    outside pg_catalog: the declared variables become ``record`` (a row type) or ``text``."""
    m = re.search(r"(?is)^\s*declare(.*?)\bbegin\b", body)
    if m:
        def plain(d: re.Match[str]) -> str:
            kind = "record" if d.group(2).lower() in composite or "%rowtype" in d.group(2).lower() else "text"
            return d.group(1) + kind + ("[]" if d.group(3) and kind == "text" else "")

        declared = re.sub(
            r"(?im)^(\s*\w+\s+(?:constant\s+)?)([\w.]+\.[\w.]+(?:%rowtype|%type)?|[\w.]+%(?:rowtype|type))(\[\])?",
            plain, m.group(1),
        )
        body = body[: m.start(1)] + declared + body[m.end(1):]
    tree = parse_plpgsql(f"{header} AS $chaindb${body}$chaindb$")

    def walk(x: Any) -> Iterator[str]:
        if isinstance(x, dict):
            for k, v in x.items():
                if k == "query" and isinstance(v, str):
                    yield v
                else:
                    yield from walk(v)
        elif isinstance(x, list):
            for v in x:
                yield from walk(v)

    yield from walk(tree)


def _equal_columns(where: Any) -> set[tuple[str | None, str]]:
    """(qualifier, column) of each ``column = ...`` or ``column = ANY(...)`` among the WHERE's top-level ANDs."""
    conjuncts = (
        list(where.args)
        if isinstance(where, ast.BoolExpr) and where.boolop == BoolExprType.AND_EXPR
        else [where]
    )
    cols: set[tuple[str | None, str]] = set()
    for c in conjuncts:
        if isinstance(c, ast.A_Expr) and [n.sval for n in c.name] == ["="]:
            for side in (c.lexpr, c.rexpr):
                if isinstance(side, ast.ColumnRef) and all(isinstance(f, ast.String) for f in side.fields):
                    names = [f.sval for f in side.fields]
                    cols.add((names[0] if len(names) == 2 else None, names[-1]))
    return cols


def _unkeyed(statement: str, keys: dict[str, list[set[str]]]) -> list[str]:
    """The locked tables of each locking SELECT of ``statement`` that no unique key equality pins."""
    problems: list[str] = []
    for node in _nodes(parse_sql(statement)):
        if not isinstance(node, ast.SelectStmt) or not node.lockingClause:
            continue
        tables: dict[str, str] = {}  # alias (or name) -> schema.table
        for rel in _nodes(node.fromClause or ()):
            if isinstance(rel, ast.RangeVar) and rel.schemaname:
                tables[rel.alias.aliasname if rel.alias else rel.relname] = f"{rel.schemaname}.{rel.relname}"
        locked = {r.relname for c in node.lockingClause for r in (c.lockedRels or ())} or set(tables)
        # the WHERE's equalities, and the joins' (a row joined on its key to a row pinned by its own)
        joins = [j.quals for j in _nodes(node.fromClause or ()) if isinstance(j, ast.JoinExpr)]
        conditions = [node.whereClause, *joins]
        equal = set().union(*(_equal_columns(c) for c in conditions if c is not None))
        for alias in sorted(locked):
            table = tables.get(alias)
            if table is None:
                continue
            cols = {c for q, c in equal if q in (alias, None)}
            if not any(key <= cols for key in keys.get(table, [])):
                problems.append(table)
    return problems


def test_row_locks_take_their_rows_by_a_unique_key(catalog: psycopg.Connection[Any]) -> None:
    keys: dict[str, list[set[str]]] = {}
    for table, cols in rows(catalog, """
        SELECT x.indrelid::regclass::text, array_agg(a.attname::text)
        FROM pg_index AS x JOIN pg_attribute AS a ON a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey)
        JOIN pg_class AS c ON c.oid = x.indrelid
        WHERE x.indisunique AND x.indpred IS NULL AND c.relnamespace::regnamespace::text = ANY(%(s)s)
        GROUP BY x.indexrelid, x.indrelid
    """):
        keys.setdefault(table, []).append(set(cols))
    composite = {t for (t,) in rows(catalog, """
        SELECT format('%%s.%%s', t.typnamespace::regnamespace, t.typname) FROM pg_type AS t
        WHERE t.typtype = 'c' AND t.typnamespace::regnamespace::text = ANY(%(s)s)
    """)}
    functions = rows(catalog, """
        SELECT p.oid::regprocedure::text, l.lanname::text, p.prosrc,
               format('CREATE FUNCTION pg_temp.f(%%s) RETURNS %%s LANGUAGE plpgsql',
                      coalesce((SELECT string_agg(format('%%s %%I text',
                                    CASE m WHEN 'o' THEN 'OUT' WHEN 't' THEN 'OUT' WHEN 'b' THEN 'INOUT' ELSE 'IN' END,
                                    coalesce(nullif(n, ''), 'a' || k)), ', ')
                                FROM unnest(p.proargmodes::text[], p.proargnames) WITH ORDINALITY AS u (m, n, k)), ''),
                      CASE WHEN p.prorettype = 'trigger'::regtype THEN 'trigger'
                           WHEN p.prorettype = 'void'::regtype THEN 'void'
                           WHEN p.proretset THEN 'SETOF record' ELSE 'record' END)
        FROM pg_proc AS p JOIN pg_language AS l ON l.oid = p.prolang
        WHERE p.pronamespace::regnamespace::text = ANY(%(s)s) AND l.lanname IN ('sql', 'plpgsql')
    """)
    found: dict[str, list[str]] = {}
    locking = 0
    for name, language, body, header in functions:
        statements = [body] if language == "sql" else list(_plpgsql_statements(body, header, composite))
        for statement in statements:
            if _LOCK.search(statement):
                locking += 1
                found.setdefault(name, []).extend(_unkeyed(statement, keys))
    for schema in SCHEMAS:
        for query in load_schema(admin.project_root() / "queries", schema):
            if _LOCK.search(query.sql):
                locking += 1
                numbered = re.sub(r"%\((\w+)\)s", r"$1", query.sql).replace("%%", "%")
                found.setdefault(f"{schema}.{query.name}", []).extend(_unkeyed(numbered, keys))
    assert locking >= 40, "the functions' row locks were read"
    unkeyed = {name: sorted(set(tables)) for name, tables in found.items() if tables}
    assert sorted(set(unkeyed) - set(UNKEYED_LOCKS)) == [], unkeyed
    assert sorted(set(UNKEYED_LOCKS) - set(unkeyed)) == [], "exemptions for locks now taken by a key"
