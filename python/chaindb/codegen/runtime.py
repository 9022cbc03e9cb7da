"""What the generated query modules use at run time (kept small: imported by every schema module)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg.pq import Format
from psycopg.rows import BaseRowFactory, RowMaker
from pydantic import BaseModel, ConfigDict

_T = TypeVar("_T")

#: Rows fetched per round trip by the ``*_iter`` functions (chunked streaming needs libpq 17).
STREAM_SIZE = 256 if psycopg.capabilities.has_stream_chunked() else 1


class Record(BaseModel):
    """Base of the generated result models: immutable, built from a row by column name."""

    model_config = ConfigDict(
        frozen=True,
        arbitrary_types_allowed=True,
        validate_by_name=True,
        validate_by_alias=True,
        protected_namespaces=(),
    )


def class_row_or_none(cls: type[_T]) -> BaseRowFactory[_T | None]:
    """Like psycopg's ``class_row``, but a row whose values are all NULL becomes None.

    Used for ``SELECT * FROM fn(...)`` where ``fn`` returns one table row (not SETOF): when it
    returns NULL, PostgreSQL still yields one row, of NULLs.
    """

    def factory(cursor: Any) -> RowMaker[_T | None]:
        names = [c.name for c in cursor.description or ()]

        def make(values: Sequence[Any]) -> _T | None:
            if all(v is None for v in values):
                return None
            return cls(**dict(zip(names, values, strict=True)))

        return make

    return factory


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


def _load_all(items: list[Any], load: Callable[[bytes], Any]) -> list[Any]:
    return [
        None if v is None else _load_all(v, load) if isinstance(v, list) else load(v.encode()) for v in items
    ]


def pg_array_of(oid: int) -> Callable[[Any], Any]:
    """Like ``pg_array``, then each element goes through psycopg's loader for built-in type ``oid``.

    For arrays of a domain over a built-in type (``hash32[]`` → ``bytea`` elements).
    """
    loader_cls = psycopg.adapters.get_loader(oid, Format.TEXT)
    if loader_cls is None:
        return pg_array
    load = loader_cls(oid).load

    def validate(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return _load_all(pg_array(value), load)

    return validate


def pg_array(value: Any) -> Any:
    """Pydantic before-validator: a PostgreSQL array in text form (``{a,"b c",NULL}``) → list.

    psycopg returns arrays of types it has no loader for (enums, domains, extension types)
    as text; the model then validates the elements (e.g. labels → StrEnum members).
    Anything that is not a string passes through unchanged.
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
