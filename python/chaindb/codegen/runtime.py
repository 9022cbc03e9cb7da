"""What the generated query modules call at run time: one place for the per-call machinery.

A generated function is its signature, its docstring and one call into this module::

    TRANSACTION_GET: Final = _rt.Query("transaction_get", Transaction, "SELECT ...")

    def transaction_get(conn: psycopg.Connection[Any], *, id: uuid.UUID) -> Transaction | None:
        \"\"\"One transaction by id.\"\"\"
        return TRANSACTION_GET.first(conn, {"id": id})

``Query`` (statements that return rows) and ``Command`` (rowcount, executemany, scripts) run the
SQL on the caller's connection as prepared statements (``prepare=True``: psycopg prepares it once
per connection), build the result rows, and raise ``chaindb.errors`` exceptions instead of
psycopg's. Nothing here opens a transaction or commits: that is the caller's connection's business.

Cursors. A new psycopg cursor per call (what ``conn.execute`` does) sets up a loader for every
column of the result again: for a row of twenty columns that costs more than the rest of the
client's work together (``make bench``: ``point_read``). ``first``, ``one`` and ``all`` therefore
keep one idle cursor per statement on the connection (``_idle_cursors``) and run on it. A call
takes the cursor out while it runs and puts it back after, so two threads or tasks sharing a
connection never share a cursor (the second makes its own); a cursor whose call failed, or whose
result had more than :data:`KEEP_ROWS` rows (it would hold them until its next call), is not put
back. The cursors live as long as the connection (they and the connection refer to each other:
a connection dropped without ``close()`` is freed by the garbage collector, not at once), and
read the connection's adapters as they were when each was made.

Row building. A result row becomes its pydantic model without re-validating it: PostgreSQL has
already typed every value and psycopg has loaded it into the Python type the field declares.
The row maker of a model (compiled once per model and query) only
- converts enum labels to the field's ``StrEnum`` and parses the arrays psycopg returns as text
  (the field's ``BeforeValidator``, e.g. ``pg_array(StoreStatus)``);
- checks, for the fields a query *claims* are never NULL but the catalog cannot prove it
  (``@not-null``, a column of a function's result), that they are not NULL, raising
  ``errors.UnexpectedNull`` otherwise. Columns the catalog proves NOT NULL are not re-checked.
Models built this way compare, hash, dump and copy like validated ones.

Routing. A statement generated with ``write=True`` writes (a table, a row lock, a volatile
function: the generator reads it from the query's parse tree), one with ``primary=True`` reads what
only the primary can be trusted with (an exactly-once or idempotency check, ``@primary``). Either
refuses a read-only connection (a replica's, ``chaindb.db.pool(..., replicas=...).read()``) with
``errors.PrimaryRequired`` before anything is sent; the check reads the parameters the server
reports (``default_transaction_read_only``, ``in_hot_standby``): no round trip.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import functools
import importlib
import ipaddress
import json as _json
import operator
import pkgutil
import types
import typing
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, Generic, TypeVar, cast, overload

import psycopg
from psycopg.pq import Format
from psycopg.rows import RowMaker
from psycopg.types.json import Json, Jsonb
from psycopg.types.string import TextLoader
from pydantic import BaseModel, BeforeValidator, ConfigDict, JsonValue, TypeAdapter
from pydantic_core import to_jsonable_python

from chaindb import errors
from chaindb.codegen.sqltext import optional_variants

R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", bound=enum.Enum)

#: Rows fetched per round trip by ``Query.stream`` (chunked streaming needs libpq 17, else one by one).
STREAM_SIZE: Final = 256 if psycopg.capabilities.has_stream_chunked() else 1

Params = Mapping[str, Any]
Conn = psycopg.Connection[Any]
AsyncConn = psycopg.AsyncConnection[Any]


class Record(BaseModel):
    """Base of the generated result models: immutable, fields named after the columns."""

    model_config = ConfigDict(
        frozen=True,
        arbitrary_types_allowed=True,
        validate_by_name=True,
        validate_by_alias=True,
        protected_namespaces=(),
    )


# -- parameters ----------------------------------------------------------------------------


def jsonb(value: JsonValue) -> Jsonb:
    """A ``jsonb`` parameter (``None`` becomes JSON ``null``)."""
    return Jsonb(value)


def jsonb_or_null(value: JsonValue) -> Jsonb | None:
    """A nullable ``jsonb`` parameter: ``None`` is SQL NULL."""
    return None if value is None else Jsonb(value)


def json(value: JsonValue) -> Json:
    """A ``json`` parameter (``None`` becomes JSON ``null``)."""
    return Json(value)


def json_or_null(value: JsonValue) -> Json | None:
    """A nullable ``json`` parameter: ``None`` is SQL NULL."""
    return None if value is None else Json(value)


def jsonb_of(value: Any) -> Jsonb | None:
    """A ``jsonb`` parameter typed with a project model (``@json``), dumped as pydantic dumps it; None is SQL NULL."""
    return None if value is None else Jsonb(to_jsonable_python(value))


def json_of(value: Any) -> Json | None:
    """A ``json`` parameter typed with a project model (``@json``); ``None`` is SQL NULL."""
    return None if value is None else Json(to_jsonable_python(value))


def jsonb_array(values: Iterable[JsonValue] | None) -> list[Jsonb] | None:
    """A ``jsonb[]`` parameter."""
    return None if values is None else [Jsonb(v) for v in values]


def json_array(values: Iterable[JsonValue] | None) -> list[Json] | None:
    """A ``json[]`` parameter."""
    return None if values is None else [Json(v) for v in values]


# -- values: enums and arrays psycopg returns as text -----------------------------------------


def enum_value(cls: type[E]) -> Callable[[Any], E]:
    """Label → member of ``cls`` (a dict look-up; an unknown label raises ``ValueError``)."""
    members = cls._value2member_map_

    def convert(label: Any) -> E:
        member = members.get(label)
        return cls(label) if member is None else member  # type: ignore[return-value]

    return convert


class ArrayParseError(ValueError):
    pass


def _parse(text: str, pos: int) -> tuple[list[Any], int]:
    """Parse ``{...}`` starting at ``text[pos] == '{'``; returns the list and the index after ``}``."""
    out: list[Any] = []
    pos += 1
    n = len(text)
    expect_item = True
    while pos < n:
        ch = text[pos]
        if ch == "}":
            return out, pos + 1
        if ch == ",":
            pos += 1
            expect_item = True
            continue
        if ch.isspace():
            pos += 1
            continue
        if not expect_item:
            raise ArrayParseError(f"unexpected {ch!r} at {pos} in {text!r}")
        if ch == "{":
            item, pos = _parse(text, pos)
            out.append(item)
        elif ch == '"':
            pos += 1
            buf: list[str] = []
            while pos < n and text[pos] != '"':
                if text[pos] == "\\":
                    pos += 1
                buf.append(text[pos])
                pos += 1
            pos += 1
            out.append("".join(buf))
        else:
            start = pos
            while pos < n and text[pos] not in ",}":
                pos += 1
            word = text[start:pos].strip()
            out.append(None if word.upper() == "NULL" else word)
        expect_item = False
    raise ArrayParseError(f"unterminated array literal {text!r}")


def parse_array(value: Any) -> Any:
    """A PostgreSQL array in text form (``{a,"b c",NULL}``) → nested lists of str/None.

    psycopg returns arrays of types it has no loader for (enums, domains, extension types)
    as text. Anything that is not a string passes through unchanged.
    """
    if not isinstance(value, str):
        return value
    pos = 0
    if value.startswith("["):  # explicit bounds: [1:2]={...}
        pos = value.index("=") + 1
    if pos >= len(value) or value[pos] != "{":
        raise ArrayParseError(f"not an array literal: {value!r}")
    result, _ = _parse(value, pos)
    return result


def _map_all(items: list[Any], convert: Callable[[Any], Any]) -> list[Any]:
    return [None if v is None else _map_all(v, convert) if isinstance(v, list) else convert(v) for v in items]


def pg_array(element: type[enum.Enum] | None = None, *, oid: int | None = None) -> BeforeValidator:
    """The field validator of an array psycopg returns as text.

    ``element``: an enum, each label becomes its member; ``oid``: a built-in type whose psycopg
    loader converts each element (arrays of a domain, ``hash32[]`` → ``bytes``). NULL elements
    stay ``None``. The row maker applies it; pydantic does too when a model is validated.
    """
    convert: Callable[[Any], Any] | None = None
    if element is not None:
        convert = enum_value(element)
    elif oid is not None:
        loader_cls = psycopg.adapters.get_loader(oid, Format.TEXT)
        if loader_cls is not None:
            load = loader_cls(oid).load

            def convert(text: Any) -> Any:
                return load(text.encode())

    def validate(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        items = parse_array(value)
        return items if convert is None else _map_all(items, convert)

    return BeforeValidator(validate)


# -- values typed by the project: @json columns, nested rows -----------------------------------


def json_as(annotation: Any) -> BeforeValidator:
    """The field validator of a JSON column typed with a project model (``@json tokens_used: list[TokenUse]``).

    psycopg has loaded the JSON; pydantic validates it into ``annotation`` (SQL NULL stays ``None``).
    """
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)

    def validate(value: Any) -> Any:
        return None if value is None else adapter.validate_python(value)

    validate.json_field = True  # type: ignore[attr-defined]
    return BeforeValidator(validate)


def _plain_json(value: Any) -> Any:
    """A JSON value parsed with exact decimals, back to what ``json.loads`` gives (floats)."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, list):
        return [_plain_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain_json(v) for k, v in value.items()}
    return value


def _text_loader(oid: int) -> Callable[[str], Any]:
    loader_cls = psycopg.adapters.get_loader(oid, Format.TEXT)
    assert loader_cls is not None
    load = loader_cls(oid).load
    return lambda text: load(text.encode())


_FROM_TEXT: dict[Any, Callable[[str], Any]] = {
    str: lambda v: v,
    int: int,
    float: float,
    bool: lambda v: v == "t",
    decimal.Decimal: decimal.Decimal,
    uuid.UUID: uuid.UUID,
    datetime.datetime: datetime.datetime.fromisoformat,
    datetime.date: datetime.date.fromisoformat,
    datetime.time: datetime.time.fromisoformat,
}


def _decoder(annotation: Any, *, from_json: bool) -> Callable[[Any], Any]:
    """How one value of a nested row becomes ``annotation``: from a JSON value (``json_agg``, numbers
    parsed as exact decimals) or from PostgreSQL text (a field of a record of ``array_agg``)."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        for meta in args[1:]:
            func = getattr(meta, "func", None)
            if getattr(func, "json_field", False):  # @json: validate the parsed JSON
                parse = _json.loads if not from_json else _plain_json
                return lambda v: None if v is None else func(parse(v))  # type: ignore[misc]
        return _decoder(args[0], from_json=from_json)
    union = isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union
    if union and type(None) in args and annotation is not JsonValue:
        rest = [a for a in args if a is not type(None)]
        inner = _decoder(functools.reduce(operator.or_, rest), from_json=from_json)
        return lambda v: None if v is None else inner(v)
    if annotation is JsonValue or annotation is Any:
        return _plain_json if from_json else _json.loads
    if typing.get_origin(annotation) is list:
        element = _decoder(args[0], from_json=from_json)
        if from_json:
            return lambda v: [None if x is None else element(x) for x in v]
        return lambda v: _map_all(parse_array(v), element)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return enum_value(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return nested_maker(annotation, from_json=from_json)
    if annotation is bytes:
        return _text_loader(17)  # bytea: "\\x..." in JSON and in text
    if annotation is datetime.timedelta:
        return _text_loader(1186)  # interval: its text output in JSON too
    if union and ipaddress.IPv4Address in args:
        return _text_loader(869)  # inet
    if union and ipaddress.IPv4Network in args:
        return _text_loader(650)  # cidr
    if from_json:
        if annotation is float:
            return float
        if annotation is decimal.Decimal:
            return lambda v: decimal.Decimal(v) if not isinstance(v, decimal.Decimal) else v
        if annotation in (str, int, bool):
            return lambda v: v
    if annotation in _FROM_TEXT:
        return _FROM_TEXT[annotation]
    raise TypeError(f"a nested row cannot hold {annotation!r}")


def _construct(model: type[M], data: dict[str, Any]) -> M:
    """``model`` from converted values, without validation (what the row makers do)."""
    row = object.__new__(model)
    _SLOTS["__dict__"](row, data)
    _SLOTS["__pydantic_fields_set__"](row, set(data))
    _SLOTS["__pydantic_extra__"](row, None)
    _SLOTS["__pydantic_private__"](row, None)
    return row


_NESTED: dict[tuple[type[BaseModel], bool], Callable[[Any], Any]] = {}


def nested_maker(model: type[M], *, from_json: bool) -> Callable[[Any], M]:
    """One row of ``model`` from a JSON object (keys: the columns) or a record's text ``(a,"b c",)``."""
    key = (model, from_json)
    if key not in _NESTED:
        fields = [(name, info.alias or name, _decoder(info.rebuild_annotation(), from_json=from_json))
                  for name, info in model.model_fields.items()]

        def from_object(obj: Mapping[str, Any]) -> M:
            try:
                return _construct(model, {name: conv(obj[column]) for name, column, conv in fields})
            except KeyError as exc:
                raise errors.ProgrammingError(
                    f"{model.__name__}: nested row without {exc}: the schema changed since `make generate`"
                ) from None

        def from_record(text: str) -> M:
            values = parse_record(text)
            if len(values) < len(fields):
                raise errors.ProgrammingError(
                    f"{model.__name__}: nested row of {len(values)} values, {len(fields)} expected: "
                    "the schema changed since `make generate`"
                )
            pairs = zip(fields, values, strict=False)
            return _construct(model, {name: None if v is None else conv(v) for (name, _, conv), v in pairs})

        _NESTED[key] = from_object if from_json else from_record
    return cast(Callable[[Any], M], _NESTED[key])


def parse_record(text: str) -> list[str | None]:
    """A row value in text form, ``(1,"a b",,"x""y")``, to its fields (an empty field is NULL)."""
    if not text.startswith("(") or not text.endswith(")"):
        raise ArrayParseError(f"not a record literal: {text!r}")
    out: list[str | None] = []
    pos, n = 1, len(text) - 1
    while True:
        if pos >= n:  # "()" or a trailing empty field
            out.append(None)
            break
        if text[pos] == '"':
            buf: list[str] = []
            pos += 1
            while pos < n:
                ch = text[pos]
                if ch == "\\" or (ch == '"' and pos + 1 < n and text[pos + 1] == '"'):
                    buf.append(text[pos + 1])
                    pos += 2
                    continue
                if ch == '"':
                    pos += 1
                    break
                buf.append(ch)
                pos += 1
            out.append("".join(buf))
        else:
            end = text.find(",", pos)
            end = n if end == -1 else end
            out.append(text[pos:end] or None)
            pos = end
        if pos >= n:
            break
        pos += 1  # the comma
    return out


def rows_json(model: type[BaseModel], *, elements_nullable: bool = False) -> BeforeValidator:
    """The field validator of ``json_agg(t)`` / ``jsonb_agg(t)``: a list of ``model`` rows.

    The query reads this column's JSON as text (``Query`` registers the loader), so numbers are
    parsed exactly (``numeric`` stays ``Decimal``); timestamps, bytea and intervals come back as
    their PostgreSQL types. ``elements_nullable``: rows of an outer join's nullable side may be null.
    """

    def validate(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        make = nested_maker(model, from_json=True)
        items = _json.loads(value, parse_float=decimal.Decimal)
        return [None if item is None else make(item) for item in items]

    validate.raw_json = True  # type: ignore[attr-defined]
    return BeforeValidator(validate)


def rows_array(model: type[BaseModel]) -> BeforeValidator:
    """The field validator of ``array_agg(t)``: psycopg returns the array of rows as text."""

    def validate(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        make = nested_maker(model, from_json=False)
        return [None if item is None else make(item) for item in parse_array(value)]

    return BeforeValidator(validate)


class _RawJson(TextLoader):
    """json/jsonb as their text: the row maker parses them (exact decimals for nested rows)."""


def _read_json_as_text(cur: psycopg.Cursor[Any] | psycopg.AsyncCursor[Any]) -> None:
    for name in ("json", "jsonb"):
        cur.adapters.register_loader(name, _RawJson)


def _needs_raw_json(converters: Iterable[Any]) -> bool:
    return any(getattr(getattr(c, "func", c), "raw_json", False) for c in converters)


# -- row makers ------------------------------------------------------------------------------

# The slots every pydantic model instance has, set directly (what ``model_construct`` does).
_SLOTS = {name: BaseModel.__dict__[name].__set__ for name in (
    "__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"
)}


def _field_converter(annotation: Any, metadata: Sequence[Any]) -> type[enum.Enum] | Callable[[Any], Any] | None:
    """What turns a loaded value into the field's type: its BeforeValidator, or its enum class."""
    for item in metadata:
        if isinstance(item, BeforeValidator):
            return cast(Callable[[Any], Any], item.func)
    union = isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union
    args = typing.get_args(annotation) if union else (annotation,)
    for arg in args:
        if isinstance(arg, type) and issubclass(arg, enum.Enum):
            return arg
    return None


def _optional(annotation: Any) -> bool:
    union = isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union
    return annotation is Any or annotation is JsonValue or (union and type(None) in typing.get_args(annotation))


def model_maker(
    model: type[M], not_null: Sequence[str] = (), *, null_row: bool = False, query: str = "", raw_json: bool = False
) -> RowMaker[M]:
    """A function building ``model`` from a row tuple (values in field order), without validation.

    ``not_null``: fields to check (see the module docstring); ``null_row``: a row whose values are
    all NULL is no row (``SELECT * FROM fn()`` where ``fn`` returns one table row and returned
    NULL) and becomes ``None``. The function is compiled for the model, like ``dataclasses`` and
    ``namedtuple`` compile theirs: one unpacking, one dict display, the slots set (``make.source``).

    Values are taken by position, in the order the generator saw. A row with more values (a
    column added to a table behind ``SELECT t.*``) still fills the model from the first ones; one
    with fewer cannot, and is refused (``errors.ProgrammingError`` naming ``query``).

    ``raw_json``: json/jsonb values arrive as text (the model has nested rows, ``rows_json``): the
    maker parses every other JSON field itself.
    """
    fields = model.model_fields
    names = tuple(fields)
    unknown = [n for n in not_null if n not in fields]
    if unknown:
        raise ValueError(f"{model.__name__} has no field {', '.join(unknown)}")
    env: dict[str, Any] = {f"_set{i}": setter for i, setter in enumerate(_SLOTS.values())}
    env |= {"_new": object.__new__, "_model": model, "_fields_set": set(names), "_fail": _null_failure(model, not_null)}
    values = [f"v{i}" for i in range(len(names))]
    lines = [
        "def make(values):",
        "    try:",
        f"        {', '.join(values)}, = values",
        "    except ValueError:",  # not as many values as fields: free when it does not happen
        "        return _reshape(values)",
    ]
    if null_row:
        lines += [f"    if {' and '.join(f'{v} is None' for v in values)}:", "        return None"]
    if not_null:
        checks = " or ".join(f"v{names.index(n)} is None" for n in not_null)
        lines += [f"    if {checks}:", "        raise _fail(values)"]
    items = []
    enums: list[tuple[int, str, type[enum.Enum]]] = []
    for i, (name, info) in enumerate(fields.items()):
        conv = _field_converter(info.annotation, info.metadata)
        if raw_json:
            conv = _raw_json_converter(info.annotation, conv)
        expr = f"v{i}"
        if isinstance(conv, enum.EnumMeta):  # an enum: label → member by one dict subscript
            env[f"_m{i}"] = conv._value2member_map_
            enums.append((i, name, cast(type[enum.Enum], conv)))
            expr = f"_m{i}[v{i}]"
        elif conv is not None:
            env[f"_c{i}"] = conv
            expr = f"_c{i}(v{i})"
        if conv is not None and _optional(info.annotation):
            expr = f"(None if v{i} is None else {expr})"
        items.append(f"{name!r}: {expr}")
    lines += [
        "    try:",
        f"        data = {{{', '.join(items)}}}",
        "    except KeyError:",  # a label the enum does not have
        "        raise _unknown_label(values) from None",
        "    row = _new(_model)",
        "    _set0(row, data)",
        "    _set1(row, _fields_set)",  # every field is set; pydantic never mutates it in place on a frozen model
        "    _set2(row, None)",
        "    _set3(row, None)",
        "    return row",
    ]

    def unknown_label(row: Sequence[Any]) -> Exception:
        for i, name, cls in enums:
            if row[i] is not None and row[i] not in cls._value2member_map_:
                return ValueError(
                    f"{model.__name__}.{name}: {row[i]!r} is not a label of {cls.__name__}: "
                    "the enum changed since `make generate`"
                )
        return ValueError(f"{model.__name__}: a value cannot be converted")

    env["_unknown_label"] = unknown_label
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<row maker of {model.__qualname__}>", "exec"), env)
    make = env["make"]
    make.source = source
    width = len(names)

    def reshape(row: Sequence[Any]) -> Any:
        if len(row) > width:
            return make(row[:width])
        raise errors.ProgrammingError(
            f"{query or model.__name__}: the query returns {len(row)} columns, its generated code expects {width}: "
            "the schema changed since `make generate`"
        )

    env["_reshape"] = reshape
    return cast(RowMaker[M], make)


def _raw_json_converter(annotation: Any, conv: Any) -> Any:
    """The converter of a field when json/jsonb arrive as text: parse, then convert as usual."""
    if conv is not None and getattr(conv, "raw_json", False):
        return conv  # nested rows parse their text themselves
    if conv is not None and getattr(conv, "json_field", False):
        return lambda v: conv(_json.loads(v))
    if conv is None and _holds_json(annotation):
        return _json.loads
    if conv is None and typing.get_origin(annotation) is list and _holds_json(typing.get_args(annotation)[0]):
        return lambda v: [None if x is None else _json.loads(x) for x in v]
    return conv


def _holds_json(annotation: Any) -> bool:
    args = typing.get_args(annotation)
    return annotation is JsonValue or (type(None) in args and JsonValue in args)


def _null_failure(model: type[BaseModel], not_null: Sequence[str]) -> Callable[[Sequence[Any]], Exception]:
    names = tuple(model.model_fields)

    def fail(values: Sequence[Any]) -> Exception:
        bad = [n for n in not_null if values[names.index(n)] is None]
        return errors.UnexpectedNull(f"{model.__name__}: NULL in {', '.join(bad)}, declared never NULL", column=bad[0])

    return fail


def value_maker(convert: type[enum.Enum] | BeforeValidator | None = None, *, not_null: bool = False) -> RowMaker[Any]:
    """A function returning the first value of a row (``$`` queries), converted when needed."""
    conv: Callable[[Any], Any] | None = None
    if isinstance(convert, BeforeValidator):
        conv = cast(Callable[[Any], Any], convert.func)
    elif convert is not None:
        conv = enum_value(convert)

    def make(values: Sequence[Any]) -> Any:
        value = values[0]
        if value is None:
            if not_null:
                raise errors.UnexpectedNull("the value is NULL, declared never NULL")
            return None
        return value if conv is None else conv(value)

    return make


class Value:
    """How a ``$`` query's value is built: ``Value(StoreStatus)``, ``Value(pg_array(oid=17))``."""

    __slots__ = ("maker", "raw_json")

    def __init__(self, convert: type[enum.Enum] | BeforeValidator | None = None, *, not_null: bool = False) -> None:
        self.maker = value_maker(convert, not_null=not_null)
        self.raw_json = _needs_raw_json([convert])


# -- statements ------------------------------------------------------------------------------

_ON: Final = b"on"

#: A cursor whose last result had more rows than this is dropped after the call, not kept idle.
KEEP_ROWS: Final = 1_000
_IDLE: Final = "_chaindb_idle_cursors"


def _idle_cursors(conn: Conn | AsyncConn) -> dict[Any, Any]:
    """The connection's idle cursors, by statement (see the module docstring). A connection object
    that cannot hold them (no ``__dict__``) gets a new empty dict each time: no cursor is kept."""
    try:
        idle: dict[Any, Any] = conn.__dict__[_IDLE]
    except KeyError:
        idle = conn.__dict__[_IDLE] = {}
    except AttributeError:
        idle = {}
    return idle


def read_only(conn: Conn | AsyncConn) -> bool:
    """Whether the connection cannot write: a standby's, or read-only by default (a replica pool's)."""
    status = conn.pgconn.parameter_status
    return status(b"default_transaction_read_only") == _ON or status(b"in_hot_standby") == _ON


class _Routed:
    """What ``Query`` and ``Command`` share: the name, the SQL, its ``@optional`` variants and where it may run."""

    __slots__ = ("_optional", "name", "primary", "sql", "variants", "write")

    def __init__(self, name: str, sql: str, optional: Sequence[str], write: bool, primary: bool) -> None:
        self.name = name
        self.sql = sql
        self._optional = tuple(optional)
        #: ``@optional``: the SQL per set of omitted parameters (their WHERE parts dropped)
        self.variants = optional_variants(sql, self._optional) if optional else {frozenset(): sql}
        #: It writes; ``primary``: it runs on the primary only (every write, and ``@primary`` reads).
        self.write = write
        self.primary = write or primary

    def statement(self, params: Params) -> str:
        """The SQL run for ``params``: with ``@optional`` parameters, the variant without the WHERE
        parts of those that are None."""
        if not self._optional:
            return self.sql
        return self.variants[frozenset(n for n in self._optional if params.get(n) is None)]

    def _route(self, conn: Conn | AsyncConn) -> None:
        """Refuse a write or an ``@primary`` read on a read-only connection, before it is sent."""
        if self.primary and read_only(conn):
            what = "writes" if self.write else "must read the primary (@primary: an exactly-once or idempotency check)"
            raise errors.PrimaryRequired(
                f"{self.name} {what}: run it on a primary connection (pool.connection()), not a replica's (pool.read())"
            )


class Query(_Routed, Generic[R]):
    """A statement returning rows of type ``R`` (a model, or one value for ``Value``)."""

    __slots__ = ("_factory", "_null_row", "_raw_json", "_value")

    @overload
    def __init__(
        self: Query[M],
        name: str,
        row: type[M],
        sql: str,
        *,
        not_null: Sequence[str] = (),
        null_row: bool = False,
        optional: Sequence[str] = (),
        write: bool = False,
        primary: bool = False,
    ) -> None: ...

    @overload
    def __init__(
        self: Query[Any],
        name: str,
        row: Value,
        sql: str,
        *,
        optional: Sequence[str] = (),
        write: bool = False,
        primary: bool = False,
    ) -> None: ...

    def __init__(
        self,
        name: str,
        row: type[Any] | Value,
        sql: str,
        *,
        not_null: Sequence[str] = (),
        null_row: bool = False,
        optional: Sequence[str] = (),
        write: bool = False,
        primary: bool = False,
    ) -> None:
        super().__init__(name, sql, optional, write, primary)
        self._value = isinstance(row, Value)
        if isinstance(row, Value):
            self._raw_json = row.raw_json
            maker = row.maker
        else:
            self._raw_json = _needs_raw_json(
                _field_converter(info.annotation, info.metadata) for info in row.model_fields.values()
            )
            maker = model_maker(row, not_null, null_row=null_row, query=name, raw_json=self._raw_json)
        self._null_row = null_row
        self._factory = _row_factory(maker)

    def __repr__(self) -> str:
        return f"Query({self.name!r})"

    def _cursor(self, conn: Conn) -> psycopg.Cursor[Any]:
        cur = conn.cursor(row_factory=self._factory)
        if self._raw_json:
            _read_json_as_text(cur)
        return cur

    def _acursor(self, conn: AsyncConn) -> psycopg.AsyncCursor[Any]:
        cur = conn.cursor(row_factory=self._factory)
        if self._raw_json:
            _read_json_as_text(cur)
        return cur

    def _missing(self, cur: psycopg.Cursor[Any] | psycopg.AsyncCursor[Any], row: Any) -> bool:
        # a value query's row may hold NULL (row None, one row read); a model's None is no row
        return row is None and (not self._value or cur.rownumber == 0)

    # sync -------------------------------------------------------------------------------

    def first(self, conn: Conn, params: Params) -> R | None:
        """The first row, or None (``^``, ``$``, ``<!``)."""
        self._route(conn)
        idle = _idle_cursors(conn)
        cur: psycopg.Cursor[Any] | None = idle.pop(self, None)  # taken out: no other thread uses it meanwhile
        try:
            if cur is None:
                cur = self._cursor(conn)
            row: R | None = cur.execute(self.statement(params), params, prepare=True).fetchone()
        except (psycopg.Error, UnicodeEncodeError) as exc:
            raise errors.translate(exc) from exc
        if cur.rowcount <= KEEP_ROWS:
            idle[self] = cur
        return row

    def one(self, conn: Conn, params: Params) -> R:
        """The first row; ``errors.NoRowReturned`` when there is none (``@one``)."""
        self._route(conn)
        idle = _idle_cursors(conn)
        cur: psycopg.Cursor[Any] | None = idle.pop(self, None)  # taken out: no other thread uses it meanwhile
        try:
            if cur is None:
                cur = self._cursor(conn)
            row: R = cur.execute(self.statement(params), params, prepare=True).fetchone()  # type: ignore[assignment]
            missing = self._missing(cur, row)
        except (psycopg.Error, UnicodeEncodeError) as exc:
            raise errors.translate(exc) from exc
        if cur.rowcount <= KEEP_ROWS:
            idle[self] = cur
        if missing:
            raise errors.NoRowReturned(f"{self.name} returned no row")
        return row

    def all(self, conn: Conn, params: Params) -> list[R]:
        """Every row."""
        self._route(conn)
        idle = _idle_cursors(conn)
        cur: psycopg.Cursor[Any] | None = idle.pop(self, None)  # taken out: no other thread uses it meanwhile
        try:
            if cur is None:
                cur = self._cursor(conn)
            rows: list[R] = cur.execute(self.statement(params), params, prepare=True).fetchall()
        except (psycopg.Error, UnicodeEncodeError) as exc:
            raise errors.translate(exc) from exc
        if len(rows) <= KEEP_ROWS:
            idle[self] = cur
        return [r for r in rows if r is not None] if self._null_row else rows

    def stream(self, conn: Conn, params: Params) -> Iterator[R]:
        """The rows as they arrive (``cursor.stream``); the connection is busy until exhausted."""
        self._route(conn)
        try:
            with self._cursor(conn) as cur:
                for row in cur.stream(self.statement(params), params, size=STREAM_SIZE):
                    if row is not None or not self._null_row:
                        yield row
        except (psycopg.Error, UnicodeEncodeError) as exc:
            raise errors.translate(exc) from exc

    # async ------------------------------------------------------------------------------

    async def first_async(self, conn: AsyncConn, params: Params) -> R | None:
        """``first`` on an async connection."""
        self._route(conn)
        idle = _idle_cursors(conn)
        cur: psycopg.AsyncCursor[Any] | None = idle.pop(self, None)  # taken out: no other task uses it meanwhile
        try:
            if cur is None:
                cur = self._acursor(conn)
            await cur.execute(self.statement(params), params, prepare=True)
            row: R | None = await cur.fetchone()
        except (psycopg.Error, UnicodeEncodeError) as exc:
            raise errors.translate(exc) from exc
        if cur.rowcount <= KEEP_ROWS:
            idle[self] = cur
        return row

    async def one_async(self, conn: AsyncConn, params: Params) -> R:
        """``one`` on an async connection."""
        self._route(conn)
        idle = _idle_cursors(conn)
        cur: psycopg.AsyncCursor[Any] | None = idle.pop(self, None)  # taken out: no other task uses it meanwhile
        try:
            if cur is None:
                cur = self._acursor(conn)
            await cur.execute(self.statement(params), params, prepare=True)
            row: R = await cur.fetchone()  # type: ignore[assignment]
            missing = self._missing(cur, row)
        except (psycopg.Error, UnicodeEncodeError) as exc:
            raise errors.translate(exc) from exc
        if cur.rowcount <= KEEP_ROWS:
            idle[self] = cur
        if missing:
            raise errors.NoRowReturned(f"{self.name} returned no row")
        return row

    async def all_async(self, conn: AsyncConn, params: Params) -> list[R]:
        """``all`` on an async connection."""
        self._route(conn)
        idle = _idle_cursors(conn)
        cur: psycopg.AsyncCursor[Any] | None = idle.pop(self, None)  # taken out: no other task uses it meanwhile
        try:
            if cur is None:
                cur = self._acursor(conn)
            await cur.execute(self.statement(params), params, prepare=True)
            rows: list[R] = await cur.fetchall()
        except (psycopg.Error, UnicodeEncodeError) as exc:
            raise errors.translate(exc) from exc
        if len(rows) <= KEEP_ROWS:
            idle[self] = cur
        return [r for r in rows if r is not None] if self._null_row else rows

    async def stream_async(self, conn: AsyncConn, params: Params) -> AsyncIterator[R]:
        """``stream`` on an async connection."""
        self._route(conn)
        try:
            async with self._acursor(conn) as cur:
                async for row in cur.stream(self.statement(params), params, size=STREAM_SIZE):
                    if row is not None or not self._null_row:
                        yield row
        except (psycopg.Error, UnicodeEncodeError) as exc:
            raise errors.translate(exc) from exc


class Command(_Routed):
    """A statement run for its effect: rowcount (``!``), executemany (``*!``) or a script (``#``)."""

    __slots__ = ()

    def __init__(
        self, name: str, sql: str, *, optional: Sequence[str] = (), write: bool = False, primary: bool = False
    ) -> None:
        super().__init__(name, sql, optional, write, primary)

    def __repr__(self) -> str:
        return f"Command({self.name!r})"

    def rowcount(self, conn: Conn, params: Params) -> int:
        """Run once; the number of rows affected."""
        self._route(conn)
        try:
            with conn.cursor() as cur:
                cur.execute(self.statement(params), params, prepare=True)
                return cur.rowcount
        except (psycopg.Error, UnicodeEncodeError) as exc:
            raise errors.translate(exc) from exc

    def many(self, conn: Conn, rows: Iterable[Params]) -> int:
        """Run once per parameter set (pipelined by psycopg), all or nothing: in one transaction (a
        savepoint inside the caller's), so a refused row leaves none of the others written; the
        total rows affected."""
        self._route(conn)
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(self.sql, rows)
                return cur.rowcount
        except (psycopg.Error, UnicodeEncodeError) as exc:
            raise errors.translate(exc) from exc

    def script(self, conn: Conn) -> None:
        """Run the SQL as it is, without parameters."""
        self._route(conn)
        try:
            conn.execute(self.sql)
        except (psycopg.Error, UnicodeEncodeError) as exc:
            raise errors.translate(exc) from exc

    async def rowcount_async(self, conn: AsyncConn, params: Params) -> int:
        """``rowcount`` on an async connection."""
        self._route(conn)
        try:
            async with conn.cursor() as cur:
                await cur.execute(self.statement(params), params, prepare=True)
                return cur.rowcount
        except (psycopg.Error, UnicodeEncodeError) as exc:
            raise errors.translate(exc) from exc

    async def many_async(self, conn: AsyncConn, rows: Iterable[Params]) -> int:
        """``many`` on an async connection (all or nothing, like ``many``)."""
        self._route(conn)
        try:
            async with conn.transaction(), conn.cursor() as cur:
                await cur.executemany(self.sql, rows)
                return cur.rowcount
        except (psycopg.Error, UnicodeEncodeError) as exc:
            raise errors.translate(exc) from exc

    async def script_async(self, conn: AsyncConn) -> None:
        """``script`` on an async connection."""
        self._route(conn)
        try:
            await conn.execute(self.sql)
        except (psycopg.Error, UnicodeEncodeError) as exc:
            raise errors.translate(exc) from exc


def _row_factory(maker: RowMaker[Any]) -> Callable[[Any], RowMaker[Any]]:
    """psycopg row factory handing out the precompiled maker: no per-execute set-up at all."""

    def factory(cursor: Any) -> RowMaker[Any]:
        return maker

    return factory


def statements(package: types.ModuleType) -> dict[str, Query[Any] | Command]:
    """Every statement of a generated package (``chaindb.cocopay.queries``), by query name.

    For tools and tests: prepare them all, benchmark one (``statements(q)["transaction_get"].sql``).
    """
    found: dict[str, Query[Any] | Command] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, Query | Command):
                found[value.name] = value
    return dict(sorted(found.items()))
