"""Property tests of every generated write function (Hypothesis): the harness.

What is tested, for each write function of each schema, on generated arguments valid and
invalid (pool values taken from seeded rows, well-formed values from the schema's spec,
boundary numbers, NaN and infinities, empty, huge, NUL and lone-surrogate strings, wrong enum
text, NULLs for any parameter), each call made as ``chaindb_app`` with the database's clock
moved by a generated offset:

- only ``chaindb.errors`` exceptions come out (anything else fails the test, TypeError too: the
  harness passes values of the annotated Python types only);
- a rejected call changes nothing: when the call raised without aborting the transaction, the
  row counts and an md5 checksum of every table of the schema equal the seeded state (when it
  aborted, PostgreSQL rolled the statement back and the transaction can only be rolled back);
- an accepted call leaves the schema's invariants true: the spec's ``INVARIANTS`` query, run
  as the superuser, returns no row.

Which functions: the named queries of ``queries/<schema>/`` (aiosql, the generator's own
source) whose statement writes (INSERT, UPDATE, DELETE, MERGE, or WITH ... of those) or calls a
function of its own schema (``<schema>.fn(``) that is VOLATILE in the catalog (checked when the
test runs; a query calling only STABLE functions is skipped as a read). The callable is
``getattr(chaindb.<schema>.queries, name)``: the generated module's public name, whatever its
internal layout.

Per schema, ``spec_<schema>.py`` in this folder (loaded by path) gives:

- ``seed(conn, clock)``: the rows the examples start from, in many states (committed once per
  test session; every example is a transaction that is rolled back). ``conn`` is the
  superuser; ``clock`` moves the database's clock (``offset(timedelta)``, ``freeze(datetime)``).
- ``INVARIANTS``: one SQL query returning a row per broken invariant (``what`` and detail columns).
- ``STRATEGIES`` (optional): ``{"parameter": strategy}`` or ``{"function.parameter": strategy}``
  (the latter first) of well-formed values (addresses, signatures, codes, fresh keys) mixed
  into the likely values of that parameter; values of the parameter's annotated type.
- ``POOLS`` (optional): ``{"parameter": "column"}`` when a parameter refers to rows of a column
  with another name (``owner_id`` -> ``user_id``). Without it, a parameter ``to_user_id`` with
  no column of its own draws from ``user_id``, then ``id`` (the last words of its name).

Budgets: the ``chaindb`` profile (``make test``) runs 200 derandomized examples per function,
the ``chaindb-fuzz`` profile (``make fuzz``: ``CHAINDB_HYPOTHESIS_PROFILE=chaindb-fuzz``) 10,000
random ones; each function must reach its budget, and the counts (accepted, rejected by error
class; with ``CHAINDB_PROPERTY_VERBOSE=1`` one message per kind of refusal) are printed at the
end of the run.

Reusing it for a new schema: add ``spec_<schema>.py`` here; its write functions are found and
tested without other code (a schema with write functions and no spec fails, naming the file).
"""

from __future__ import annotations

import datetime
import decimal
import enum
import hashlib
import importlib.util
import inspect
import ipaddress
import os
import re
import types
import typing
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosql
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row
from pydantic import JsonValue

from chaindb import admin, errors
from chaindb.embedded import project_root

APP_ROLE = "chaindb_app"
HERE = Path(__file__).parent
UTC = datetime.UTC

_COMMON = dict(
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
# make test: the same examples on every run (derandomized: no flaky CI); make fuzz: new ones every run.
settings.register_profile("chaindb", max_examples=200, derandomize=True, **_COMMON)
settings.register_profile("chaindb-fuzz", max_examples=10_000, **_COMMON)
#: ``make fuzz`` sets CHAINDB_HYPOTHESIS_PROFILE=chaindb-fuzz; CHAINDB_PROPERTY_EXAMPLES=N overrides the count.
settings.load_profile(os.environ.get("CHAINDB_HYPOTHESIS_PROFILE", "chaindb"))
if os.environ.get("CHAINDB_PROPERTY_EXAMPLES"):
    settings.register_profile(
        "chaindb-custom", settings.default, max_examples=int(os.environ["CHAINDB_PROPERTY_EXAMPLES"])
    )
    settings.load_profile("chaindb-custom")


# -- which functions ---------------------------------------------------------------------

_DML = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE)\b", re.I)
_WITH_DML = re.compile(r"^\s*WITH\b.*\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\b", re.I | re.S)
_COMMENT = re.compile(r"--[^\n]*")


@dataclass(frozen=True)
class WriteQuery:
    schema: str
    name: str
    sql: str
    #: functions of the query's own schema that it calls (their volatility is checked at run time)
    calls: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.schema}.{self.name}"


def write_queries(schema: str) -> list[WriteQuery]:
    """The named queries of ``queries/<schema>/`` that may write (see the module docstring)."""
    folder = project_root() / "queries" / schema
    if not folder.is_dir():
        return []
    loaded = aiosql.from_path(str(folder), "psycopg")
    generated = importlib.import_module(f"chaindb.{schema}.queries")
    out = []
    for name in sorted(loaded.available_queries):
        if not callable(getattr(generated, name, None)):
            continue  # aiosql's own variants (<name>_cursor)
        text = _COMMENT.sub("", getattr(loaded, name).sql)
        # schema.fn( is a call; an INSERT's column list is written schema.table (columns)
        calls = tuple(sorted(set(re.findall(rf"\b{re.escape(schema)}\.(\w+)\(", text))))
        if _DML.match(text) or _WITH_DML.match(text) or calls:
            out.append(WriteQuery(schema, name, text, calls))
    return out


def all_write_queries() -> list[WriteQuery]:
    return [q for schema in admin.available_schemas() for q in write_queries(schema)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "write_query" in metafunc.fixturenames:
        found = all_write_queries()
        metafunc.parametrize("write_query", found, ids=[q.id for q in found])


# -- the per-schema spec ----------------------------------------------------------------------


@dataclass
class Spec:
    schema: str
    seed: Callable[[psycopg.Connection[Any], Any], None]
    invariants: str
    strategies: dict[str, st.SearchStrategy[Any]]
    pools: dict[str, str]


def load_spec(schema: str) -> Spec:
    path = HERE / f"spec_{schema}.py"
    if not path.exists():
        pytest.fail(
            f"schema {schema} has write functions but no property spec: add {path.relative_to(project_root())} "
            "with seed(conn, clock), INVARIANTS and optionally STRATEGIES (see tests/python/properties/conftest.py)"
        )
    loader = importlib.util.spec_from_file_location(f"chaindb_property_spec_{schema}", path)
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return Spec(
        schema,
        module.seed,
        module.INVARIANTS,
        dict(getattr(module, "STRATEGIES", {})),
        dict(getattr(module, "POOLS", {})),
    )


# -- values ----------------------------------------------------------------------------------

BOUNDARY_TEXT = [
    "", " ", "\x00", "a\x00b", "\ud800", "x" * 300, "x" * 100_000, "é", "😀", "NaN", "null", "{}", "%s", "%(x)s",
    "'; DROP TABLE users; --", "0x", "0x" + "0" * 40, "0x" + "g" * 40, "0x" + "ab" * 32, "1" * 44, "O0Il" * 11,
]
BOUNDARY_NUMBERS: list[decimal.Decimal | int] = [
    0, 1, -1, decimal.Decimal("0.000001"), decimal.Decimal("0.0000001"), decimal.Decimal("-0"),
    decimal.Decimal("12.50"), 10**12, 10**18, 10**30, 10**77, 10**78, -(10**78), decimal.Decimal("1E+1000"),
    decimal.Decimal("NaN"), decimal.Decimal("Infinity"), decimal.Decimal("-Infinity"),
]
BOUNDARY_TIMES = [
    datetime.datetime(1, 1, 1, tzinfo=UTC), datetime.datetime(9999, 12, 31, tzinfo=UTC),
    datetime.datetime(1970, 1, 1, tzinfo=UTC), datetime.datetime(2000, 1, 1),  # naive: the session's zone
]
BOUNDARY_INTERVALS = [datetime.timedelta(0), -datetime.timedelta(seconds=1), datetime.timedelta(days=10**6)]
BOUNDARY_INTS = [0, 1, -1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 10**30]
CLOCK_OFFSETS = st.one_of(
    st.sampled_from([datetime.timedelta(0), datetime.timedelta(minutes=6), datetime.timedelta(hours=1),
                     datetime.timedelta(days=2), -datetime.timedelta(hours=1), -datetime.timedelta(days=400)]),
    st.timedeltas(min_value=-datetime.timedelta(days=3650), max_value=datetime.timedelta(days=3650)),
)
#: Printable text: the valid side (NUL, lone surrogates and the like are on the invalid side).
TEXT = st.text(st.characters(min_codepoint=32, exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _is_json(kind: Any) -> bool:
    """A JSON parameter: pydantic's ``JsonValue`` (the generated annotation), or ``Any``."""
    return kind is Any or kind is JsonValue


def _unwrap(annotation: Any) -> tuple[list[Any], bool]:
    """The member types of an annotation and whether None is allowed (pydantic's JsonValue, how the
    generated functions type json parameters, counts as Any: any JSON value)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = [Any if a is JsonValue else a for a in typing.get_args(annotation) if a is not type(None)]
        return members, len(members) < len(typing.get_args(annotation))
    return [Any if annotation is JsonValue else annotation], False


@dataclass
class Pools:
    """The seeded schema's values, to draw likely-valid arguments from: by column name, and whole
    rows by table (so that the parameters of one call can come from one row)."""

    by_name: dict[str, list[Any]] = field(default_factory=dict)
    uuids: list[uuid.UUID] = field(default_factory=list)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def entity_rows(self, function: str) -> list[dict[str, Any]]:
        """The rows of the table a function is about, by the ``<entity>_<verb>`` naming rule:
        the longest prefix of the function's name whose plural is a table (``code_pack_download``
        -> code_packs, ``batch_activate`` -> batches, ``store_member_accept`` -> store_members)."""
        words = function.split("_")
        for end in range(len(words) - 1, 0, -1):
            entity = "_".join(words[:end])
            for table in (f"{entity}s", f"{entity}es", f"{entity[:-1]}ies"):
                if table in self.rows:
                    return self.rows[table]
        return []

    def values(self, name: str, kind: Any) -> list[Any]:
        found = self.by_name.get(name, [])
        if _is_json(kind):  # json: any value of a column with this name
            return list(found)
        if kind is int:
            return [v for v in found if isinstance(v, int) and not isinstance(v, bool)]
        return [v for v in found if isinstance(kind, type) and isinstance(v, kind)]


def harvest(conn: psycopg.Connection[Any], schema: str) -> Pools:
    pools = Pools()
    columns = conn.execute(
        """
        SELECT c.relname, a.attname
        FROM pg_class AS c JOIN pg_attribute AS a ON a.attrelid = c.oid
        WHERE c.relnamespace = %s::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        """,
        (schema,),
    ).fetchall()
    for table, column in columns:
        query = sql.SQL("SELECT DISTINCT {c} FROM {s}.{t} WHERE {c} IS NOT NULL LIMIT 40").format(
            c=sql.Identifier(column), s=sql.Identifier(schema), t=sql.Identifier(table)
        )
        values = [_python(row[0]) for row in conn.execute(query)]
        pools.by_name.setdefault(column, []).extend(values)
        pools.uuids.extend(v for v in values if isinstance(v, uuid.UUID))
    for table in {t for t, _ in columns}:
        query = sql.SQL("SELECT * FROM {s}.{t} LIMIT 60").format(s=sql.Identifier(schema), t=sql.Identifier(table))
        with conn.cursor(row_factory=dict_row) as cur:
            pools.rows[table] = [{k: _python(v) for k, v in row.items()} for row in cur.execute(query)]
    return pools


def _python(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


class Values:
    """Argument strategies for one schema, in three tiers per parameter:

    - likely: the value of the same-named column of one seeded row of the function's table
      (one row for all the parameters of a call), else the pool of seeded values of a column
      with the parameter's name and the spec's well-formed values (else any value of the
      type), so that whole calls succeed often;
    - plausible: those and any value of the annotated type;
    - invalid: boundary values of the type (NaN and infinities, empty, huge, NUL, lone
      surrogates, wrong enum text, out-of-range numbers and dates) and NULL.

    Each example draws a mode: every parameter likely, every parameter plausible, or each
    parameter from a tier of its own.
    """

    def __init__(self, pools: Pools, spec: Spec, db_now: datetime.datetime) -> None:
        self.pools = pools
        self.spec = spec
        self.db_now = db_now

    def tiers(self, function: str, name: str, annotation: Any) -> st.SearchStrategy[tuple[Any, Any, Any]]:
        members, optional = _unwrap(annotation)
        likely = st.one_of([self._likely(function, name, m) for m in members])
        plausible = st.one_of([likely] + [self._typed(name, m) for m in members])
        invalid = st.one_of([self._invalid(m) for m in members] + [st.none()])
        if optional:
            likely, plausible = likely | st.none(), plausible | st.none()
        return st.tuples(likely, plausible, invalid)

    def _likely(self, function: str, name: str, kind: Any) -> st.SearchStrategy[Any]:
        special = self.spec.strategies.get(f"{function}.{name}")
        if special is not None:
            return special
        options = []
        found = self._pool(name, kind)
        if found:
            options.append(st.sampled_from(found))
        if name in self.spec.strategies:
            options.append(self.spec.strategies[name])
        return st.one_of(options) if options else self._typed(name, kind)

    def _pool(self, name: str, kind: Any) -> list[Any]:
        words = self.spec.pools.get(name, name).split("_")
        for start in range(len(words)):  # to_user_id, then user_id, then id
            found = self.pools.values("_".join(words[start:]), kind)
            if found:
                return found
        return self.pools.uuids if kind is uuid.UUID else []

    def _typed(self, name: str, kind: Any) -> st.SearchStrategy[Any]:
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return st.sampled_from(list(kind))
        if _is_json(kind):
            return JSON
        simple: dict[Any, st.SearchStrategy[Any]] = {
            uuid.UUID: st.uuids(),
            str: TEXT,
            bool: st.booleans(),
            int: st.integers(0, 10**6),
            decimal.Decimal: st.decimals(min_value=0, max_value=10**6, places=2),
            bytes: st.binary(min_size=32, max_size=32),
            datetime.datetime: st.timedeltas(
                min_value=datetime.timedelta(minutes=-10), max_value=datetime.timedelta(days=30)
            ).map(lambda d: self.db_now + d),
            datetime.date: st.dates(datetime.date(2020, 1, 1), datetime.date(2035, 1, 1)),
            datetime.timedelta: st.timedeltas(
                min_value=datetime.timedelta(seconds=1), max_value=datetime.timedelta(hours=1)
            ),
            ipaddress.IPv4Address: st.ip_addresses(v=4),
            ipaddress.IPv6Address: st.ip_addresses(v=6),
            ipaddress.IPv4Interface: st.ip_addresses(v=4).map(ipaddress.ip_interface),
            ipaddress.IPv6Interface: st.ip_addresses(v=6).map(ipaddress.ip_interface),
        }
        if kind not in simple:
            raise TypeError(f"no strategy for parameter {name}: {kind!r}")
        return simple[kind]

    def _invalid(self, kind: Any) -> st.SearchStrategy[Any]:
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return st.sampled_from(["", "NOT_A_LABEL", "x" * 300]) | st.text(max_size=12)
        if kind is uuid.UUID:
            return st.uuids()
        if kind is str:
            return st.sampled_from(BOUNDARY_TEXT) | st.text(max_size=60)
        if kind is bool:
            return st.booleans()
        if kind is int:
            return st.sampled_from(BOUNDARY_INTS) | st.integers(-(2**64), 2**64)
        if kind is decimal.Decimal:
            return st.sampled_from(BOUNDARY_NUMBERS) | st.decimals()
        if kind is bytes:
            return st.sampled_from([b"", b"\x00" * 31, b"\x00" * 33, b"\xff" * 64]) | st.binary(max_size=64)
        if kind is datetime.datetime:
            return st.sampled_from(BOUNDARY_TIMES) | st.datetimes(timezones=st.just(UTC))
        if kind is datetime.date:
            return st.dates()
        if kind is datetime.timedelta:
            return st.sampled_from(BOUNDARY_INTERVALS) | st.timedeltas()
        if _is_json(kind):
            return JSON
        return st.sampled_from(["not an address", "", "999.999.999.999"]) | st.text(max_size=20)

    def kwargs(self, fn: Callable[..., Any]) -> st.SearchStrategy[dict[str, Any]]:
        """Keyword arguments of a generated function (``*!`` functions: a list of row dicts)."""
        hints = typing.get_type_hints(fn)
        params = [p for p in inspect.signature(fn).parameters.values() if p.name != "conn"]
        if [p.name for p in params] == ["rows"]:  # *! (executemany): an iterable of row dicts
            (row_type,) = typing.get_args(hints["rows"])
            row = self._fields(fn.__name__, typing.get_type_hints(row_type))
            return st.lists(row, max_size=4).map(lambda rows: {"rows": rows})
        return self._fields(fn.__name__, {p.name: hints[p.name] for p in params})

    def _fields(self, function: str, hints: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        tiers = {name: self.tiers(function, name, annotation) for name, annotation in hints.items()}
        rows = self.pools.entity_rows(function)
        fits = {name: _fits(annotation) for name, annotation in hints.items()}

        @st.composite
        def build(draw: Any) -> dict[str, Any]:
            mode = draw(st.sampled_from(["row", "likely", "plausible", "mixed"]))
            row = draw(st.sampled_from(rows)) if rows and mode == "row" else {}
            out = {}
            for name, options in tiers.items():
                likely, plausible, invalid = draw(options)
                if name in row and fits[name](row[name]) and draw(st.integers(0, 5)):
                    out[name] = row[name]
                    continue
                pick = {"row": 0, "likely": 0, "plausible": 1}.get(mode)
                if pick is None:
                    pick = draw(st.integers(0, 2))
                out[name] = (likely, plausible, invalid)[pick]
            return out

        return build()


def _fits(annotation: Any) -> Callable[[Any], bool]:
    """Whether a seeded value can be passed for a parameter of this annotation."""
    members, optional = _unwrap(annotation)

    def fits(value: Any) -> bool:
        if value is None:
            return optional
        for kind in members:
            if _is_json(kind):
                return True
            if isinstance(kind, type) and issubclass(kind, enum.Enum):
                if value in {m.value for m in kind}:
                    return True
            elif isinstance(kind, type) and isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
                return True
        return False

    return fits


# -- the runner -------------------------------------------------------------------------------


@dataclass
class Counts:
    examples: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    #: the first message of each outcome (printed with CHAINDB_PROPERTY_VERBOSE=1)
    samples: dict[str, str] = field(default_factory=dict)


COUNTS: dict[str, Counts] = {}


class Harness:
    """One seeded database of one schema; every example is one transaction, rolled back."""

    def __init__(self, conn: psycopg.Connection[Any], spec: Spec) -> None:
        self.conn = conn
        self.spec = spec
        self.schema = spec.schema
        tables = [r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_class AS c WHERE c.relnamespace = %s::regnamespace AND c.relkind IN ('r', 'p') "
            "ORDER BY 1", (self.schema,))]
        parts = []
        for table in tables:
            ref = sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(table))
            parts.append(sql.SQL("(SELECT count(*) FROM {t})").format(t=ref))
            parts.append(sql.SQL(
                "(SELECT coalesce(md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))), '') FROM {t} AS x)"
            ).format(t=ref))
        self.checksum_sql = sql.SQL("SELECT ") + sql.SQL(", ").join(parts)
        self.baseline = self.checksum()
        broken = conn.execute(spec.invariants).fetchall()
        assert broken == [], f"the seed of {self.schema} breaks its own invariants: {broken}"
        db_now = conn.execute("SELECT common.now()").fetchone()
        assert db_now is not None
        self.values = Values(harvest(conn, self.schema), spec, db_now[0])
        self.generated = importlib.import_module(f"chaindb.{self.schema}.queries")

    @staticmethod
    def fresh_counts() -> Counts:
        """Counts not reported in the summary (for the harness's own tests)."""
        return Counts()

    def checksum(self) -> tuple[Any, ...]:
        row = self.conn.execute(self.checksum_sql).fetchone()
        assert row is not None
        return tuple(row)

    def volatile(self, functions: Iterable[str]) -> bool:
        row = self.conn.execute(
            "SELECT bool_or(p.provolatile = 'v') FROM pg_proc AS p "
            "WHERE p.pronamespace = %s::regnamespace AND p.proname = ANY(%s)",
            (self.schema, list(functions)),
        ).fetchone()
        return bool(row and row[0])

    def run(self, query: WriteQuery) -> Counts:
        if not (_DML.match(query.sql) or _WITH_DML.match(query.sql)) and not self.volatile(query.calls):
            pytest.skip(f"{query.id} reads only: {', '.join(query.calls)} are not VOLATILE")
        fn = getattr(self.generated, query.name)
        counts = COUNTS.setdefault(query.id, Counts())

        @given(offset=CLOCK_OFFSETS, kwargs=self.values.kwargs(fn))
        def example(offset: datetime.timedelta, kwargs: dict[str, Any]) -> None:
            counts.examples += 1
            self.one(fn, offset, kwargs, counts)

        example()
        budget = settings.default.max_examples
        assert counts.examples >= budget, f"{query.id}: {counts.examples} examples, fewer than {budget}"
        return counts

    def one(self, fn: Callable[..., Any], offset: datetime.timedelta, kwargs: dict[str, Any], counts: Counts) -> None:
        conn = self.conn  # autocommit: the example's transaction is explicit
        # one round trip: the transaction, the clock, the role
        conn.execute(sql.SQL("BEGIN; SELECT common.set_clock_offset({}); SET ROLE {}").format(
            sql.Literal(offset), sql.Identifier(APP_ROLE)
        ))
        try:
            try:
                fn(conn, **kwargs)
                outcome = "accepted"
            except errors.ChainDBError as exc:  # anything else fails the example
                outcome = type(exc).__name__
                counts.samples.setdefault(f"{outcome} {exc.constraint or exc.sqlstate}", str(exc).splitlines()[0][:160])
            aborted = conn.info.transaction_status == TransactionStatus.INERROR
            if aborted:
                assert outcome != "accepted", "the call returned although its statement failed"
                conn.execute("ROLLBACK")  # nothing of the call can be committed
            conn.execute("RESET ROLE")
            counts.outcomes[outcome] += 1
            if outcome == "accepted":
                broken = conn.execute(self.spec.invariants).fetchall()
                assert broken == [], f"invariants broken after an accepted call: {broken}"
            elif not aborted:
                assert self.checksum() == self.baseline, f"a rejected call ({outcome}) changed the schema's rows"
        finally:  # back to the seeded state (one transaction per example: nothing nests or piles up)
            if conn.info.transaction_status != TransactionStatus.IDLE:
                conn.execute("ROLLBACK")


class _Clock:
    """The seed's clock: its own superuser connection (the seed may run as the app role)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def offset(self, by: datetime.timedelta) -> None:
        self.conn.execute("SELECT common.set_clock_offset(%s)", (by,))

    def freeze(self, at: datetime.datetime) -> None:
        self.conn.execute("SELECT common.freeze_clock(%s)", (at,))


@pytest.fixture(scope="session")
def harness_for(pg_url: str, template_url: str) -> Iterator[Callable[[str], Harness]]:
    """``harness_for(schema)``: that schema's seeded database and runner (made once per session)."""
    made: dict[str, Harness] = {}
    names: list[str] = []
    template = admin.database_name(template_url)

    def get(schema: str) -> Harness:
        if schema not in made:
            spec = load_spec(schema)
            name = f"chaindb_prop_{schema}_{hashlib.sha1(str(uuid.uuid4()).encode()).hexdigest()[:8]}"
            url = admin.create_database(pg_url, name, template=template)
            names.append(name)
            conn = psycopg.connect(url, autocommit=True)
            with psycopg.connect(url, autocommit=True) as clock:
                spec.seed(conn, _Clock(clock))
                clock.execute("SELECT common.set_clock_offset('0')")
            made[schema] = Harness(conn, spec)
        return made[schema]

    yield get
    for harness in made.values():
        harness.conn.close()
    for name in names:
        admin.drop_database(pg_url, name)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not COUNTS:
        return
    terminalreporter.section("property tests: examples per generated write function")
    for name, counts in sorted(COUNTS.items()):
        rejected = ", ".join(f"{k} {v}" for k, v in counts.outcomes.most_common() if k != "accepted")
        terminalreporter.write_line(
            f"{name:<48} {counts.examples:>7} examples  {counts.outcomes['accepted']:>7} accepted  {rejected}"
        )
        if os.environ.get("CHAINDB_PROPERTY_VERBOSE"):
            for what, message in sorted(counts.samples.items()):
                terminalreporter.write_line(f"    {what}: {message}")
