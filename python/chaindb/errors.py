"""The project's error hierarchy and its SQLSTATEs.

Project SQLSTATEs are class ``CD``. This table is the one list of them: SQL
functions and triggers raise them (``RAISE ... USING ERRCODE = 'CD001'``), and
each maps to one exception class below. Add a new code here, at the end of the
table, before using it in SQL.

| SQLSTATE | name                  | raised when                                                        |
|----------|-----------------------|--------------------------------------------------------------------|
| CD001    | forbidden_transition  | a status change the state machine does not allow (DETAIL: from/to)  |
| CD002    | idempotency_conflict  | an idempotency key is reused with a different payload              |
| CD003    | immutable             | an update touches a row or column that may not change              |
| CD004    | counter_regression    | a counter that may only grow would decrease                        |
| CD005    | not_found             | a function's target row does not exist                             |
| CD006    | expired               | an operation comes after its deadline                              |
| CD007    | precondition_failed   | the operation is not allowed in the row's current state            |
| CD008    | secret_retained       | purged secret data would be kept or written back                   |
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, ClassVar, ParamSpec, TypeVar, cast

import psycopg

PROJECT_SQLSTATES: dict[str, str] = {
    "CD001": "forbidden_transition",
    "CD002": "idempotency_conflict",
    "CD003": "immutable",
    "CD004": "counter_regression",
    "CD005": "not_found",
    "CD006": "expired",
    "CD007": "precondition_failed",
    "CD008": "secret_retained",
}

# --------------------------------------------------------------------------------------
# The exception hierarchy
#
#   ChainDBError                      everything this package raises for database trouble and bad input
#   ├── NoRowReturned                 a query declared to return a row returned none
#   ├── UnexpectedNull                a column a query declares never NULL was NULL
#   ├── InvalidInput                  a value refused before it reaches the database (also a ValueError)
#   └── DatabaseError                 an error reported by PostgreSQL or the driver
#       ├── OperationalError          connection trouble, shutdown, cancel (08, 53, 57)
#       │   └── QueryCanceled         57014: statement_timeout or a cancel
#       ├── DataError                 22: bad values (invalid text representation, ...); also the
#       │                             driver's own refusals (a NUL byte in text, text that is not UTF-8)
#       ├── ProgrammingError          42: the SQL or a privilege is wrong
#       │   └── InsufficientPrivilege 42501
#       ├── PrimaryRequired           25006: a write (or an @primary read) on a read-only connection (a replica)
#       ├── TransactionConflict       40: retry the whole transaction
#       │   ├── SerializationFailure  40001
#       │   └── DeadlockDetected      40P01
#       ├── LockNotAvailable          55P03: NOWAIT / lock_timeout
#       ├── RaisedException          P0001: RAISE without an ERRCODE (use a CD code instead)
#       ├── IntegrityViolation        23: a constraint; ``.constraint`` names it
#       │   ├── RestrictViolation     23001
#       │   ├── NotNullViolation      23502 (``.column``)
#       │   ├── ForeignKeyViolation   23503
#       │   ├── UniqueViolation       23505
#       │   ├── CheckViolation        23514
#       │   └── ExclusionViolation    23P01
#       └── ProjectError              class CD: one subclass per row of the table above
#
# Every instance carries ``sqlstate``, ``constraint``, ``table``, ``column``, ``schema``,
# ``detail``, ``hint``, ``rule`` (the project SQLSTATE's name, else None) and ``original``
# (the psycopg exception, also chained as ``__cause__``).
#
# The contract of every public function of the package (the generated query modules,
# ``chaindb.db``, ``chaindb.authenticity.packs``, ``chaindb.cocopay.accounts``,
# ``chaindb.chain``): bad input raises a ChainDBError, and only a value of the wrong Python
# type may raise ``TypeError`` instead. A psycopg error without a SQLSTATE (raised by the
# driver, e.g. "text fields cannot contain NUL bytes") maps by its psycopg class; a
# ``UnicodeEncodeError`` (a lone surrogate in a str) becomes a DataError.
# --------------------------------------------------------------------------------------


_P = ParamSpec("_P")
_R = TypeVar("_R")

_BY_SQLSTATE: dict[str, type[ChainDBError]] = {}


class ChainDBError(Exception):
    """Base of every error this package raises about the database or about bad input."""

    #: The SQLSTATE a subclass stands for (registered for ``translate``); None for groups.
    SQLSTATE: ClassVar[str | None] = None

    def __init__(
        self,
        message: str = "",
        *,
        sqlstate: str | None = None,
        constraint: str | None = None,
        table: str | None = None,
        column: str | None = None,
        schema: str | None = None,
        detail: str | None = None,
        hint: str | None = None,
        rule: str | None = None,
        original: psycopg.Error | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.sqlstate = sqlstate if sqlstate is not None else type(self).SQLSTATE
        self.constraint = constraint
        self.table = table
        self.column = column
        self.schema = schema
        self.detail = detail
        self.hint = hint
        self.rule = rule if rule is not None else PROJECT_SQLSTATES.get(self.sqlstate or "")
        self.original = original

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        code = cls.__dict__.get("SQLSTATE")
        if code is not None:
            if code in _BY_SQLSTATE:
                raise TypeError(f"SQLSTATE {code} is already mapped to {_BY_SQLSTATE[code].__name__}")
            _BY_SQLSTATE[code] = cls


class NoRowReturned(ChainDBError):
    """A query declared to return exactly one row (``-- @one``, or a plain INSERT ... RETURNING) returned none."""


class UnexpectedNull(ChainDBError):
    """A result column a query declares never NULL (``-- @not-null``, a function's row) was NULL; ``.column``."""
class InvalidInput(ChainDBError, ValueError):
    """A value the package refuses before sending it to the database (a key of the wrong length, a
    malformed address or QR payload, a ciphertext that does not decrypt). Also a ``ValueError``."""


class DatabaseError(ChainDBError):
    """An error reported by PostgreSQL or by the driver."""


class OperationalError(DatabaseError):
    """The connection or the server is in trouble (SQLSTATE classes 08, 53, 57)."""


class QueryCanceled(OperationalError):
    SQLSTATE = "57014"


class DataError(DatabaseError):
    """A value is invalid for its type (SQLSTATE class 22)."""


class ProgrammingError(DatabaseError):
    """The SQL is wrong or not allowed (SQLSTATE class 42)."""


class InsufficientPrivilege(ProgrammingError):
    SQLSTATE = "42501"


class PrimaryRequired(DatabaseError):
    """A write, or a read only the primary may answer (an exactly-once or idempotency check), met a
    read-only connection: a replica's (refused by the generated code before it is sent) or one the
    server refused (25006, read_only_sql_transaction)."""

    SQLSTATE = "25006"


class TransactionConflict(DatabaseError):
    """The transaction lost a race; retry it as a whole (SQLSTATE class 40)."""


class SerializationFailure(TransactionConflict):
    SQLSTATE = "40001"


class DeadlockDetected(TransactionConflict):
    SQLSTATE = "40P01"


class LockNotAvailable(DatabaseError):
    SQLSTATE = "55P03"


class RaisedException(DatabaseError):
    """``RAISE EXCEPTION`` without an ERRCODE (P0001); project rules raise a CD code instead."""

    SQLSTATE = "P0001"


class IntegrityViolation(DatabaseError):
    """A constraint was violated (SQLSTATE class 23); ``.constraint`` names it."""


class RestrictViolation(IntegrityViolation):
    SQLSTATE = "23001"


class NotNullViolation(IntegrityViolation):
    SQLSTATE = "23502"


class ForeignKeyViolation(IntegrityViolation):
    SQLSTATE = "23503"


class UniqueViolation(IntegrityViolation):
    SQLSTATE = "23505"


class CheckViolation(IntegrityViolation):
    SQLSTATE = "23514"


class ExclusionViolation(IntegrityViolation):
    SQLSTATE = "23P01"


class ProjectError(DatabaseError):
    """A project rule (SQLSTATE class CD, see the table above); ``.rule`` is its name."""


class ForbiddenTransition(ProjectError):
    SQLSTATE = "CD001"


class IdempotencyConflict(ProjectError):
    SQLSTATE = "CD002"


class Immutable(ProjectError):
    SQLSTATE = "CD003"


class CounterRegression(ProjectError):
    SQLSTATE = "CD004"


class NotFound(ProjectError):
    SQLSTATE = "CD005"


class Expired(ProjectError):
    SQLSTATE = "CD006"


class PreconditionFailed(ProjectError):
    SQLSTATE = "CD007"


class SecretRetained(ProjectError):
    SQLSTATE = "CD008"


# Add the class of a new project SQLSTATE above this line (``class X(ProjectError): SQLSTATE = "CD0NN"``).

_BY_CLASS: dict[str, type[ChainDBError]] = {
    "08": OperationalError,
    "22": DataError,
    "23": IntegrityViolation,
    "40": TransactionConflict,
    "42": ProgrammingError,
    "53": OperationalError,
    "57": OperationalError,
    "CD": ProjectError,
}


def error_class(sqlstate: str | None) -> type[ChainDBError]:
    """The exception class ``translate`` uses for a SQLSTATE."""
    if sqlstate:
        if sqlstate in _BY_SQLSTATE:
            return _BY_SQLSTATE[sqlstate]
        if sqlstate[:2] in _BY_CLASS:
            return _BY_CLASS[sqlstate[:2]]
    return DatabaseError


#: For psycopg errors without a SQLSTATE (raised by the driver itself), by psycopg class.
_BY_PSYCOPG_CLASS: tuple[tuple[type[psycopg.Error], type[ChainDBError]], ...] = (
    (psycopg.DataError, DataError),
    (psycopg.IntegrityError, IntegrityViolation),
    (psycopg.ProgrammingError, ProgrammingError),
    (psycopg.OperationalError, OperationalError),
)


def translate(exc: psycopg.Error | UnicodeEncodeError) -> ChainDBError:
    """The ChainDBError for a psycopg error, or for a str psycopg cannot encode (a lone surrogate:
    a DataError); raise it ``from exc``."""
    if isinstance(exc, UnicodeEncodeError):
        return DataError(f"a text value is not valid UTF-8: {exc}")
    sqlstate = exc.sqlstate
    cls = error_class(sqlstate)
    if sqlstate is None:
        cls = next((ours for theirs, ours in _BY_PSYCOPG_CLASS if isinstance(exc, theirs)), cls)
    diag = exc.diag
    return cls(
        str(exc) or type(exc).__name__,
        sqlstate=sqlstate,
        constraint=diag.constraint_name,
        table=diag.table_name,
        column=diag.column_name,
        schema=diag.schema_name,
        detail=diag.message_detail,
        hint=diag.message_hint,
        rule=PROJECT_SQLSTATES.get(sqlstate or ""),
        original=exc,
    )


class _Translating:
    """Context manager: a psycopg error raised inside becomes its ChainDBError."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if isinstance(exc, psycopg.Error | UnicodeEncodeError):
            raise translate(exc) from exc


_TRANSLATING = _Translating()


def translating() -> _Translating:
    """``with translating(): ...`` turns psycopg errors into ChainDBErrors (used by generated code)."""
    return _TRANSLATING


def translated(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorator form of ``translating()`` for sync and async functions."""
    if inspect.iscoroutinefunction(fn):
        afn = cast(Callable[_P, Awaitable[Any]], fn)

        @functools.wraps(fn)
        async def async_wrapper(*args: _P.args, **kwargs: _P.kwargs) -> Any:
            with _TRANSLATING:
                return await afn(*args, **kwargs)

        return cast(Callable[_P, _R], async_wrapper)

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with _TRANSLATING:
            return fn(*args, **kwargs)

    return wrapper
