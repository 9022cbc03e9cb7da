"""Turn loaded queries into typed descriptions: parameters, result fields, nullability, models."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

from aiosql.types import SQLOperationType as Op
from pydantic import BaseModel

from chaindb.codegen import sqltext
from chaindb.codegen.catalog import Catalog, DescribeError, PyType, ResultColumn, TableDef
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


@dataclass
class Query:
    raw: RawQuery
    params: list[Param]
    fields: list[ResultField]
    one: bool  # a row is always returned (``@one`` or a plain INSERT ... VALUES ... RETURNING)
    # the rows come from a non-SETOF function returning a table row: a NULL result is a row of
    # NULLs, which the generated code treats as "no row"
    null_row: bool = False
    table: int | None = None  # the result is exactly a row of this table
    model: str = ""  # class name of the result model
    names: dict[str, str] = field(default_factory=dict)  # generated names: kind → name

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


def analyze(cat: Catalog, raw: RawQuery, class_names: frozenset[str]) -> Query:
    """Describe one query on the server and work out its Python shape."""
    try:
        numbered, order = sqltext.to_numbered(raw.sql)
    except sqltext.PlaceholderError as exc:
        raise raw.error(str(exc)) from exc

    declared = raw.parameters if raw.parameters is not None else order
    unknown = raw.directives.nullable_params - set(order)
    if unknown:
        raise raw.error(f"@nullable-param names no parameter: {', '.join(sorted(unknown))}")

    if raw.operation == Op.SCRIPT:
        return Query(raw, [], [], one=False)

    try:
        param_oids, columns = cat.describe(numbered)
    except DescribeError as exc:
        offset = None
        if exc.position is not None:
            # position counts characters of the numbered SQL; map it back to aiosql's SQL
            offset = _original_offset(raw.sql, numbered, exc.position - 1)
        raise raw.error(f"does not prepare: {exc}", offset) from exc
    if len(param_oids) != len(order):
        raise raw.error(f"expected {len(order)} parameters, the server sees {len(param_oids)}")

    reserved = set(MODULE_NAMES | class_names | {"conn", "rows"})
    params: list[Param] = []
    seen_py: dict[str, str] = {}
    oid_of = dict(zip(order, param_oids, strict=True))
    for name in declared:
        py = py_identifier(name, reserved)
        if py in seen_py:
            raise raw.error(f"parameters {seen_py[py]} and {name} both become {py} in Python")
        seen_py[py] = name
        params.append(Param(name, py, cat.map(oid_of[name]), name in raw.directives.nullable_params))

    op = raw.operation
    if op in (Op.SELECT, Op.SELECT_ONE, Op.INSERT_RETURNING) and not columns:
        raise raw.error("returns no columns: use ! (rowcount) or add RETURNING")
    if op == Op.SELECT_VALUE and len(columns) != 1:
        raise raw.error(f"$ returns one value, this query returns {len(columns)} columns")

    fields, null_row = _fields(cat, raw, columns, class_names)
    one = raw.directives.one or (op == Op.INSERT_RETURNING and sqltext.always_one_row(raw.sql))
    if raw.directives.one and op not in (Op.SELECT_ONE, Op.SELECT_VALUE, Op.INSERT_RETURNING):
        raise raw.error("@one applies to ^, $ and <! queries only")
    query = Query(raw, params, fields, one=one, null_row=null_row)
    query.table = _whole_table(cat, fields)
    return query


def _original_offset(original: str, numbered: str, index: int) -> int:
    """The offset in ``original`` (with %(name)s) of character ``index`` of ``numbered``."""
    line = numbered[:index].count("\n")
    lines = original.split("\n")
    return sum(len(x) + 1 for x in lines[:line])


def _fields(
    cat: Catalog, raw: RawQuery, columns: list[ResultColumn], class_names: frozenset[str]
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
    for c in columns:
        nullable = True
        proven = False  # NOT NULL proven by the catalog: a table column, not NULL-extended
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
        if d.all_not_null or c.name in d.not_null:
            nullable = False
        if c.name in d.nullable:
            nullable = True
        py = "value" if op == Op.SELECT_VALUE else field_name(c.name, reserved)
        out.append(ResultField(c.name, py, cat.map(c.type_oid), nullable, src, checked=not nullable and not proven))
    null_row = function is not None and not function[1] and op != Op.SELECT_VALUE
    return out, null_row


def _whole_table(cat: Catalog, fields: list[ResultField]) -> int | None:
    """The table oid when the fields are exactly that table's row (names, order, NULL-ness)."""
    if not fields or fields[0].source is None:
        return None
    oid = fields[0].source[0]
    table = cat.table(oid)
    if table.relkind not in ("r", "p") or len(fields) != len(table.columns):
        return None
    for f, (attnum, (attname, notnull, _)) in zip(fields, table.columns.items(), strict=True):
        if f.source != (oid, attnum) or f.column != attname or f.nullable == notnull:
            return None
    return oid
