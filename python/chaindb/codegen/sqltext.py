"""Small, conservative text analysis of a query's SQL (no full parser).

- ``to_numbered``: psycopg ``%(name)s`` placeholders → ``$1..$n`` for libpq describe.
- ``outer_join_nullable``: relation names that sit on the nullable side of an outer join.
- ``always_one_row``: a plain ``INSERT ... VALUES (...) RETURNING``.
- ``single_function_source``: ``SELECT ... FROM schema.fn(...)`` with nothing else in FROM.
- ``optional_variants``: the SQL of each combination of omitted ``@optional`` parameters (used by
  the generator, which prepares every one, and by the runtime, which picks one per call).
"""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"%(?:\(([^)]+)\).|.)", re.DOTALL)


class PlaceholderError(ValueError):
    """The SQL has a placeholder psycopg would reject, or a positional one."""


def to_numbered(sql: str) -> tuple[str, list[str]]:
    """Convert ``%(name)s`` placeholders to ``$n`` (first appearance order) and ``%%`` to ``%``.

    Mirrors psycopg's own placeholder scanning (it does not look inside quotes either).
    Returns the converted SQL and the parameter names in ``$n`` order.
    """
    names: list[str] = []
    out: list[str] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(sql):
        out.append(sql[pos : m.start()])
        pos = m.end()
        text = m.group(0)
        if text == "%%":
            out.append("%")
            continue
        name = m.group(1)
        if name is None:
            if text == "%(":
                raise PlaceholderError(f"incomplete placeholder: {sql[m.start():].split()[0]!r}")
            raise PlaceholderError(
                f"unexpected {text!r} in SQL: write a literal % as %%, parameters as :name"
            )
        if text[-1] not in "sbt":
            raise PlaceholderError(f"only %(name)s placeholders are allowed, got {text!r}")
        if name not in names:
            names.append(name)
        out.append(f"${names.index(name) + 1}")
    out.append(sql[pos:])
    return "".join(out), names


_STRIP = re.compile(
    r"""
    (?P<comment>--[^\n]*)
    | (?P<block>/\*.*?\*/)
    | (?P<estring>[Ee]'(?:[^'\\]|\\.|'')*')
    | (?P<string>'(?:[^']|'')*')
    | (?P<dollar>\$(?P<tag>[A-Za-z_][A-Za-z0-9_]*)?\$.*?\$(?P=tag)\$)
    | (?P<ident>"(?:[^"]|"")*")
    """,
    re.VERBOSE | re.DOTALL,
)


def clean(sql: str) -> str:
    """The SQL without comments, with every string literal replaced by ``''``."""

    def repl(m: re.Match[str]) -> str:
        if m.group("ident") is not None:
            return m.group("ident")
        if m.group("comment") is not None or m.group("block") is not None:
            return " "
        return "''"

    return _STRIP.sub(repl, sql)


_TOKEN = re.compile(r'"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*|[(),.;]')


def _tokens(sql: str) -> list[str]:
    return _TOKEN.findall(clean(sql))


def _word(token: str) -> str | None:
    """An identifier token as a name (unquoted, folded), else None."""
    if token.startswith('"'):
        return token[1:-1].replace('""', '"')
    if token[0].isalpha() or token[0] == "_":
        return token.lower()
    return None


def _upper(token: str) -> str:
    return token.upper() if not token.startswith('"') else ""


def _closing(tokens: list[str], i: int) -> int:
    """Index of the ``)`` matching the ``(`` at ``i`` (or the end)."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j] == "(":
            depth += 1
        elif tokens[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def _names(tokens: list[str]) -> set[str]:
    return {w for t in tokens if (w := _word(t)) is not None}


def outer_join_nullable(sql: str) -> set[str]:
    """Names (folded) of relations that may be NULL-extended by an outer join.

    Conservative: ``LEFT JOIN x`` → x (or every name inside a parenthesised item);
    ``RIGHT JOIN`` → every name before it; ``FULL JOIN`` → both. Names are matched against a
    column's source table name, so over-inclusion only makes more columns Optional.
    """
    tokens = _tokens(sql)
    nullable: set[str] = set()
    for i, tok in enumerate(tokens):
        kind = _upper(tok)
        if kind not in ("LEFT", "RIGHT", "FULL"):
            continue
        j = i + 1
        if j < len(tokens) and _upper(tokens[j]) == "OUTER":
            j += 1
        if j >= len(tokens) or _upper(tokens[j]) != "JOIN":
            continue
        if kind in ("RIGHT", "FULL"):
            nullable |= _names(tokens[:i])
        if kind in ("LEFT", "FULL"):
            k = j + 1
            while k < len(tokens) and _upper(tokens[k]) in ("LATERAL", "ONLY"):
                k += 1
            if k >= len(tokens):
                continue
            if tokens[k] == "(":
                nullable |= _names(tokens[k : _closing(tokens, k) + 1])
            else:
                # schema.table: every part (only the last one matters)
                while k < len(tokens):
                    w = _word(tokens[k])
                    if w is not None:
                        nullable.add(w)
                    if k + 1 < len(tokens) and tokens[k + 1] == ".":
                        k += 2
                        continue
                    break
    return nullable


_GROUPING = re.compile(r"\bGROUP\s+BY\b.*\b(ROLLUP|CUBE|GROUPING\s+SETS)\s*\(", re.IGNORECASE | re.DOTALL)


def has_grouping_sets(sql: str) -> bool:
    """GROUP BY ROLLUP/CUBE/GROUPING SETS: grouped columns may be NULL in some rows."""
    return _GROUPING.search(clean(sql)) is not None


def _without_parens(tokens: list[str]) -> list[str]:
    out: list[str] = []
    depth = 0
    for t in tokens:
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
        elif depth == 0:
            out.append(t)
    return out


def always_one_row(sql: str) -> bool:
    """``INSERT INTO t [(cols)] [OVERRIDING ... VALUE] VALUES (...) | DEFAULT VALUES RETURNING ...``.

    One VALUES row and no ON CONFLICT: the statement returns exactly one row or fails.
    """
    words = [_upper(t) or t for t in _without_parens(_tokens(sql)) if t != ";"]
    if words[:2] != ["INSERT", "INTO"] or "RETURNING" not in words:
        return False
    head = words[: words.index("RETURNING")]
    if "CONFLICT" in head or "SELECT" in head or "," in head:
        return False
    return head[-1] == "VALUES" and head.count("VALUES") == 1


def single_function_source(sql: str) -> tuple[str | None, str] | None:
    """``(schema, name)`` of the function when the query is ``SELECT ... FROM [schema.]fn(...) ...``.

    Only when that call is the whole FROM clause, no join, no other FROM anywhere (so no
    subquery or CTE can mix other rows in).
    """
    tokens = _tokens(sql)
    uppers = [_upper(t) for t in tokens]
    if uppers.count("FROM") != 1 or "JOIN" in uppers or uppers[:1] != ["SELECT"]:
        return None
    i = uppers.index("FROM") + 1
    parts: list[str] = []
    while i < len(tokens):
        w = _word(tokens[i])
        if w is None:
            return None
        parts.append(w)
        if i + 1 < len(tokens) and tokens[i + 1] == ".":
            i += 2
            continue
        i += 1
        break
    if i >= len(tokens) or tokens[i] != "(" or len(parts) not in (1, 2):
        return None
    end = _closing(tokens, i)
    rest = _without_parens(tokens[end + 1 :])
    if "," in rest:
        return None
    if len(parts) == 1:
        return None, parts[0]
    return parts[0], parts[1]


# -- @optional: the WHERE conjuncts an omitted parameter drops ------------------------------------

_SCAN = re.compile(
    r"""
    (?P<skip>--[^\n]*|/\*.*?\*/|[Ee]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'|\$(?P<tag>[A-Za-z_][A-Za-z0-9_]*)?\$.*?\$(?P=tag)\$
             |"(?:[^"]|"")*")
    | (?P<param>%\((?P<name>[^)]+)\)s)
    | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
    | (?P<open>\()
    | (?P<close>\))
    | (?P<semi>;)
    """,
    re.VERBOSE | re.DOTALL,
)
_WHERE_ENDS = frozenset(
    {"GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT", "OFFSET", "FETCH", "FOR", "RETURNING", "UNION", "INTERSECT",
     "EXCEPT"}
)


class OptionalError(ValueError):
    """A query whose @optional parameters cannot be dropped with their predicates."""


def where_conjuncts(sql: str) -> tuple[int, int, list[tuple[int, int]]]:
    """The top-level WHERE clause of ``sql``: (start of ``WHERE``, end of the clause, the spans of its
    AND-ed parts). Refuses a clause with a top-level OR (``a AND b OR c`` is not a conjunction) and
    a query with more than one top-level WHERE."""
    depth = 0
    where: int | None = None
    end = -1
    parts: list[tuple[int, int]] = []
    start = -1
    between = False
    last_end = -1
    for m in _SCAN.finditer(sql):
        if m.group("skip") is not None:
            continue
        if m.group("open"):
            depth += 1
        elif m.group("close"):
            depth -= 1
        if depth != 0 or m.group("open") or m.group("close"):
            if where is not None and end < 0:
                last_end = m.end()
                if start < 0:
                    start = m.start()
            continue
        word = (m.group("word") or "").upper()
        if word == "WHERE":
            if where is not None:
                raise OptionalError("more than one top-level WHERE (a UNION?): @optional needs one")
            where, start = m.start(), -1
            continue
        if where is None or end >= 0:
            continue
        if word in _WHERE_ENDS or m.group("semi"):
            end = m.start()
            continue
        if word == "OR":
            raise OptionalError("the WHERE clause has a top-level OR: put the OR-ed conditions in parentheses")
        if word == "BETWEEN":
            between = True
        elif word == "AND" and between:
            between = False
        elif word == "AND":
            parts.append((start, last_end))
            start = -1
            continue
        if start < 0:
            start = m.start()
        last_end = m.end()
    if where is None:
        raise OptionalError("no top-level WHERE clause to drop predicates from")
    if start >= 0:
        parts.append((start, last_end))
    if end < 0:
        end = len(sql.rstrip().rstrip(";").rstrip())
    return where, end, parts


def _params_in(text: str) -> set[str]:
    return {m.group("name") for m in _SCAN.finditer(text) if m.group("param")}


def optional_variants(sql: str, optional: list[str] | tuple[str, ...]) -> dict[frozenset[str], str]:
    """The SQL for every set of omitted ``optional`` parameters: each WHERE part that names an omitted
    parameter is dropped (and ``WHERE`` itself when no part is left). Keys are the omitted names."""
    where, end, parts = where_conjuncts(sql)
    texts = [sql[a:b] for a, b in parts]
    names = [_params_in(t) for t in texts]
    chosen = set(optional)
    outside = _params_in(sql[:where] + sql[end:])
    for used in names:
        if not used & chosen:
            outside |= used
    stray = sorted(chosen & outside)
    if stray:
        raise OptionalError(f"@optional {', '.join(stray)}: also used outside the WHERE parts it may drop")
    missing = sorted(chosen - set().union(*names, set()))
    if missing:
        raise OptionalError(f"@optional {', '.join(missing)}: no WHERE part uses it")
    out: dict[frozenset[str], str] = {}
    for mask in range(1 << len(optional)):
        omitted = frozenset(n for k, n in enumerate(optional) if mask >> k & 1)
        kept = [t for t, used in zip(texts, names, strict=True) if not used & omitted]
        if kept == texts:
            out[omitted] = sql
            continue
        newline = "\n" if "\n" in sql[where:end] else " "
        clause = ("WHERE " + f"{newline}    AND ".join(k.strip() for k in kept) + newline) if kept else ""
        tail = sql[end:].lstrip()
        out[omitted] = (sql[:where] + clause + tail).rstrip() if tail else (sql[:where] + clause).rstrip()
    return out
