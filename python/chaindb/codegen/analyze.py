"""Turn loaded queries into typed descriptions: parameters, result fields, nullability, models."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

from aiosql.types import SQLOperationType as Op
from pydantic import BaseModel

from chaindb.codegen import sqltext
from chaindb.codegen.catalog import Catalog, DescribeError, PyType, ResultColumn, TableDef
from chaindb.codegen.infer import Col, Inference, Null, Rows
from chaindb.codegen.loader import RawQuery

# Names a generated module defines or imports at module level; fields and parameters avoid them.
MODULE_NAMES = frozenset(
    {
        "Annotated", "Any", "AsyncIterator", "Field", "Final", "Iterable", "Iterator", "JsonValue", "Mapping",
        "MappingProxyType", "Multirange", "Range", "StrEnum", "TypedDict", "datetime", "decimal", "ipaddress",
        "psycopg", "uuid",
    }
)
_BASEMODEL_NAMES = frozenset(dir(BaseModel))
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@dataclass
class Param:
    sql_name: str
    py_name: str
    type: PyType
    nullable: bool
    optional: bool = False  # @optional: None drops its WHERE part
    json_type: str | None = None  # @json: a project type instead of JsonValue
    type_oid: int = 0  # the type the server gives the parameter


@dataclass
class ResultField:
    column: str
    py_name: str
    type: PyType
    nullable: bool
    source: tuple[int, int] | None  # (table oid, attnum) the value comes from, if known
    # declared never NULL although the catalog cannot prove it (@not-null, a function's row):
    # the row maker checks it at run time
    checked: bool = False
    rows: Rows | None = None  # json_agg(t) / array_agg(t): a list of the table's rows
    json_type: str | None = None  # @json: a project type instead of JsonValue
    type_oid: int = 0  # the column's type as the server describes it


@dataclass
class Query:
    raw: RawQuery
    params: list[Param]
    fields: list[ResultField]
    one: bool  # a row is always returned (``@one`` or a plain INSERT ... VALUES ... RETURNING)
    # the rows come from a non-SETOF function returning a table row: a NULL result is a row of
    # NULLs, which the generated code treats as "no row"
    null_row: bool = False
    optional: list[str] = field(default_factory=list)  # @optional parameters
    table: int | None = None  # the result is exactly a row of this table
    model: str = ""  # class name of the result model
    names: dict[str, str] = field(default_factory=dict)  # generated names: kind → name
    # routing: it writes (a table, a row lock, a volatile function: Catalog.writes), or it must read
    # the primary although it writes nothing (``@primary``: an exactly-once or idempotency check)
    write: bool = False
    primary: bool = False

    @property
    def op(self) -> Op:
        return self.raw.operation

    @property
    def name(self) -> str:
        return self.raw.name


def py_identifier(name: str, reserved: frozenset[str] | set[str]) -> str:
    """A safe Python name for a column or parameter (``from`` → ``from_``)."""
    ident = re.sub(r"[^0-9A-Za-z_]+", "_", name).strip("_") or "value"
    if ident[0].isdigit():
        ident = "f_" + ident
    if keyword.iskeyword(ident) or ident in reserved:
        ident += "_"
    return ident


def field_name(column: str, reserved: frozenset[str] | set[str]) -> str:
    ok = (
        _IDENT.fullmatch(column) is not None
        and not keyword.iskeyword(column)
        and column not in _BASEMODEL_NAMES
        and not column.startswith("model_")
        and column not in reserved
    )
    return column if ok else py_identifier(column, reserved | _BASEMODEL_NAMES)


MAX_OPTIONAL = 4  # @optional: at most 2**4 variants, each prepared at generation time
_JSON_TYPES = ("json", "jsonb")
_TYPE_WORDS = frozenset({"list", "dict", "tuple", "set", "frozenset", "str", "int", "float", "bool", "None"})


def analyze(cat: Catalog, raw: RawQuery, class_names: frozenset[str], *, infer: bool = True) -> Query:
    """Describe one query on the server and work out its Python shape.

    ``infer``: work out nullability from the parse tree (``chaindb.codegen.infer``); False keeps the
    catalog-only rule alone (the rule before the parse was used, kept as the fallback).
    """
    try:
        numbered, order = sqltext.to_numbered(raw.sql)
    except sqltext.PlaceholderError as exc:
        raise raw.error(str(exc)) from exc

    d = raw.directives
    declared = raw.parameters if raw.parameters is not None else order
    unknown = d.nullable_params - set(order)
    if unknown:
        raise raw.error(f"@nullable-param names no parameter: {', '.join(sorted(unknown))}")

    if raw.operation == Op.SCRIPT:
        if d.optional or d.json:
            raise raw.error("@optional and @json do not apply to scripts (#)")
        return Query(raw, [], [], one=False, write=True)

    param_oids, columns = _describe(cat, raw, numbered)
    if len(param_oids) != len(order):
        raise raw.error(f"expected {len(order)} parameters, the server sees {len(param_oids)}")
    variants = _optional_variants(cat, raw, order, columns)

    reserved = set(MODULE_NAMES | class_names | {"conn", "rows"})
    params: list[Param] = []
    seen_py: dict[str, str] = {}
    oid_of = dict(zip(order, param_oids, strict=True))
    for name in declared:
        py = py_identifier(name, reserved)
        if py in seen_py:
            raise raw.error(f"parameters {seen_py[py]} and {name} both become {py} in Python")
        seen_py[py] = name
        nullable = name in d.nullable_params or name in d.optional
        params.append(
            Param(name, py, cat.map(oid_of[name]), nullable, optional=name in d.optional, type_oid=oid_of[name])
        )

    op = raw.operation
    if op in (Op.SELECT, Op.SELECT_ONE, Op.INSERT_RETURNING) and not columns:
        raise raw.error("returns no columns: use ! (rowcount) or add RETURNING")
    if op == Op.SELECT_VALUE and len(columns) != 1:
        raise raw.error(f"$ returns one value, this query returns {len(columns)} columns")

    inferred: list[Col] | None = None
    if infer and op not in (Op.INSERT_UPDATE_DELETE, Op.INSERT_UPDATE_DELETE_MANY):
        # with @optional, the variant without any optional part: what holds for it holds for all
        least = variants[frozenset(d.optional)] if d.optional else raw.sql
        least_numbered, least_order = sqltext.to_numbered(least)
        param_nulls = [Null.MAYBE if n in d.nullable_params else Null.CLAIMED for n in least_order]
        inferred = Inference(cat, param_nulls).statement(least_numbered)
        if inferred is not None and len(inferred) != len(columns):
            inferred = None
    fields, null_row = _fields(cat, raw, columns, class_names, inferred)
    _json_directives(cat, raw, params, fields)
    one = d.one or (op == Op.INSERT_RETURNING and sqltext.always_one_row(raw.sql))
    if d.one and op not in (Op.SELECT_ONE, Op.SELECT_VALUE, Op.INSERT_RETURNING):
        raise raw.error("@one applies to ^, $ and <! queries only")
    query = Query(raw, params, fields, one=one, null_row=null_row, optional=list(d.optional))
    query.table = _whole_table(cat, fields)
    query.write = cat.writes(numbered, param_oids)
    query.primary = d.primary and not query.write
    return query


def _describe(cat: Catalog, raw: RawQuery, numbered: str, what: str = "") -> tuple[list[int], list[ResultColumn]]:
    try:
        return cat.describe(numbered)
    except DescribeError as exc:
        offset = None
        if exc.position is not None and not what:
            # position counts characters of the numbered SQL; map it back to aiosql's SQL
            offset = _original_offset(raw.sql, numbered, exc.position - 1)
        raise raw.error(f"does not prepare{what}: {exc}", offset) from exc


def _optional_variants(
    cat: Catalog, raw: RawQuery, order: list[str], columns: list[ResultColumn]
) -> dict[frozenset[str], str]:
    """``@optional``: the SQL of every combination of omitted parameters, each prepared here."""
    optional = raw.directives.optional
    if not optional:
        return {}
    unknown = [n for n in optional if n not in order]
    if unknown:
        raise raw.error(f"@optional names no parameter: {', '.join(unknown)}")
    if raw.operation == Op.INSERT_UPDATE_DELETE_MANY:
        raise raw.error("@optional does not apply to *! (one statement for every row)")
    if len(optional) > MAX_OPTIONAL:
        limit = f"at most {MAX_OPTIONAL} parameters ({2**MAX_OPTIONAL} statements)"
        raise raw.error(f"@optional: {limit}, got {len(optional)}")
    try:
        variants = sqltext.optional_variants(raw.sql, optional)
    except sqltext.OptionalError as exc:
        raise raw.error(str(exc)) from exc
    for omitted, sql in variants.items():
        if not omitted:
            continue
        what = f" without {', '.join(n for n in optional if n in omitted)}"
        _, cols = _describe(cat, raw, sqltext.to_numbered(sql)[0], what)
        if [(c.name, c.type_oid) for c in cols] != [(c.name, c.type_oid) for c in columns]:
            raise raw.error(f"the statement{what} returns other columns")
    return variants


def _json_directives(cat: Catalog, raw: RawQuery, params: list[Param], fields: list[ResultField]) -> None:
    """``@json name: Type``: a json/jsonb result column or parameter typed with a project model."""
    for name, expr in raw.directives.json.items():
        targets: list[Param | ResultField] = [p for p in params if p.sql_name == name]
        targets += [f for f in fields if f.column == name]
        if not targets:
            raise raw.error(f"@json {name}: no result column or parameter of that name")
        try:
            compile(expr, "<@json>", "eval")
        except SyntaxError as exc:
            raise raw.error(f"@json {name}: {expr!r} is not a Python type expression") from exc
        for t in targets:
            if t.type.ann != "JsonValue":
                raise raw.error(f"@json {name}: only a json or jsonb value can be typed so")
            t.json_type = expr


def json_type_names(expr: str) -> list[str]:
    """The names a ``@json`` type expression takes from the schema's ``types`` module."""
    found = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expr)
    return sorted({n for n in found if n not in _TYPE_WORDS})


def table_fields(cat: Catalog, oid: int) -> list[ResultField]:
    """The fields of a table's model, from the catalog (a table only nested results use)."""
    table = cat.table(oid)
    return [
        ResultField(name, field_name(name, MODULE_NAMES), cat.map(atttype), not notnull, (oid, attnum))
        for attnum, (name, notnull, atttype) in table.columns.items()
    ]


def nested_problem(cat: Catalog, oid: int) -> str | None:
    """Why the rows of a table cannot be nested (a column type read back from JSON/text is not
    supported), or None."""
    for name, _notnull, atttype in cat.table(oid).columns.values():
        t = cat.map(atttype)
        if t.ann.startswith(("Range", "Multirange", "tuple")) or (t.note and "composite" in t.note):
            return f"column {name} ({t.ann})"
    return None


def _original_offset(original: str, numbered: str, index: int) -> int:
    """The offset in ``original`` (with %(name)s) of character ``index`` of ``numbered``."""
    line = numbered[:index].count("\n")
    lines = original.split("\n")
    return sum(len(x) + 1 for x in lines[:line])


def _fields(
    cat: Catalog, raw: RawQuery, columns: list[ResultColumn], class_names: frozenset[str], inferred: list[Col] | None
) -> tuple[list[ResultField], bool]:
    op = raw.operation
    if op in (Op.INSERT_UPDATE_DELETE, Op.INSERT_UPDATE_DELETE_MANY, Op.SCRIPT):
        return [], False
    names = [c.name for c in columns]
    if op != Op.SELECT_VALUE:
        for c in columns:
            if c.name == "?column?":
                raise raw.error("a result column has no name: alias every expression (AS name)")
        dups = sorted({n for n in names if names.count(n) > 1})
        if dups:
            raise raw.error(f"duplicate result column names: {', '.join(dups)} (alias them)")
    d = raw.directives
    unknown = (d.not_null | d.nullable) - set(names)
    if unknown and op != Op.SELECT_VALUE:
        raise raw.error(f"@not-null/@nullable name no result column: {', '.join(sorted(unknown))}")

    outer = sqltext.outer_join_nullable(raw.sql)
    grouping = sqltext.has_grouping_sets(raw.sql)
    function: tuple[TableDef, bool] | None = None
    if any(c.table_oid == 0 for c in columns):
        source = sqltext.single_function_source(raw.sql)
        if source is not None:
            found = cat.function_table(*source)
            if found is not None:
                function = (cat.table(found[0]), found[1])

    reserved = set(MODULE_NAMES | class_names)
    out: list[ResultField] = []
    for i, c in enumerate(columns):
        nullable = True
        proven = False  # NOT NULL proven (the catalog, the parse): never checked at run time
        src: tuple[int, int] | None = None
        if c.table_oid and c.attnum > 0:
            src = (c.table_oid, c.attnum)
            table = cat.table(c.table_oid)
            notnull = table.columns[c.attnum][1]
            nullable = not notnull or table.name.lower() in outer or grouping
            proven = not nullable
        elif function is not None:
            table, setof = function
            for attnum, (attname, notnull, atttype) in table.columns.items():
                if attname == c.name and cat.base_type(atttype) == c.type_oid:
                    src = (table.oid, attnum)
                    nullable = not (notnull and setof)
                    break
        if inferred is not None:
            nullable = inferred[i].null == Null.MAYBE
            proven = inferred[i].null == Null.PROVEN
        if d.all_not_null or c.name in d.not_null:
            nullable = False
        if c.name in d.nullable:
            nullable = True
        py = "value" if op == Op.SELECT_VALUE else field_name(c.name, reserved)
        rows = _nested_rows(cat, raw, c, inferred[i].rows if inferred is not None else None)
        out.append(
            ResultField(
                c.name, py, cat.map(c.type_oid), nullable, src, checked=not nullable and not proven, rows=rows,
                type_oid=c.type_oid,
            )
        )
    null_row = function is not None and not function[1] and op != Op.SELECT_VALUE
    return out, null_row


def _nested_rows(cat: Catalog, raw: RawQuery, c: ResultColumn, rows: Rows | None) -> Rows | None:
    """The rows the parse saw aggregated into this column, when its type agrees."""
    if rows is None:
        return None
    t = cat.type_row(c.type_oid)
    if rows.kind == "json":
        ok = t.schema == "pg_catalog" and t.name in _JSON_TYPES
    else:
        ok = t.category == "A" and t.elem != 0 and cat.type_row(t.elem).relid == rows.relid
    if not ok:
        return None
    problem = nested_problem(cat, rows.relid)
    if problem is not None:
        table = cat.table(rows.relid)
        raise raw.error(f"{c.name}: rows of {table.schema}.{table.name} cannot be nested: {problem}")
    return rows


def _whole_table(cat: Catalog, fields: list[ResultField]) -> int | None:
    """The table oid when the fields are exactly that table's row (names, order, NULL-ness).

    A field known non-NULL where the table allows NULL (``WHERE t.col = ...``) still counts: the
    result keeps the table's model, and that field its table's type.
    """
    if not fields or fields[0].source is None:
        return None
    oid = fields[0].source[0]
    table = cat.table(oid)
    if table.relkind not in ("r", "p") or len(fields) != len(table.columns):
        return None
    for f, (attnum, (attname, notnull, _)) in zip(fields, table.columns.items(), strict=True):
        if f.source != (oid, attnum) or f.column != attname or (f.nullable and notnull):
            return None
    for f, (notnull, _name) in zip(fields, ((c[1], c[0]) for c in table.columns.values()), strict=True):
        if not notnull:
            f.nullable, f.checked = True, False
    return oid
