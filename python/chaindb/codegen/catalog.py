"""What the generator asks PostgreSQL: libpq describe of a query, pg_type, pg_attribute, pg_proc."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import pq
from psycopg.pq import Format

# An import a generated module needs: (module, name, alias); name None means ``import module``.
Import = tuple[str, str | None, str | None]

IMP_ANY: Import = ("typing", "Any", None)
IMP_ANNOTATED: Import = ("typing", "Annotated", None)
IMP_VALIDATOR: Import = ("pydantic", "BeforeValidator", None)
IMP_RT: Import = ("chaindb.codegen", "runtime", "_rt")
IMP_JSONB: Import = ("psycopg.types.json", "Jsonb", "_Jsonb")
IMP_JSON: Import = ("psycopg.types.json", "Json", "_Json")


@dataclass(frozen=True)
class PyType:
    """How one PostgreSQL type looks in Python."""

    ann: str
    param_ann: str
    imports: frozenset[Import] = frozenset()
    # the value arrives as text from psycopg and must be parsed by runtime.pg_array
    text_array: bool = False
    # for such an array: the built-in element type whose psycopg loader converts each element
    element_oid: int | None = None
    # the value needs pydantic validation to get its Python type (enum labels)
    validate: bool = False
    # parameter conversion, a format string with {} for the value (e.g. "_Jsonb({})")
    wrap: str | None = None
    wrap_imports: frozenset[Import] = frozenset()
    note: str | None = None

    def plain(self, nullable: bool) -> str:
        """The Python type of a value (no validator)."""
        if nullable and self.ann not in ("Any", "None"):
            return f"{self.ann} | None"
        return self.ann

    def result(self, nullable: bool) -> str:
        """The annotation of a model field (with the text-array validator when needed)."""
        ann = self.plain(nullable)
        if self.text_array:
            parse = "_rt.pg_array" if self.element_oid is None else f"_rt.pg_array_of({self.element_oid})"
            ann = f"Annotated[{ann}, BeforeValidator({parse})]"
        return ann

    def result_imports(self) -> frozenset[Import]:
        extra = {IMP_ANNOTATED, IMP_VALIDATOR, IMP_RT} if self.text_array else set()
        return self.imports | extra

    def param(self, nullable: bool) -> str:
        ann = self.param_ann
        if nullable and ann not in ("Any", "None"):
            ann = f"{ann} | None"
        return ann


def _t(ann: str, param: str | None = None, *imports: Import, wrap: str | None = None,
       wrap_imports: tuple[Import, ...] = (), note: str | None = None) -> PyType:
    return PyType(ann, param or ann, frozenset(imports), wrap=wrap, wrap_imports=frozenset(wrap_imports), note=note)


_DT: Import = ("datetime", None, None)
_DEC: Import = ("decimal", None, None)
_IP: Import = ("ipaddress", None, None)
_UUID: Import = ("uuid", None, None)
_RANGE: Import = ("psycopg.types.range", "Range", None)
_MULTI: Import = ("psycopg.types.multirange", "Multirange", None)
_INET = "ipaddress.IPv4Address | ipaddress.IPv6Address | ipaddress.IPv4Interface | ipaddress.IPv6Interface"
_CIDR = "ipaddress.IPv4Network | ipaddress.IPv6Network"

# pg_catalog types psycopg loads into Python objects (text format), and a few it returns as text.
BUILTIN: dict[str, PyType] = {
    "bool": _t("bool"),
    "int2": _t("int"),
    "int4": _t("int"),
    "int8": _t("int"),
    "oid": _t("int"),
    "float4": _t("float"),
    "float8": _t("float"),
    "numeric": _t("decimal.Decimal", "decimal.Decimal | int", _DEC),
    "text": _t("str"),
    "varchar": _t("str"),
    "bpchar": _t("str"),
    "name": _t("str"),
    "char": _t("str"),
    "unknown": _t("str"),
    "uuid": _t("uuid.UUID", None, _UUID),
    "date": _t("datetime.date", None, _DT),
    "time": _t("datetime.time", None, _DT),
    "timetz": _t("datetime.time", None, _DT),
    "timestamp": _t("datetime.datetime", None, _DT),
    "timestamptz": _t("datetime.datetime", None, _DT),
    "interval": _t("datetime.timedelta", None, _DT),
    "json": _t("Any", None, IMP_ANY, wrap="_Json({})", wrap_imports=(IMP_JSON,)),
    "jsonb": _t("Any", None, IMP_ANY, wrap="_Jsonb({})", wrap_imports=(IMP_JSONB,)),
    "bytea": _t("bytes"),
    "inet": _t(_INET, f"{_INET} | str", _IP),
    "cidr": _t(_CIDR, f"{_CIDR} | str", _IP),
    "int4range": _t("Range[int]", None, _RANGE),
    "int8range": _t("Range[int]", None, _RANGE),
    "numrange": _t("Range[decimal.Decimal]", None, _RANGE, _DEC),
    "daterange": _t("Range[datetime.date]", None, _RANGE, _DT),
    "tsrange": _t("Range[datetime.datetime]", None, _RANGE, _DT),
    "tstzrange": _t("Range[datetime.datetime]", None, _RANGE, _DT),
    "int4multirange": _t("Multirange[int]", None, _MULTI),
    "int8multirange": _t("Multirange[int]", None, _MULTI),
    "nummultirange": _t("Multirange[decimal.Decimal]", None, _MULTI, _DEC),
    "datemultirange": _t("Multirange[datetime.date]", None, _MULTI, _DT),
    "tsmultirange": _t("Multirange[datetime.datetime]", None, _MULTI, _DT),
    "tstzmultirange": _t("Multirange[datetime.datetime]", None, _MULTI, _DT),
    "record": _t("tuple[Any, ...]", "tuple[Any, ...]", IMP_ANY),
    "void": _t("None"),
    "money": _t("str", "str | decimal.Decimal | int", _DEC, note="money: returned as text"),
}


def pascal(name: str) -> str:
    """``code_packs`` → ``CodePacks``; any non-alphanumeric run separates words."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", name) if p]
    out = "".join(p[:1].upper() + p[1:] for p in parts)
    if not out or out[0].isdigit():
        out = "T" + out
    return out


def singular(word: str) -> str:
    """A light singular of an English table name's last word (``ledger_entries`` → ``ledger_entry``)."""
    lower = word.lower()
    rules = [
        ("ies", "y"), ("sses", "ss"), ("shes", "sh"), ("ches", "ch"), ("xes", "x"), ("uses", "us"),
        ("status", "status"), ("ss", "ss"), ("us", "us"), ("is", "is"), ("s", ""),
    ]
    for suffix, repl in rules:
        if lower.endswith(suffix) and len(word) > len(suffix):
            return word[: len(word) - len(suffix)] + repl
    return word


@dataclass
class EnumDef:
    oid: int
    schema: str
    name: str
    labels: list[str]
    class_name: str = ""


@dataclass
class TableDef:
    oid: int
    schema: str
    name: str
    relkind: str
    # attnum → (name, notnull, type oid)
    columns: dict[int, tuple[str, bool, int]] = field(default_factory=dict)
    class_name: str = ""


@dataclass(frozen=True)
class TypeRow:
    oid: int
    name: str
    schema: str
    typtype: str
    category: str
    elem: int
    basetype: int
    relid: int


@dataclass(frozen=True)
class ResultColumn:
    name: str
    type_oid: int
    table_oid: int
    attnum: int


class DescribeError(Exception):
    def __init__(self, message: str, position: int | None) -> None:
        super().__init__(message)
        self.position = position


class Catalog:
    """Cached catalog look-ups on one connection, for one target schema."""

    def __init__(self, conn: psycopg.Connection[Any], schema: str) -> None:
        self.conn = conn
        self.schema = schema
        self._types: dict[int, TypeRow] = {}
        self._mapped: dict[int, PyType] = {}
        self.enums: dict[int, EnumDef] = {}
        self.tables: dict[int, TableDef] = {}
        self._counter = 0

    # -- describe ----------------------------------------------------------------------

    def describe(self, sql: str) -> tuple[list[int], list[ResultColumn]]:
        """Prepare ``sql`` (with ``$n`` placeholders) unnamed-ish and describe it."""
        self._counter += 1
        name = f"chaindb_codegen_{self._counter}".encode()
        pgconn = self.conn.pgconn
        encoding = self.conn.info.encoding
        res = pgconn.prepare(name, sql.encode(encoding))
        if res.status != pq.ExecStatus.COMMAND_OK:
            raise DescribeError(_error_text(res, encoding), _position(res))
        try:
            desc = pgconn.describe_prepared(name)
            if desc.status != pq.ExecStatus.COMMAND_OK:
                raise DescribeError(_error_text(desc, encoding), None)
            params = [desc.param_type(i) for i in range(desc.nparams)]
            cols = [
                ResultColumn(
                    (desc.fname(i) or b"").decode(encoding), desc.ftype(i), desc.ftable(i), desc.ftablecol(i)
                )
                for i in range(desc.nfields)
            ]
        finally:
            pgconn.exec_(b"DEALLOCATE " + name)
        return params, cols

    # -- types -------------------------------------------------------------------------

    def type_row(self, oid: int) -> TypeRow:
        if oid not in self._types:
            row = self.conn.execute(
                """
                SELECT t.oid::int8, t.typname::text, n.nspname::text, t.typtype::text, t.typcategory::text,
                       t.typelem::int8, t.typbasetype::int8, t.typrelid::int8
                  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                 WHERE t.oid = %s
                """,
                (oid,),
            ).fetchone()
            if row is None:
                raise LookupError(f"type oid {oid} not found")
            self._types[oid] = TypeRow(*row)
        return self._types[oid]

    def load_schema_enums(self) -> None:
        rows = self.conn.execute(
            """
            SELECT t.oid::int8 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = %s AND t.typtype = 'e' ORDER BY t.typname
            """,
            (self.schema,),
        ).fetchall()
        for (oid,) in rows:
            self.enum(oid)

    def enum(self, oid: int) -> EnumDef:
        if oid not in self.enums:
            t = self.type_row(oid)
            labels = [
                r[0]
                for r in self.conn.execute(
                    "SELECT enumlabel::text FROM pg_catalog.pg_enum WHERE enumtypid = %s ORDER BY enumsortorder",
                    (oid,),
                ).fetchall()
            ]
            self.enums[oid] = EnumDef(oid, t.schema, t.name, labels)
        return self.enums[oid]

    def map(self, oid: int) -> PyType:
        if oid not in self._mapped:
            self._mapped[oid] = self._map(oid)
        return self._mapped[oid]

    def _map(self, oid: int) -> PyType:
        t = self.type_row(oid)
        if t.typtype == "d":
            return self.map(t.basetype)
        if t.typtype == "e":
            self.enum(oid)
            return PyType(f"enum:{oid}", f"enum:{oid}", validate=True)
        if t.category == "A" and t.elem:
            elem = self.map(t.elem)
            known = psycopg.adapters.get_loader(oid, Format.TEXT) is not None
            base = self.base_type(t.elem)
            # built-in OIDs (< 10000) are the same in every database: safe to write into code
            loadable = base < 10000 and psycopg.adapters.get_loader(base, Format.TEXT) is not None
            return PyType(
                f"list[{elem.ann}]",
                f"list[{elem.param_ann}]",
                elem.imports,
                text_array=not known or elem.text_array,
                element_oid=base if not known and loadable else None,
                validate=elem.validate or not known,
                wrap=None if elem.wrap is None else f"[{elem.wrap.format('_v')} for _v in {{}}]",
                wrap_imports=elem.wrap_imports,
                note=elem.note,
            )
        if t.schema == "pg_catalog" and t.name in BUILTIN:
            return BUILTIN[t.name]
        if t.typtype == "p":
            return _t("Any", None, IMP_ANY, note=f"{t.name}: pseudo-type")
        what = {"c": "composite", "r": "range", "m": "multirange"}.get(t.typtype, "type")
        return _t("str", None, note=f"{t.schema}.{t.name}: {what} without a psycopg loader, returned as text")

    # -- tables and functions ----------------------------------------------------------

    def table(self, oid: int) -> TableDef:
        if oid not in self.tables:
            row = self.conn.execute(
                """
                SELECT n.nspname::text, c.relname::text, c.relkind::text
                  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.oid = %s
                """,
                (oid,),
            ).fetchone()
            if row is None:
                raise LookupError(f"relation oid {oid} not found")
            cols = self.conn.execute(
                """
                SELECT attnum::int, attname::text, attnotnull, atttypid::int8 FROM pg_catalog.pg_attribute
                 WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped ORDER BY attnum
                """,
                (oid,),
            ).fetchall()
            self.tables[oid] = TableDef(oid, row[0], row[1], row[2], {a: (n, nn, ty) for a, n, nn, ty in cols})
        return self.tables[oid]

    def base_type(self, oid: int) -> int:
        t = self.type_row(oid)
        return self.base_type(t.basetype) if t.typtype == "d" else oid

    def function_table(self, schema: str | None, name: str) -> tuple[int, bool] | None:
        """The table whose row type ``[schema.]name(...)`` returns, and whether it is SETOF.

        None unless every overload agrees.
        """
        rows = self.conn.execute(
            """
            SELECT DISTINCT c.oid::int8, p.proretset, c.relkind::text
              FROM pg_catalog.pg_proc p
              JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
              LEFT JOIN pg_catalog.pg_type t ON t.oid = p.prorettype
              LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
             WHERE p.proname = %(name)s
               AND CASE WHEN %(schema)s::text IS NULL THEN pg_catalog.pg_function_is_visible(p.oid)
                        ELSE n.nspname = %(schema)s::text END
            """,
            {"schema": schema, "name": name},
        ).fetchall()
        if len(rows) != 1 or rows[0][0] is None or rows[0][2] not in ("r", "p"):
            return None
        return int(rows[0][0]), bool(rows[0][1])


def _error_text(res: pq.abc.PGresult, encoding: str) -> str:
    def field_(code: pq.DiagnosticField) -> str | None:
        value = res.error_field(code)
        return value.decode(encoding, "replace") if value else None

    message = field_(pq.DiagnosticField.MESSAGE_PRIMARY) or res.get_error_message(encoding)
    parts = [message]
    for label, code in (("DETAIL", pq.DiagnosticField.MESSAGE_DETAIL), ("HINT", pq.DiagnosticField.MESSAGE_HINT)):
        value = field_(code)
        if value:
            parts.append(f"{label}: {value}")
    return "\n".join(parts)


def _position(res: pq.abc.PGresult) -> int | None:
    value = res.error_field(pq.DiagnosticField.STATEMENT_POSITION)
    return int(value) if value else None
