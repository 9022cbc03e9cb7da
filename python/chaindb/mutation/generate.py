"""The mutants: read from the catalog of a migrated database and from the rule declarations.

Nothing here names a table, a constraint or a function of the project: every mutant comes from what
a database migrated from zero holds, in the product schemas of the registry and ``common``
(extension members excluded). A new schema is covered the day its migrations land.

- ``check-drop``: every CHECK constraint (of a table or a domain) dropped.
- ``check-weaken``: every comparison in a CHECK's deparsed text (``pg_get_constraintdef``) moved one
  step: ``>`` to ``>=``, ``<`` to ``<=``, ``>=`` to ``>``, ``<=`` to ``<``, ``=`` to ``<>``, ``<>`` to
  ``=``. The first two admit the boundary the rule refuses, the next two refuse the boundary it
  admits: killing both takes a test on each side of the boundary.
- ``check-anchor``: the ``^`` or the ``$`` of every regex literal matched by ``~``, ``~*``, ``!~``,
  ``!~*`` in a CHECK removed.
- ``check-conjunct``: one operand of every ``a AND b`` in a CHECK dropped.
- ``unique-drop``: every unique index except primary keys (partial ones included) dropped, or its
  UNIQUE constraint (with the foreign keys that need it, named in the change).
- ``trigger-disable``: every trigger that is not internal, ``ALTER TABLE ... DISABLE TRIGGER``.
- ``transition-remove``: every declared move (``common.state_transitions``) no longer declared.
- ``transition-add``: per state machine, one forbidden move declared: the reverse of the first declared
  move whose reverse is not declared, else the first missing ordered pair of labels.
- ``initial-add``: per machine with initial states, the first other label declared initial too.
- ``immutable-free``: every declared immutable column (``common.immutable_columns``) freed.
- ``definer-invoker``: every SECURITY DEFINER function made SECURITY INVOKER.
- ``lock-remove``: every row-locking clause in a function body (``FOR UPDATE``, ``FOR NO KEY UPDATE``,
  ``FOR SHARE``, ``FOR KEY SHARE``, with ``OF ...``) removed, and separately only its ``NOWAIT`` or
  ``SKIP LOCKED``; every ``LOCK TABLE`` statement removed; by re-creating the function from
  ``pg_get_functiondef``.
- ``grant-widen``: every column-level grant to a project role (``chaindb_app``, ``chaindb_readonly``)
  given on the whole table instead.

State machines and immutable columns change through the declaring procedures
(``common.define_state_machine``, ``common.define_immutable_columns``), which recompile the triggers:
the mutant is what a migration making that change would give.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import psycopg

from chaindb.mutation import lexer
from chaindb.mutation.lexer import Token

KINDS = (
    "check-drop",
    "check-weaken",
    "check-anchor",
    "check-conjunct",
    "unique-drop",
    "trigger-disable",
    "transition-remove",
    "transition-add",
    "initial-add",
    "immutable-free",
    "definer-invoker",
    "lock-remove",
    "grant-widen",
)


@dataclass(frozen=True)
class Mutant:
    """One change to a migrated database. ``id`` is stable while the object it changes is unchanged."""

    id: str
    kind: str
    schema: str
    change: str  # the exact change, for people
    sql: str  # applied as superuser, in one transaction
    needles: tuple[str, ...] = field(default=())  # names a relevant test mentions, most specific first

    def describe(self) -> str:
        return f"{self.id}\n      {self.change}"


def _ident(name: str) -> str:
    return psycopg.sql.Identifier(name).as_string(None)


# -- CHECK constraints ------------------------------------------------------------------------------

_WEAKEN = {">": ">=", "<": "<=", ">=": ">", "<=": "<", "=": "<>", "<>": "=", "!=": "="}
_REGEX_OPS = {"~", "~*", "!~", "!~*"}


def _context(text: str, toks: list[Token], index: int) -> tuple[int, int]:
    """The span of the smallest parenthesised group around token ``index`` (or the whole text)."""
    best: tuple[int, int] | None = None
    for open_, close in lexer.groups(toks):
        if open_ < index < close and (best is None or close - open_ < best[1] - best[0]):
            best = (open_, close)
    if best is None:
        return 0, len(text)
    return toks[best[0]].start, toks[best[1]].end


def check_rewrites(expr: str) -> list[tuple[str, str, str, str]]:
    """The mutations of a CHECK expression: (kind, tag, new expression, what changed)."""
    toks = lexer.tokens(expr)
    out: list[tuple[str, str, str, str]] = []
    code = [i for i, t in enumerate(toks) if t.kind not in ("space", "comment")]

    # Comparisons moved one step.
    n = 0
    for i in code:
        t = toks[i]
        if t.kind == "op" and t.text in _WEAKEN:
            n += 1
            after = _WEAKEN[t.text]
            new = lexer.splice(expr, t.start, t.end, after)
            start, end = _context(expr, toks, i)
            shown = f"{expr[start:end]} -> {new[start:end + len(after) - len(t.text)]}"
            out.append(("check-weaken", f"{n}:{t.text}->{after}", new, shown))

    # Regex anchors removed.
    n = 0
    for pos, i in enumerate(code):
        t = toks[i]
        if t.kind != "string" or not t.text.startswith("'") or pos == 0:
            continue
        prev = toks[code[pos - 1]]
        if prev.kind != "op" or prev.text not in _REGEX_OPS:
            continue
        value = lexer.string_value(t)
        n += 1
        variants = []
        if value.startswith("^"):
            variants.append(("^", value[1:]))
        if value.endswith("$") and (len(value) - 1 - len(value[:-1].rstrip("\\"))) % 2 == 0:
            variants.append(("$", value[:-1]))
        for anchor, pattern in variants:
            new = lexer.splice(expr, t.start, t.end, lexer.quote(pattern))
            out.append(("check-anchor", f"{n}:{anchor}", new, f"{t.text} -> {lexer.quote(pattern)}"))

    # One operand of an AND dropped.
    n = 0
    for open_, close in [(-1, len(toks)), *sorted(lexer.groups(toks))]:
        parts = _and_operands(toks, open_ + 1, close)
        for k, (a, b) in enumerate(parts):
            n += 1
            if k + 1 < len(parts):  # drop "operand AND "
                start, end = toks[a].start, toks[parts[k + 1][0]].start
            else:  # drop " AND operand"
                start, end = toks[parts[k - 1][1]].end, toks[b].end
            new = lexer.splice(expr, start, end, "")
            out.append(("check-conjunct", f"{n}", new, f"dropped: {expr[toks[a].start:toks[b].end]}"))
    return out


def _and_operands(toks: list[Token], lo: int, hi: int) -> list[tuple[int, int]]:
    """The operands (first, last code token index) of an AND at depth 0 of ``toks[lo:hi]``."""
    parts: list[tuple[int, int]] = []
    depth = 0
    case = 0
    first: int | None = None
    last: int | None = None
    for i in range(lo, hi):
        t = toks[i]
        if t.kind in ("space", "comment"):
            continue
        if t.text in ("(", "["):
            depth += 1
        elif t.text in (")", "]"):
            depth -= 1
        elif depth == 0 and t.upper == "CASE":
            case += 1
        elif depth == 0 and t.upper == "END" and case:
            case -= 1
        if depth == 0 and case == 0 and t.upper == "AND":
            if first is None or last is None:
                return []
            parts.append((first, last))
            first = last = None
            continue
        if depth == 0 and case == 0 and t.upper in ("OR", "BETWEEN"):
            return []  # AND binds tighter than OR: not a plain conjunction at this level
        if first is None:
            first = i
        last = i
    if not parts or first is None or last is None:
        return []
    parts.append((first, last))
    return parts


class UnreadableCheck(ValueError):
    """A CHECK whose deparsed text the lexer cannot read: its mutants would be missing, so say so."""


_CHECK_DEF = re.compile(r"^CHECK \((?P<expr>.*)\)(?P<tail>(?: NOT VALID| NO INHERIT)*)$", re.DOTALL)


def check_mutants(conn: psycopg.Connection, schemas: Sequence[str]) -> list[Mutant]:
    rows = conn.execute(
        """
        SELECT n.nspname::text, c.conname::text, pg_get_constraintdef(c.oid),
               c.conrelid <> 0,
               CASE WHEN c.conrelid <> 0 THEN c.conrelid::regclass::text ELSE c.contypid::regtype::text END,
               coalesce(t.relname::text, y.typname::text),
               coalesce((SELECT array_agg(DISTINCT r.relname::text ORDER BY r.relname::text)
                         FROM pg_attribute AS a JOIN pg_class AS r ON r.oid = a.attrelid
                         WHERE c.contypid <> 0 AND a.atttypid = c.contypid AND r.relkind = 'r'), '{}')
        FROM pg_constraint AS c
        JOIN pg_namespace AS n ON n.oid = c.connamespace
        LEFT JOIN pg_class AS t ON t.oid = c.conrelid
        LEFT JOIN pg_type AS y ON y.oid = c.contypid
        WHERE c.contype = 'c' AND n.nspname = ANY(%s) AND c.conislocal  -- a partition's copy goes with its table's
          AND NOT EXISTS (SELECT FROM pg_depend AS d
                          WHERE d.deptype = 'e' AND d.objid IN (c.conrelid, c.contypid) AND d.objid <> 0)
        ORDER BY 1, 5, 2
        """,
        (list(schemas),),
    ).fetchall()
    out: list[Mutant] = []
    for schema, name, definition, on_table, target, owner, users in rows:
        alter = f"ALTER TABLE {target}" if on_table else f"ALTER DOMAIN {target}"
        needles = (name, owner, *users)
        base = f"{target}.{name}"
        out.append(Mutant(
            f"check-drop:{base}", "check-drop", schema,
            f"{name} dropped: {definition}", f"{alter} DROP CONSTRAINT {_ident(name)}", needles,
        ))
        m = _CHECK_DEF.match(definition)
        try:
            rewrites = check_rewrites(m.group("expr")) if m else None
        except ValueError:
            rewrites = None
        if rewrites is None:
            raise UnreadableCheck(f"{target}.{name}: cannot read {definition!r} to weaken it")
        for kind, tag, new_expr, shown in rewrites:
            out.append(Mutant(
                f"{kind}:{base}#{tag}", kind, schema, f"{name}: {shown}",
                f"{alter} DROP CONSTRAINT {_ident(name)};\n"
                f"{alter} ADD CONSTRAINT {_ident(name)} CHECK ({new_expr}) NOT VALID",
                needles,
            ))
    return out


# -- unique indexes ---------------------------------------------------------------------------------

def unique_mutants(conn: psycopg.Connection, schemas: Sequence[str]) -> list[Mutant]:
    rows = conn.execute(
        """
        SELECT n.nspname::text, i.indexrelid::regclass::text, x.relname::text, i.indrelid::regclass::text,
               t.relname::text, k.conname::text, pg_get_indexdef(i.indexrelid),
               coalesce((SELECT array_agg(f.conname::text ORDER BY f.conname::text) FROM pg_constraint AS f
                         WHERE f.contype = 'f' AND f.conindid = i.indexrelid), '{}')
        FROM pg_index AS i
        JOIN pg_class AS x ON x.oid = i.indexrelid
        JOIN pg_class AS t ON t.oid = i.indrelid
        JOIN pg_namespace AS n ON n.oid = x.relnamespace
        LEFT JOIN pg_constraint AS k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype = 'u'
        WHERE i.indisunique AND NOT i.indisprimary AND n.nspname = ANY(%s)
          AND NOT EXISTS (SELECT FROM pg_inherits AS h WHERE h.inhrelid = i.indexrelid)  -- a partition's index
          AND NOT EXISTS (SELECT FROM pg_depend AS d WHERE d.deptype = 'e' AND d.objid = t.oid)
        ORDER BY 1, 2
        """,
        (list(schemas),),
    ).fetchall()
    out = []
    for schema, index, index_name, table, table_name, constraint, definition, fkeys in rows:
        if constraint:
            sql = f"ALTER TABLE {table} DROP CONSTRAINT {_ident(constraint)} CASCADE"
        else:
            sql = f"DROP INDEX {index} CASCADE"
        cascade = f" (and the foreign keys that need it: {', '.join(fkeys)})" if fkeys else ""
        out.append(Mutant(
            f"unique-drop:{index}", "unique-drop", schema, f"dropped{cascade}: {definition}", sql,
            (index_name, table_name),
        ))
    return out


# -- triggers ---------------------------------------------------------------------------------------

def trigger_mutants(conn: psycopg.Connection, schemas: Sequence[str]) -> list[Mutant]:
    rows = conn.execute(
        """
        SELECT n.nspname::text, t.tgname::text, t.tgrelid::regclass::text, c.relname::text,
               p.oid::regprocedure::text, p.proname::text
        FROM pg_trigger AS t
        JOIN pg_class AS c ON c.oid = t.tgrelid
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        JOIN pg_proc AS p ON p.oid = t.tgfoid
        WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND n.nspname = ANY(%s)
          AND t.tgparentid = 0  -- a partition's clone goes with its table's trigger
        ORDER BY 1, 3, 2
        """,
        (list(schemas),),
    ).fetchall()
    return [
        Mutant(
            f"trigger-disable:{table}.{name}", "trigger-disable", schema,
            f"ALTER TABLE {table} DISABLE TRIGGER {name} (it runs {function})",
            f"ALTER TABLE {table} DISABLE TRIGGER {_ident(name)}",
            (name, table_name, function_name),
        )
        for schema, name, table, table_name, function, function_name in rows
    ]


# -- declared rules ---------------------------------------------------------------------------------

def _array(values: Iterable[str]) -> str:
    return "ARRAY[" + ", ".join(lexer.quote(v) for v in values) + "]::text[]"


def _declare(
    table: str, column: str, moves: Sequence[tuple[str, str]], initial: Sequence[str] | None, comment: str | None
) -> str:
    """The ``CALL common.define_state_machine(...)`` that declares this machine."""
    return (
        f"CALL common.define_state_machine({lexer.quote(table)}, {lexer.quote(column)}, "
        f"{_array(f'{f}>{t}' for f, t in moves)}, {_array(initial) if initial is not None else 'NULL'}, "
        f"{lexer.quote(comment) if comment is not None else 'NULL'})"
    )


def state_machine_mutants(conn: psycopg.Connection, schemas: Sequence[str]) -> list[Mutant]:
    machines = conn.execute(
        """
        SELECT m.schema_name, m.table_name, m.column_name, m.initial_states, m.comment,
               (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum AS e
                WHERE e.enumtypid = m.enum_type),
               common.state_label(m.column_name)
        FROM common.state_machines AS m
        WHERE m.schema_name = ANY(%s)
        ORDER BY 1, 2, 3
        """,
        (list(schemas),),
    ).fetchall()
    out: list[Mutant] = []
    for schema, table, column, initial, comment, labels, label in machines:
        order = {name: k for k, name in enumerate(labels)}
        moves = sorted(
            (
                (f, t)
                for f, t in conn.execute(
                    "SELECT from_state, to_state FROM common.state_transitions"
                    " WHERE (schema_name, table_name, column_name) = (%s, %s, %s)",
                    (schema, table, column),
                ).fetchall()
            ),
            key=lambda move: (order[move[0]], order[move[1]]),
        )
        qualified = f"{_ident(schema)}.{_ident(table)}"
        needles = (f"{table}_{label}_transition", f"{table}_initial_{label}", table)

        for f, t in moves:
            out.append(Mutant(
                f"transition-remove:{schema}.{table}.{column}:{f}>{t}", "transition-remove", schema,
                f"{schema}.{table}.{column}: the move {f} -> {t} is no longer declared",
                _declare(qualified, column, [m for m in moves if m != (f, t)], initial, comment), needles,
            ))
        declared = set(moves)
        added = next(((t, f) for f, t in moves if (t, f) not in declared), None)
        if added is None:
            added = next(
                ((f, t) for f in labels for t in labels if f != t and (f, t) not in declared), None
            )
        if added is not None:
            more = sorted([*moves, added], key=lambda m: (order[m[0]], order[m[1]]))
            out.append(Mutant(
                f"transition-add:{schema}.{table}.{column}:{added[0]}>{added[1]}", "transition-add", schema,
                f"{schema}.{table}.{column}: the forbidden move {added[0]} -> {added[1]} is declared",
                _declare(qualified, column, more, initial, comment), needles,
            ))
        if initial is not None:
            extra = next((name for name in labels if name not in initial), None)
            if extra is not None:
                out.append(Mutant(
                    f"initial-add:{schema}.{table}.{column}:{extra}", "initial-add", schema,
                    f"{schema}.{table}.{column}: a new row may also start {extra} (initial {initial})",
                    _declare(qualified, column, moves, [*initial, extra], comment), needles,
                ))
    return out


def immutable_mutants(conn: psycopg.Connection, schemas: Sequence[str]) -> list[Mutant]:
    rows = conn.execute(
        """
        SELECT i.schema_name, i.table_name,
               array_agg(i.column_name::text ORDER BY a.attnum) FILTER (WHERE NOT i.set_once),
               array_agg(i.column_name::text ORDER BY a.attnum) FILTER (WHERE i.set_once)
        FROM common.immutable_columns AS i
        JOIN pg_attribute AS a ON a.attrelid = format('%%I.%%I', i.schema_name, i.table_name)::regclass
             AND a.attname = i.column_name
        WHERE i.schema_name = ANY(%s)
        GROUP BY 1, 2
        ORDER BY 1, 2
        """,
        (list(schemas),),
    ).fetchall()
    out = []
    for schema, table, fixed, set_once in rows:
        fixed, set_once = fixed or [], set_once or []
        qualified = lexer.quote(f"{_ident(schema)}.{_ident(table)}")
        for column in [*fixed, *set_once]:
            rest_fixed = [c for c in fixed if c != column]
            rest_once = [c for c in set_once if c != column]
            if rest_fixed or rest_once:
                sql = f"CALL common.define_immutable_columns({qualified}, {_array(rest_fixed)}, {_array(rest_once)})"
            else:
                sql = f"CALL common.drop_immutable_columns({qualified})"
            how = "set-once" if column in set_once else "fixed"
            out.append(Mutant(
                f"immutable-free:{schema}.{table}.{column}", "immutable-free", schema,
                f"{schema}.{table}.{column} ({how}) is no longer declared immutable",
                sql, (f"{table}_{column}_immutable", table, column),
            ))
    return out


# -- functions --------------------------------------------------------------------------------------

def _function_needles(conn: psycopg.Connection, oid: int, name: str) -> tuple[str, ...]:
    """The function's name, and the triggers and tables that run it (for a trigger function)."""
    rows = conn.execute(
        "SELECT t.tgname::text, c.relname::text FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid"
        " WHERE t.tgfoid = %s ORDER BY 1",
        (oid,),
    ).fetchall()
    return (name, *(r[0] for r in rows), *sorted({r[1] for r in rows}))


def definer_mutants(conn: psycopg.Connection, schemas: Sequence[str]) -> list[Mutant]:
    rows = conn.execute(
        """
        SELECT n.nspname::text, p.oid, p.oid::regprocedure::text, p.proname::text,
               CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END
        FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
        WHERE p.prosecdef AND n.nspname = ANY(%s)
          AND NOT EXISTS (SELECT FROM pg_depend AS d WHERE d.deptype = 'e' AND d.objid = p.oid)
        ORDER BY 1, 3
        """,
        (list(schemas),),
    ).fetchall()
    return [
        Mutant(
            f"definer-invoker:{signature}", "definer-invoker", schema,
            f"{signature} runs as its caller (SECURITY INVOKER) instead of its owner",
            f"ALTER {what} {signature} SECURITY INVOKER", _function_needles(conn, oid, name),
        )
        for schema, oid, signature, name, what in rows
    ]


_LOCK_STRENGTH = (("NO", "KEY", "UPDATE"), ("KEY", "SHARE"), ("UPDATE",), ("SHARE",))


def lock_clauses(toks: list[Token]) -> list[tuple[int, int, int | None]]:
    """Row-locking clauses in code tokens: (index of FOR, index of the clause's last token, index of
    the first token of its NOWAIT / SKIP LOCKED or None)."""
    code = [i for i, t in enumerate(toks) if t.kind not in ("space", "comment")]
    words = [toks[i].upper for i in code]
    found: list[tuple[int, int, int | None]] = []
    for k, word in enumerate(words):
        if word != "FOR":
            continue
        strength = next((s for s in _LOCK_STRENGTH if tuple(words[k + 1 : k + 1 + len(s)]) == s), None)
        if strength is None:
            continue
        j = k + len(strength)  # last token so far
        if j + 1 < len(words) and words[j + 1] == "OF":
            j += 2  # OF table [, table ...]
            while j + 1 < len(code) and (toks[code[j + 1]].text in (",", ".") or toks[code[j]].text in (",", ".")):
                j += 1
        modifier = None
        if j + 1 < len(words) and words[j + 1] == "NOWAIT":
            modifier, j = j + 1, j + 1
        elif j + 2 < len(words) and words[j + 1 : j + 3] == ["SKIP", "LOCKED"]:
            modifier, j = j + 1, j + 2
        found.append((code[k], code[j], code[modifier] if modifier is not None else None))
    return found


_STATEMENT_START = ("BEGIN", "THEN", "ELSE", "LOOP", "AS")  # what may precede a statement, besides ';'


def table_locks(toks: list[Token]) -> list[tuple[int, int]]:
    """``LOCK [TABLE] ... ;`` statements in code tokens: (index of LOCK, index of its semicolon)."""
    code = [i for i, t in enumerate(toks) if t.kind not in ("space", "comment")]
    found = []
    for k, i in enumerate(code):
        previous = toks[code[k - 1]] if k else None
        starts = previous is None or previous.text == ";" or previous.upper in _STATEMENT_START
        if toks[i].upper != "LOCK" or not starts:
            continue
        end = next((j for j in code[k + 1 :] if toks[j].text == ";"), None)
        if end is not None:
            found.append((i, end))
    return found


def lock_mutants(conn: psycopg.Connection, schemas: Sequence[str]) -> list[Mutant]:
    rows = conn.execute(
        """
        SELECT n.nspname::text, p.oid, p.oid::regprocedure::text, p.proname::text, pg_get_functiondef(p.oid)
        FROM pg_proc AS p
        JOIN pg_namespace AS n ON n.oid = p.pronamespace
        JOIN pg_language AS l ON l.oid = p.prolang
        WHERE n.nspname = ANY(%s) AND l.lanname IN ('plpgsql', 'sql') AND p.prokind IN ('f', 'p')
          AND NOT EXISTS (SELECT FROM pg_depend AS d WHERE d.deptype = 'e' AND d.objid = p.oid)
        ORDER BY 1, 3
        """,
        (list(schemas),),
    ).fetchall()
    out = []
    for schema, oid, signature, name, definition in rows:
        toks = lexer.tokens(definition, dollar_as_code=True)
        clauses = lock_clauses(toks)
        statements = table_locks(toks)
        if not clauses and not statements:
            continue
        needles = _function_needles(conn, oid, name)
        for n, (first, last) in enumerate(statements, start=1):
            statement = " ".join(definition[toks[first].start : toks[last].end].split())
            start = toks[first - 1].start if first > 0 and toks[first - 1].kind == "space" else toks[first].start
            line = definition.count("\n", 0, toks[first].start) + 1
            out.append(Mutant(
                f"lock-remove:{signature}#table-{n}", "lock-remove", schema,
                f"{signature}: '{statement}' removed (line {line} of pg_get_functiondef)",
                lexer.splice(definition, start, toks[last].end, ""), needles,
            ))
        for n, (first, last, modifier) in enumerate(clauses, start=1):
            clause = definition[toks[first].start : toks[last].end]
            start = toks[first - 1].start if first > 0 and toks[first - 1].kind == "space" else toks[first].start
            line = definition.count("\n", 0, toks[first].start) + 1
            out.append(Mutant(
                f"lock-remove:{signature}#{n}", "lock-remove", schema,
                f"{signature}: '{' '.join(clause.split())}' removed (line {line} of pg_get_functiondef)",
                lexer.splice(definition, start, toks[last].end, ""), needles,
            ))
            if modifier is not None:
                mod = definition[toks[modifier].start : toks[last].end]
                mstart = toks[modifier - 1].start if toks[modifier - 1].kind == "space" else toks[modifier].start
                out.append(Mutant(
                    f"lock-remove:{signature}#{n}:{'_'.join(mod.upper().split())}", "lock-remove", schema,
                    f"{signature}: '{' '.join(mod.split())}' removed from '{' '.join(clause.split())}' "
                    f"(line {line} of pg_get_functiondef)",
                    lexer.splice(definition, mstart, toks[last].end, ""), needles,
                ))
    return out


# -- grants -----------------------------------------------------------------------------------------

def grant_mutants(conn: psycopg.Connection, schemas: Sequence[str], roles: Sequence[str]) -> list[Mutant]:
    rows = conn.execute(
        """
        SELECT n.nspname::text, c.oid::regclass::text, c.relname::text, r.rolname::text, a.privilege_type,
               array_agg(t.attname::text ORDER BY t.attnum),
               (SELECT array_agg(o.attname::text ORDER BY o.attnum) FROM pg_attribute AS o
                WHERE o.attrelid = c.oid AND o.attnum > 0 AND NOT o.attisdropped
                  AND NOT has_column_privilege(r.oid, c.oid, o.attnum, a.privilege_type))
        FROM pg_class AS c
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        JOIN pg_attribute AS t ON t.attrelid = c.oid AND t.attnum > 0 AND NOT t.attisdropped,
        LATERAL aclexplode(t.attacl) AS a
        JOIN pg_roles AS r ON r.oid = a.grantee
        WHERE n.nspname = ANY(%s) AND r.rolname = ANY(%s)
          AND NOT has_table_privilege(r.oid, c.oid, a.privilege_type)
        GROUP BY 1, 2, 3, 4, 5, c.oid, r.oid
        ORDER BY 1, 2, 4, 5
        """,
        (list(schemas), list(roles)),
    ).fetchall()
    return [
        Mutant(
            f"grant-widen:{table}:{role}:{privilege}", "grant-widen", schema,
            f"{role}: {privilege} ({', '.join(columns)}) on {table} widened to the whole table"
            f" (adds {', '.join(others or [])})",
            f"GRANT {privilege} ON {table} TO {_ident(role)}", (table_name, *(others or [])),
        )
        for schema, table, table_name, role, privilege, columns, others in rows
    ]


def mutants(conn: psycopg.Connection, schemas: Sequence[str], roles: Sequence[str]) -> list[Mutant]:
    """Every mutant of the given schemas, in a stable order (by kind, then id)."""
    found = [
        *check_mutants(conn, schemas),
        *unique_mutants(conn, schemas),
        *trigger_mutants(conn, schemas),
        *state_machine_mutants(conn, schemas),
        *immutable_mutants(conn, schemas),
        *definer_mutants(conn, schemas),
        *lock_mutants(conn, schemas),
        *grant_mutants(conn, schemas, roles),
    ]
    seen: set[str] = set()
    unique: list[Mutant] = []
    for m in found:
        if m.id not in seen:
            seen.add(m.id)
            unique.append(m)
    return sorted(unique, key=lambda m: (KINDS.index(m.kind), m.id))
