"""Load ``queries/<schema>/*.sql`` with aiosql and read the generator's directives."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import aiosql
from aiosql.types import SQLOperationType

DIRECTIVES = ("not-null", "nullable", "nullable-param", "one", "optional", "json", "primary")
_JSON_ARG = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(\S.*)$")
_DIRECTIVE = re.compile(r"^@([A-Za-z-]+)\b\s*(.*)$")
_NAME_LINE = re.compile(r"^\s*--\s*name\s*:\s*([\w-]+)")
_COMMENT_LINE = re.compile(r"^\s*--")


class QueryFileError(Exception):
    """A problem in a query file, reported as ``file:line: message``."""

    def __init__(self, where: str, line: int, message: str) -> None:
        super().__init__(f"{where}:{line}: {message}")
        self.where = where
        self.line = line


@dataclass
class Directives:
    not_null: set[str] = field(default_factory=set)
    all_not_null: bool = False
    nullable: set[str] = field(default_factory=set)
    nullable_params: set[str] = field(default_factory=set)
    one: bool = False
    optional: list[str] = field(default_factory=list)  # @optional: in the order written
    json: dict[str, str] = field(default_factory=dict)  # @json column: Python type expression
    primary: bool = False  # @primary: read on the primary only (an exactly-once or idempotency check)


@dataclass
class RawQuery:
    name: str
    where: str  # the file as shown in messages
    line: int  # line of ``-- name:`` in the file
    operation: SQLOperationType
    sql: str  # exactly as aiosql parsed it (psycopg %(name)s placeholders)
    doc: str  # the comment, without directive lines
    parameters: list[str] | None  # declared parameter list, if any
    directives: Directives
    sql_lines: list[int] | None  # file line of each line of ``sql``, when known
    file: str = ""  # the query file's name (``transactions.sql``)

    def error(self, message: str, sql_offset: int | None = None) -> QueryFileError:
        line = self.line
        if sql_offset is not None and self.sql_lines:
            k = self.sql[:sql_offset].count("\n")
            if 0 <= k < len(self.sql_lines):
                line = self.sql_lines[k]
        return QueryFileError(self.where, line, f"query {self.name}: {message}")


def _split_names(text: str) -> set[str]:
    return {n.strip() for n in text.split(",") if n.strip()}


def parse_doc(doc: str, where: str, line: int, name: str) -> tuple[str, Directives]:
    """Separate ``@directive`` lines from the docstring."""
    directives = Directives()
    kept: list[str] = []
    for text in doc.splitlines():
        m = _DIRECTIVE.match(text.strip())
        if not m:
            kept.append(text)
            continue
        kind, arg = m.group(1), m.group(2).strip()
        if kind == "not-null":
            names = _split_names(arg)
            if "*" in names:
                directives.all_not_null = True
                names.discard("*")
            directives.not_null |= names
        elif kind == "nullable":
            directives.nullable |= _split_names(arg)
        elif kind == "nullable-param":
            directives.nullable_params |= _split_names(arg)
        elif kind in ("one", "primary"):
            if arg:
                raise QueryFileError(where, line, f"query {name}: @{kind} takes no argument")
            setattr(directives, kind, True)
        elif kind == "optional":
            new = [n for n in (x.strip() for x in arg.split(",")) if n and n not in directives.optional]
            directives.optional += new
        elif kind == "json":
            m = _JSON_ARG.match(arg)
            if m is None:
                example = "@json tokens_used: list[TokenUse]"
                raise QueryFileError(where, line, f"query {name}: @json needs `column: Type` (e.g. {example})")
            directives.json[m.group(1)] = m.group(2).strip()
            continue
        else:
            known = ", ".join("@" + d for d in DIRECTIVES)
            raise QueryFileError(where, line, f"query {name}: unknown directive @{kind} (known: {known})")
        if kind not in ("one", "primary") and not _split_names(arg):
            raise QueryFileError(where, line, f"query {name}: @{kind} needs a comma-separated list of names")
    both = directives.not_null & directives.nullable
    if both:
        raise QueryFileError(where, line, f"query {name}: both @not-null and @nullable: {', '.join(sorted(both))}")
    return "\n".join(kept).strip(), directives


def _name_lines(text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        m = _NAME_LINE.match(line)
        if m:
            found.setdefault(m.group(1).replace("-", "_"), number)
    return found


def _sql_lines(text: str, start: int) -> list[int] | None:
    """File line of each line of aiosql's SQL for the query whose name line is ``start``."""
    if "/*" in text:
        return None  # aiosql drops block comments first: lines would not line up
    lines = text.splitlines()
    out: list[int] = []
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if _NAME_LINE.match(line):
            break
        if _COMMENT_LINE.match(line):
            continue
        if not out and not line.strip():
            continue
        out.append(number)
    return out


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_file(path: Path) -> list[RawQuery]:
    where = display_path(path)
    text = path.read_text(encoding="utf-8")
    lines = _name_lines(text)
    try:
        queries = aiosql.from_path(path, "psycopg")
    except Exception as exc:  # aiosql's SQLParseException / SQLLoadException
        m = re.search(r" at .*:(\d+)", str(exc))
        q = re.search(r"\bquery (\w+)", str(exc))
        line = int(m.group(1)) if m else lines.get(q.group(1), 0) if q else 0
        raise QueryFileError(where, line, f"{type(exc).__name__}: {exc}") from exc
    names = set(queries.available_queries)
    out: list[RawQuery] = []
    for qname in sorted(names):
        fn = getattr(queries, qname)
        base = qname[: -len("_cursor")]
        if qname.endswith("_cursor") and base in names and getattr(queries, base).sql == fn.sql:
            continue  # aiosql's cursor context-manager twin of a select
        line = lines.get(qname, 0)
        if fn.attributes:
            raise QueryFileError(where, line, f"query {qname}: attribute parameters (:a.b) are not supported")
        doc, directives = parse_doc(fn.__doc__ or "", where, line, qname)
        out.append(
            RawQuery(
                name=qname,
                where=where,
                line=line,
                operation=fn.operation,
                sql=fn.sql,
                doc=doc,
                parameters=list(fn.parameters) if fn.parameters is not None else None,
                directives=directives,
                sql_lines=_sql_lines(text, line) if line else None,
                file=path.name,
            )
        )
    out.sort(key=lambda q: (q.line, q.name))
    return out


def file_header(path: Path) -> str:
    """The comment lines at the top of a query file, before its first ``-- name:``, as text."""
    lines: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if _NAME_LINE.match(line):
            break
        if _COMMENT_LINE.match(line):
            lines.append(re.sub(r"^\s*--\s?", "", line).rstrip())
        elif line.strip():
            break
        elif lines:
            lines.append("")
    return "\n".join(lines).strip()


def load_schema(queries_dir: Path, schema: str) -> list[RawQuery]:
    folder = queries_dir / schema
    if not folder.is_dir():
        raise QueryFileError(display_path(folder), 0, "no such query folder")
    out: list[RawQuery] = []
    seen: dict[str, RawQuery] = {}
    for path in sorted(folder.glob("*.sql")):
        for q in load_file(path):
            if q.name in seen:
                first = seen[q.name]
                message = f"query {q.name} is already defined at {first.where}:{first.line}"
                raise QueryFileError(q.where, q.line, message)
            seen[q.name] = q
            out.append(q)
    return out
