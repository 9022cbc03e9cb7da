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

IMP_ANNOTATED: Import = ("typing", "Annotated", None)
IMP_JSONVALUE: Import = ("pydantic", "JsonValue", None)
IMP_RT: Import = ("chaindb.codegen", "runtime", "_rt")

# Annotations that already include None: never written ``X | None``.
_HOLDS_NONE = ("object", "None", "JsonValue")


@dataclass(frozen=True)
class PyType:
    """How one PostgreSQL type looks in Python.

    ``enum:<oid>`` inside an annotation stands for the generated class of that enum (the
    renderer substitutes its name).
    """

    ann: str
    param_ann: str
    imports: frozenset[Import] = frozenset()
    # the value is an enum label (the row maker converts it to the StrEnum member)
    enum: bool = False
    # the value arrives as text from psycopg and is parsed by ``_rt.pg_array(<array>)``:
    # "" (elements stay str), "enum:<oid>" (elements are enum labels) or "oid=<n>" (built-in loader)
    array: str | None = None
    # parameter conversion: the runtime function for a non-null and for a nullable value
    wrap: tuple[str, str] | None = None
    note: str | None = None

    def plain(self, nullable: bool) -> str:
        """The Python type of a value."""
        if nullable and self.ann not in _HOLDS_NONE:
            return f"{self.ann} | None"
        return self.ann

    def result(self, nullable: bool) -> str:
        """The annotation of a model field (with the text-array validator when needed)."""
        ann = self.plain(nullable)
        if self.array is not None:
            ann = f"Annotated[{ann}, {self.array_validator()}]"
        return ann

    def array_validator(self) -> str:
        return f"_rt.pg_array({self.array})"

    def result_imports(self) -> frozenset[Import]:
        extra = {IMP_ANNOTATED, IMP_RT} if self.array is not None else set()
        return self.imports | extra

    def param(self, nullable: bool) -> str:
        ann = self.param_ann
        if nullable and ann not in _HOLDS_NONE:
            ann = f"{ann} | None"
        return ann


def _t(ann: str, param: str | None = None, *imports: Import, wrap: tuple[str, str] | None = None,
       note: str | None = None) -> PyType:
    return PyType(ann, param or ann, frozenset(imports), wrap=wrap, note=note)


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
    "json": _t("JsonValue", None, IMP_JSONVALUE, wrap=("json", "json_or_null")),
    "jsonb": _t("JsonValue", None, IMP_JSONVALUE, wrap=("jsonb", "jsonb_or_null")),
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
    "record": _t("tuple[object, ...]", "tuple[object, ...]"),
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
        self._relations: dict[tuple[str | None, str], int | None] = {}
        self._aggregates: dict[str, bool] = {}

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

    def writes(self, sql: str, param_oids: list[int]) -> bool:
        """Whether a query (``$n`` placeholders) must run on the primary: it writes a table (an
        INSERT, UPDATE, DELETE or MERGE anywhere in it, CTEs included), locks rows (``FOR UPDATE``,
        ``FOR SHARE``, ...) or calls a volatile function (directly or as an operator's).

        Read from the parse tree PostgreSQL stores for a ``BEGIN ATOMIC`` SQL function whose body is
        the query (a temporary function, in a rolled-back transaction): its statements' command
        types, row marks and the functions it calls. A query that cannot be such a body counts as a
        write. (A view's own functions are not looked into.)
        """
        body = sql.strip().rstrip(";").strip()
        with self.conn.transaction(force_rollback=True):
            types = self.conn.execute(
                "SELECT coalesce(string_agg(format_type(u.t, NULL), ', ' ORDER BY u.n), '')"
                " FROM unnest(%s::oid[]) WITH ORDINALITY AS u (t, n)",
                (param_oids,),
            ).fetchone()
            assert types is not None
            self._counter += 1
            name = f"chaindb_codegen_probe_{self._counter}"
            create = (
                f"CREATE FUNCTION pg_temp.{name}({types[0]}) RETURNS void LANGUAGE sql BEGIN ATOMIC\n{body}\n;\nEND"
            )
            res = self.conn.pgconn.exec_(create.encode(self.conn.info.encoding))
            if res.status != pq.ExecStatus.COMMAND_OK:
                return True
            row = self.conn.execute(
                r"""
                SELECT f.prosqlbody::text ~ ':commandType [2345] '
                       OR f.prosqlbody::text ~ ':rowMarks \('
                       OR EXISTS (
                           SELECT FROM regexp_matches(f.prosqlbody::text, ':(?:funcid|opfuncid) ([0-9]+)', 'g') AS m
                           JOIN pg_catalog.pg_proc AS c ON c.oid = m[1]::oid
                           WHERE c.provolatile = 'v'
                       )
                  FROM pg_catalog.pg_proc AS f
                 WHERE f.oid = %s::regprocedure
                """,
                (f"pg_temp.{name}({types[0]})",),
            ).fetchone()
        return bool(row and row[0])

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
            return PyType(f"enum:{oid}", f"enum:{oid}", enum=True)
        if t.category == "A" and t.elem:
            elem = self.map(t.elem)
            known = psycopg.adapters.get_loader(oid, Format.TEXT) is not None
            base = self.base_type(t.elem)
            array: str | None = None
            if not known or elem.array is not None:
                # psycopg returns the array as text: parse it, then convert each element
                if elem.enum:
                    array = elem.ann
                elif base < 10000 and psycopg.adapters.get_loader(base, Format.TEXT) is not None:
                    # built-in OIDs (< 10000) are the same in every database: safe to write into code
                    array = f"oid={base}"
                else:
                    array = ""
            wrap = None
            if elem.wrap is not None:
                wrap = (f"{elem.wrap[0]}_array", f"{elem.wrap[0]}_array")
            return PyType(
                f"list[{elem.plain(True)}]",
                f"list[{elem.param_ann}]",
                elem.imports,
                array=array,
                wrap=wrap,
                note=elem.note,
            )
        if t.schema == "pg_catalog" and t.name in BUILTIN:
            return BUILTIN[t.name]
        if t.typtype == "p":
            return _t("object", None, note=f"{t.name}: pseudo-type")
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

    def relation_oid(self, schema: str | None, name: str) -> int | None:
        """The oid of ``[schema.]name`` as the server resolves it (search_path when unqualified)."""
        key = (schema, name)
        if key not in self._relations:
            row = self.conn.execute(
                "SELECT pg_catalog.to_regclass(CASE WHEN %(s)s::text IS NULL THEN pg_catalog.quote_ident(%(n)s)"
                " ELSE pg_catalog.quote_ident(%(s)s) || '.' || pg_catalog.quote_ident(%(n)s) END)::oid::int8",
                {"s": schema, "n": name},
            ).fetchone()
            self._relations[key] = int(row[0]) if row and row[0] is not None else None
        return self._relations[key]

    def view_definition(self, oid: int) -> str:
        row = self.conn.execute("SELECT pg_catalog.pg_get_viewdef(%s::oid)", (oid,)).fetchone()
        if row is None or row[0] is None:
            raise LookupError(f"no view definition for oid {oid}")
        return str(row[0])

    def function_shape(self, schema: str | None, name: str, nargs: int) -> tuple[bool, int | None, list[str]] | None:
        """What ``[schema.]name(<nargs arguments>)`` in FROM gives: (SETOF?, the table whose row it
        returns or None, the names of its OUT/TABLE columns). None unless every candidate agrees."""
        rows = self.conn.execute(
            """
            SELECT p.proretset, CASE WHEN c.relkind IN ('r', 'p') THEN c.oid::int8 END,
                   coalesce((SELECT array_agg(a.name ORDER BY a.n)
                               FROM unnest(p.proargnames, p.proargmodes) WITH ORDINALITY AS a (name, mode, n)
                              WHERE a.mode IN ('o', 'b', 't')), '{}')::text[],
                   t.typtype = 'c' AND c.relkind NOT IN ('r', 'p') AS other_composite
              FROM pg_catalog.pg_proc p
              JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
              JOIN pg_catalog.pg_type t ON t.oid = p.prorettype
              LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
             WHERE p.proname = %(name)s AND p.prokind = 'f'
               AND %(nargs)s BETWEEN p.pronargs - p.pronargdefaults AND p.pronargs
               AND CASE WHEN %(schema)s::text IS NULL THEN pg_catalog.pg_function_is_visible(p.oid)
                        ELSE n.nspname = %(schema)s::text END
            """,
            {"schema": schema, "name": name, "nargs": nargs},
        ).fetchall()
        shapes = {(bool(r[0]), r[1], tuple(r[2]), bool(r[3])) for r in rows}
        if len(shapes) != 1:
            return None
        retset, relid, out_names, other_composite = shapes.pop()
        if other_composite:
            return None  # a composite type that is not a table's row: columns unknown here
        return retset, int(relid) if relid is not None else None, list(out_names)

    def is_aggregate(self, name: str) -> bool:
        if name not in self._aggregates:
            row = self.conn.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_proc WHERE proname = %s AND prokind = 'a')", (name,)
            ).fetchone()
            self._aggregates[name] = bool(row and row[0])
        return self._aggregates[name]

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


@dataclass(frozen=True)
class StateMachine:
    """A state machine declared in ``common.state_machines`` / ``common.state_transitions``."""

    schema: str
    table: str
    column: str
    enum_oid: int
    enum_name: str  # schema-qualified when needed, as regtype prints it
    initial: tuple[str, ...] | None  # NULL: not declared
    comment: str | None
    transitions: tuple[tuple[str, str], ...]  # (from, to), sorted

    def targets(self, state: str) -> list[str]:
        return [to for frm, to in self.transitions if frm == state]


def state_machines(conn: psycopg.Connection[Any], schema: str) -> list[StateMachine]:
    """The state machines declared for ``schema``'s tables; none when the declaration tables do not exist.

    Reads ``common.state_machines (schema_name, table_name, column_name, enum_type regtype,
    initial_states text[], comment)`` and ``common.state_transitions (schema_name, table_name,
    column_name, from_state, to_state)``.
    """
    found = conn.execute(
        "SELECT pg_catalog.to_regclass('common.state_machines') IS NOT NULL"
        " AND pg_catalog.to_regclass('common.state_transitions') IS NOT NULL"
    ).fetchone()
    if not found or not found[0]:
        return []
    machines = conn.execute(
        """
        SELECT m.table_name::text, m.column_name::text, m.enum_type::oid::int8, m.enum_type::text,
               m.initial_states::text[], m.comment::text
          FROM common.state_machines m
         WHERE m.schema_name = %s
         ORDER BY m.table_name, m.column_name
        """,
        (schema,),
    ).fetchall()
    moves = conn.execute(
        """
        SELECT t.table_name::text, t.column_name::text, t.from_state::text, t.to_state::text
          FROM common.state_transitions t
         WHERE t.schema_name = %s
         ORDER BY 1, 2, 3, 4
        """,
        (schema,),
    ).fetchall()
    out = []
    for table, column, oid, enum_name, initial, comment in machines:
        pairs = tuple((f, t) for tb, c, f, t in moves if (tb, c) == (table, column))
        out.append(
            StateMachine(
                schema, table, column, int(oid), enum_name, tuple(initial) if initial is not None else None,
                comment, pairs,
            )
        )
    return out


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
